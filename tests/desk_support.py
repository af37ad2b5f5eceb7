"""Shared pieces of the desk tests: a records repository, a live desk and logged-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import httpx

from intake_support import make_records_repo, serve_app
from yishi.desk.app import Desk, DeskSettings, create_app
from yishi.desk.database import Database
from yishi.desk.snapshot import LiveRecords
from yishi.desk.workflow import Workflow
from yishi.forges.local import LocalForge

#: Passwords of the test accounts (long enough for the desk's minimum).
PASSWORD = "correct horse battery"
#: 2026-11-30 09:00 in Beijing: after every demo record.
START = datetime(2026, 11, 30, 1, 0, tzinfo=UTC).timestamp()


class Clock:
    """Seconds since the epoch, moved by hand."""

    def __init__(self, start: float = START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class LiveDesk:
    """A desk served on loopback over a records repository, with its clock."""

    desk: Desk
    url: str
    root: Path
    clock: Clock
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, **options: object) -> httpx.Client:
        """An HTTP client of this desk (closed when the desk stops)."""
        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=30,
                              **options)  # type: ignore[arg-type]
        self.clients.append(client)
        return client


def new_desk(tmp: Path, root: Path | None = None, *, site_url: str | None = None) -> Desk:
    """A desk over ``root`` (the demo records by default), with accounts amy (moderator),
    ben (moderator) and bo (approver)."""
    root = root or make_records_repo(tmp / "records", full=True)
    clock = Clock()
    desk = Desk(Database(tmp / "var" / "desk.sqlite3"), LiveRecords(root, "main"),
                Workflow(LocalForge(root, "main"), root), clock, DeskSettings(site_url=site_url))
    desk.accounts.add("amy", PASSWORD)
    desk.accounts.add("ben", PASSWORD)
    desk.accounts.add("bo", PASSWORD, approver=True)
    return desk


@contextmanager
def live_desk(tmp: Path, root: Path | None = None, *,
              site_url: str | None = None) -> Iterator[LiveDesk]:
    """A desk served by uvicorn on an ephemeral loopback port."""
    desk = new_desk(tmp, root, site_url=site_url)
    with serve_app(create_app(desk)) as url:
        assert isinstance(desk.clock, Clock)
        live = LiveDesk(desk, url, desk.records.root, desk.clock)
        try:
            yield live
        finally:
            for client in live.clients:
                client.close()


CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_RE.search(html)
    assert match, html[:2000]
    return match.group(1)


def login(live: LiveDesk, name: str, password: str = PASSWORD) -> httpx.Client:
    """A client logged in as ``name`` (asserting the login worked)."""
    client = live.client()
    form = client.get("/login")
    answer = client.post("/login", data={"username": name, "password": password,
                                         "csrf": csrf_of(form.text)})
    assert answer.status_code == 303 and answer.headers["location"] == "/", answer.text
    return client


def try_login(client: httpx.Client, name: str, password: str) -> httpx.Response:
    """One login attempt with a fresh login form."""
    form = client.get("/login")
    return client.post("/login", data={"username": name, "password": password,
                                       "csrf": csrf_of(form.text)})


RECEIVED = "2026-1118-cd9p"
CRITERIA = ["public", "legal", "urgent", "feasible"]


def post(client: httpx.Client, path: str, fields: dict[str, object]) -> httpx.Response:
    """POST a form (lists become repeated fields) with the page's CSRF token."""
    token = csrf_of(client.get("/").text)
    data: dict[str, str | list[str]] = {"csrf": token}
    for key, value in fields.items():
        data[key] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return client.post(path, data=data)


def submit(client: httpx.Client, path: str, fields: dict[str, object]) -> str:
    """Preview then confirm a form; the change id it made."""
    preview = post(client, path, {**fields, "step": "preview"})
    assert preview.status_code == 200, preview.text
    assert "预览变更" in preview.text and "确认提交审核" in preview.text
    done = post(client, path, {**fields, "step": "confirm"})
    assert done.status_code == 303, done.text
    return done.headers["location"].removeprefix("/changes/")


class _FormReader(HTMLParser):
    """The values a browser would send for the page's form (text, checked boxes, selected
    options and textareas), except the CSRF token."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and name != "csrf" and a.get("type") != "submit":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.values.setdefault(name, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data


def form_values(page: str) -> dict[str, object]:
    """What submitting the page's form unchanged would send."""
    reader = _FormReader()
    reader.feed(page)
    return {k: v if len(v) > 1 or k == "agenda" else v[0] for k, v in reader.values.items()}
