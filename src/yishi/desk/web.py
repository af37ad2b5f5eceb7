"""What every desk route shares: the desk's parts, security headers, the session and CSRF
guard, and rendering a page for a session."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..council import Council
from ..intake.ratings import RatingCounts, rating_counts
from . import messages
from .accounts import Accounts
from .audit import AuditLog
from .changes import ChangeLog
from .database import Database
from .pages import CONTENT_SECURITY_POLICY, render
from .proposals import Proposals
from .published import PublishedPages, latest_commit
from .sessions import COOKIE, CSRF_FIELD, Session, Sessions
from .snapshot import LiveRecords, Snapshot
from .throttle import LoginLimits, LoginThrottle
from .workflow import Workflow

Clock = Callable[[], float]
Handler = Callable[[Request, Session], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]

#: Form bodies above this are refused before parsing (a CSV of paper proposals fits).
MAX_BODY = 2 * 1024 * 1024


def system_clock() -> float:
    """Seconds since the epoch: the desk's default clock."""
    return time.time()


@dataclass
class DeskSettings:
    """How the desk behaves; the defaults are the documented ones."""

    session_hours: float = 8.0
    login_limits: LoginLimits = field(default_factory=LoginLimits)
    #: Base URL of the public site, for links to published pages.
    site_url: str | None = None
    #: The intake store, where proposers' contacts are (shown to approvers on request).
    intake_db: Path | None = None


@dataclass
class Desk:
    """What every route works with: the stores, the records, the forge and the clock."""

    db: Database
    records: LiveRecords
    workflow: Workflow
    clock: Clock = system_clock
    settings: DeskSettings = field(default_factory=DeskSettings)
    accounts: Accounts = field(init=False)
    sessions: Sessions = field(init=False)
    throttle: LoginThrottle = field(init=False)
    audit: AuditLog = field(init=False)
    changes: ChangeLog = field(init=False)
    proposals: Proposals = field(init=False)
    published: PublishedPages = field(init=False)

    def __post_init__(self) -> None:
        self.accounts = Accounts(self.db, self.clock)
        self.sessions = Sessions(self.db, self.db.setting("session-secret"),
                                 lifetime=self.settings.session_hours * 3600)
        self.throttle = LoginThrottle(self.db, self.settings.login_limits)
        self.audit = AuditLog(self.db)
        self.changes = ChangeLog(self.db)
        self.proposals = Proposals(self.workflow, lambda: self.settings.intake_db)
        self.published = PublishedPages(self.clock)

    def snapshot(self) -> Snapshot:
        """The records of the main branch now."""
        return self.records.current()

    def council(self) -> Council | None:
        return self.snapshot().repo.council

    def today(self) -> date:
        """Today in the council's time zone (the day an operation is dated)."""
        council = self.council()
        moment = datetime.fromtimestamp(self.clock(), UTC)
        return council.today(moment) if council else moment.date()

    def contact(self, issue_id: str) -> str | None:
        """The proposer's private contact from the intake store, if it has one."""
        path = self.settings.intake_db
        if path is None or not path.exists():
            return None
        from ..intake.store import Store

        with Store(path) as store:
            return store.contact(issue_id)

    def ratings(self, issue_id: str) -> RatingCounts | None:
        """The residents' own online ratings of the issue, summed (None without a store)."""
        path = self.settings.intake_db
        if path is None or not path.exists():
            return None
        from ..intake.store import Store

        with Store(path, readonly=True) as store:
            return rating_counts(store, issue_id)

    def public_url(self, kind: str, record_id: str) -> str | None:
        """The record's page on the public site, when the site's address is known."""
        base = self.settings.site_url
        return f"{base.rstrip('/')}/{kind}/{record_id}/" if base else None

    def is_published(self, kind: str, record_id: str) -> bool:
        """Whether the record's public page already shows its latest commit on main."""
        url = self.public_url(kind, record_id)
        commit = latest_commit(self.records.root, self.records.main_branch,
                               f"content/{kind}/{record_id}.md")
        return url is not None and commit is not None and self.published.shows(url, commit)


def html(text: str, status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """A page with the desk's security headers; nothing is cached."""
    return HTMLResponse(text, status_code, headers={
        "Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
        **(headers or {})})


async def read_form(request: Request) -> FormData | None:
    """The POSTed form, or None when it is larger than :data:`MAX_BODY`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    return await request.form(max_files=2, max_fields=2000, max_part_size=MAX_BODY)


class Web:
    """Rendering and guarding for the routes of one desk."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def page(self, template: str, session: Session | None, status_code: int = 200,
             **context: Any) -> HTMLResponse:
        """A template rendered for ``session`` (its name, role and CSRF token)."""
        return html(render(template, session=session, council=self.desk.council(), **context),
                    status_code)

    def error(self, session: Session | None, status_code: int, heading: str,
              message: str) -> Response:
        return self.page("error.html", session, status_code, heading=heading, message=message)

    def not_found(self, session: Session | None) -> Response:
        return self.error(session, 404, "没有找到", messages.NOT_FOUND)

    def too_large(self, session: Session | None) -> Response:
        return self.error(session, 413, "内容过大",
                          messages.BODY_TOO_LARGE.format(limit_mb=MAX_BODY // 2**20))

    def guarded(self, handler: Handler, *, approver: bool = False) -> Endpoint:
        """``handler`` behind the session check, the CSRF check (POST) and the role check."""
        desk = self.desk

        async def endpoint(request: Request) -> Response:
            session = await run_in_threadpool(desk.sessions.find, request.cookies.get(COOKIE),
                                              desk.clock())
            if session is None:
                return RedirectResponse("/login", 303)
            if request.method == "POST":
                form = await read_form(request)
                if form is None:
                    return self.too_large(session)
                submitted = form.get(CSRF_FIELD)
                if not desk.sessions.csrf_ok(session,
                                             submitted if isinstance(submitted, str) else None):
                    await form.close()
                    return self.error(session, 403, "请求被拒绝", messages.CSRF_FAILED)
                request.state.form = form
            try:
                if approver and not session.account.approver:
                    return self.error(session, 403, "无权访问", messages.APPROVERS_ONLY)
                return await handler(request, session)
            finally:
                if request.method == "POST":
                    await request.state.form.close()  # uploaded files' temporary copies

        return endpoint
