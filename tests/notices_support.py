"""Shared pieces of the notice tests: a real SMTP server and a real webhook receiver on
loopback (both de-duplicating by message id, as a council's gateway should), and hand edits
of records committed to the main branch."""

from __future__ import annotations

import asyncio
import email
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml
from aiosmtpd.controller import Controller

from intake_support import free_port, git

WEBHOOK_SECRET = "test-webhook-secret"


@dataclass
class Mail:
    """One delivered mail as the test reads it."""

    message_id: str
    to: str
    subject: str
    body: str


@dataclass
class MailServer:
    """aiosmtpd's handler: keeps every delivery, and the first of each Message-ID.

    With ``hold`` set to ``"DATA"`` or ``"QUIT"``, the next message stalls at that command
    (before or after the server accepted it) until :meth:`release`: the test kills the
    worker meanwhile.
    """

    deliveries: list[Mail] = field(default_factory=list)
    unique: dict[str, Mail] = field(default_factory=dict)
    hold: str | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    released: bool = False

    async def _stall(self, phase: str) -> None:
        if self.hold == phase:
            self.hold = None
            self.holding.set()
            while not self.released:
                await asyncio.sleep(0.05)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await self._stall("DATA")
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        mail = Mail(str(message["Message-ID"]), ", ".join(envelope.rcpt_tos),
                    str(message["Subject"]), body.get_content() if body else "")
        self.deliveries.append(mail)
        self.unique.setdefault(mail.message_id, mail)
        return "250 OK"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        await self._stall("QUIT")
        return "221 Bye"

    def release(self) -> None:
        self.released = True


@contextmanager
def mail_server() -> Iterator[tuple[MailServer, int]]:
    """A real SMTP server on 127.0.0.1; yields its handler and port."""
    handler = MailServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        handler.release()
        controller.stop()


@dataclass
class Webhook:
    """What the gateway received: every POST, and the first of each Idempotency-Key."""

    deliveries: list[dict[str, Any]] = field(default_factory=list)
    unique: dict[str, dict[str, Any]] = field(default_factory=dict)
    bad_signatures: int = 0


@contextmanager
def webhook_receiver(secret: str = WEBHOOK_SECRET) -> Iterator[tuple[Webhook, str]]:
    """A threaded HTTP server on 127.0.0.1 checking the HMAC header; yields it and its URL."""
    received = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, self.headers.get("X-Yishi-Signature", "")):
                received.bad_signatures += 1
                self.send_response(401)
                self.end_headers()
                return
            payload = json.loads(body)
            payload["idempotency_key"] = self.headers["Idempotency-Key"]
            received.deliveries.append(payload)
            received.unique.setdefault(self.headers["Idempotency-Key"], payload)
            self.send_response(202)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _front_matter(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def _write(path: Path, data: dict[str, Any], body: str) -> None:
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")


def advance(repo: Path, issue_id: str, status: str, *, note: str = "", meeting: str | None = None,
            on: date | None = None, **fields: Any) -> None:
    """Hand-edit an issue on the main branch: a new status and timeline entry, and commit."""
    git(repo, "reset", "-q", "--hard", "main")  # the local forge merges without a checkout
    path = repo / "content" / "issues" / f"{issue_id}.md"
    data, body = _front_matter(path)
    entry: dict[str, Any] = {"date": (on or date.today()).isoformat(), "status": status}
    if note:
        entry["note"] = note
    if meeting:
        entry["meeting"] = meeting
    data["status"] = status
    data["timeline"].append(entry)
    data.update(fields)
    _write(path, data, body)
    git(repo, "commit", "-q", "-am", f"{issue_id}: {status}")


def write_meeting(repo: Path, meeting_id: str, issue_id: str, *, place: str, on: date,
                  time: str = "19:00", outcome: str | None = None,
                  decision: str | None = None) -> None:
    """Add or rewrite a meeting with one agenda item about ``issue_id``, and commit."""
    git(repo, "reset", "-q", "--hard", "main")
    item: dict[str, Any] = {"issue": issue_id}
    if outcome:
        item["outcome"] = outcome
    if decision:
        item["decision"] = decision
    data = {"id": meeting_id, "title": "盛业家园居民议事会", "date": on.isoformat(),
            "time": time, "level": "community", "community": "shengye", "place": place,
            "convener": "盛业家园社区居委会", "agenda": [item]}
    path = repo / "content" / "meetings" / f"{meeting_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(path, data, "会议纪要。\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"meeting {meeting_id}")
