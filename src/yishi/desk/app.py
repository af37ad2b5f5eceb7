"""The desk's HTTP service (Starlette): login, sessions, CSRF, and the moderators' pages.

Every route but ``/login``, ``/healthz`` and the static files needs a live session; every
POST needs the session's CSRF token (the login form its own signed one). Records come from
:class:`~yishi.desk.snapshot.LiveRecords`, never from disk per request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..council import Council
from ..ids import ID_RE
from ..intake.service import AccessLog, council_timezone
from . import messages
from .accounts import Accounts
from .audit import AuditLog
from .changes import ChangeLog
from .database import Database
from .pages import CONTENT_SECURITY_POLICY, render
from .sessions import COOKIE, CSRF_FIELD, LOGIN_COOKIE, Session, Sessions
from .snapshot import LiveRecords, Snapshot
from .throttle import LoginLimits, LoginThrottle
from .todo import Todo, issue_actions, todo

log = logging.getLogger("yishi.desk.app")

Clock = Callable[[], float]
Handler = Callable[[Request, Session], Awaitable[Response]]

#: Form bodies above this are refused before parsing (a CSV of paper proposals fits).
MAX_BODY = 2 * 1024 * 1024
#: How many entries each 待办 list shows; the count says how many there are.
SHOWN = 50


@dataclass
class DeskSettings:
    """How the desk behaves; the defaults are the documented ones."""

    session_hours: float = 8.0
    login_limits: LoginLimits = field(default_factory=LoginLimits)
    #: Base URL of the public site, for links to published pages.
    site_url: str | None = None


@dataclass
class Desk:
    """What every route works with: the stores, the records and the clock."""

    db: Database
    records: LiveRecords
    clock: Clock
    settings: DeskSettings
    accounts: Accounts = field(init=False)
    sessions: Sessions = field(init=False)
    throttle: LoginThrottle = field(init=False)
    audit: AuditLog = field(init=False)
    changes: ChangeLog = field(init=False)

    def __post_init__(self) -> None:
        self.accounts = Accounts(self.db, self.clock)
        self.sessions = Sessions(self.db, self.db.setting("session-secret"),
                                 lifetime=self.settings.session_hours * 3600)
        self.throttle = LoginThrottle(self.db, self.settings.login_limits)
        self.audit = AuditLog(self.db)
        self.changes = ChangeLog(self.db)

    def snapshot(self) -> Snapshot:
        return self.records.current()

    def council(self) -> Council | None:
        return self.snapshot().repo.council

    def today(self) -> date:
        council = self.council()
        moment = datetime.fromtimestamp(self.clock(), UTC)
        return (moment.astimezone(council_timezone(council)) if council else moment).date()


def html(text: str, status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """A page with the desk's security headers; nothing is cached."""
    return HTMLResponse(text, status_code, headers={
        "Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
        **(headers or {})})


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


async def read_form(request: Request) -> FormData | None:
    """The POSTed form, or None when it is larger than :data:`MAX_BODY`."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    return await request.form(max_files=2, max_fields=2000, max_part_size=MAX_BODY)


def create_app(desk: Desk) -> Starlette:
    """The ASGI application over ``desk``."""

    def page(template: str, session: Session | None, status_code: int = 200,
             **context: Any) -> HTMLResponse:
        return html(render(template, session=session, council=desk.council(), **context),
                    status_code)

    def error(session: Session | None, status_code: int, heading: str, message: str) -> Response:
        return page("error.html", session, status_code, heading=heading, message=message)

    def login_page(request: Request, *, status_code: int = 200, error: str = "",
                   notice: str = "", username: str = "") -> Response:
        nonce, token = desk.sessions.login_nonce()
        response = page("login.html", None, status_code, csrf=token, error=error,
                        notice=notice, username=username)
        response.set_cookie(LOGIN_COOKIE, nonce, max_age=3600, path="/login", httponly=True,
                            samesite="strict", secure=_secure(request))
        return response

    def to_login() -> Response:
        return RedirectResponse("/login", 303)

    def guarded(handler: Handler, *, approver: bool = False) -> Callable[[Request], Awaitable[Response]]:
        """``handler`` behind the session check, the CSRF check (POST) and the role check."""

        async def endpoint(request: Request) -> Response:
            now = desk.clock()
            session = await run_in_threadpool(desk.sessions.find, request.cookies.get(COOKIE), now)
            if session is None:
                return to_login()
            if request.method == "POST":
                form = await read_form(request)
                if form is None:
                    return error(session, 413, "内容过大",
                                 messages.BODY_TOO_LARGE.format(limit_mb=MAX_BODY // 2**20))
                submitted = form.get(CSRF_FIELD)
                if not desk.sessions.csrf_ok(session, submitted if isinstance(submitted, str) else None):
                    return error(session, 403, "请求被拒绝", messages.CSRF_FAILED)
                request.state.form = form
            if approver and not session.account.approver:
                return error(session, 403, "无权访问", messages.APPROVERS_ONLY)
            return await handler(request, session)

        return endpoint

    # -- login and logout ---------------------------------------------------------------

    async def login_form(request: Request) -> Response:
        session = desk.sessions.find(request.cookies.get(COOKIE), desk.clock())
        if session is not None:
            return RedirectResponse("/", 303)
        return login_page(request)

    async def login(request: Request) -> Response:
        form = await read_form(request)
        if form is None:
            return error(None, 413, "内容过大",
                         messages.BODY_TOO_LARGE.format(limit_mb=MAX_BODY // 2**20))
        token = form.get(CSRF_FIELD)
        if not desk.sessions.login_csrf_ok(request.cookies.get(LOGIN_COOKIE),
                                           token if isinstance(token, str) else None):
            return error(None, 403, "请求被拒绝", messages.CSRF_FAILED)
        name = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        client, now = _client(request), desk.clock()
        wait = desk.throttle.locked_for(name, client, now)
        if wait > 0:
            return login_page(request, status_code=429, username=name,
                              error=_lockout(desk, name, now, wait))
        account = await run_in_threadpool(desk.accounts.verify, name, password)
        if account is None:
            desk.throttle.failed(name, client, now)
            desk.audit.record(now, name[:32] or "(空)", "login_failed")
            wait = desk.throttle.locked_for(name, client, now)
            message = _lockout(desk, name, now, wait) if wait > 0 else messages.LOGIN_FAILED
            return login_page(request, status_code=429 if wait > 0 else 401, username=name,
                              error=message)
        desk.throttle.succeeded(name)
        cookie, _ = desk.sessions.start(account, now)
        desk.audit.record(now, account.name, "login")
        response = RedirectResponse("/", 303)
        response.set_cookie(COOKIE, cookie, max_age=int(desk.sessions.lifetime), path="/",
                            httponly=True, samesite="strict", secure=_secure(request))
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    async def logout(request: Request, session: Session) -> Response:
        desk.sessions.end(request.cookies.get(COOKIE))
        desk.audit.record(desk.clock(), session.account.name, "logout")
        response = login_page(request, notice=messages.LOGGED_OUT)
        response.delete_cookie(COOKIE, path="/")
        return response

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    # -- pages --------------------------------------------------------------------------

    def todo_lists(snapshot: Snapshot, today: date) -> Todo:
        key = ("todo", today)
        if key not in snapshot.memo:
            snapshot.memo[key] = todo(snapshot.repo, today)
        result: Todo = snapshot.memo[key]
        return result

    async def home(request: Request, session: Session) -> Response:
        snapshot = await run_in_threadpool(desk.snapshot)
        today = desk.today()
        lists = await run_in_threadpool(todo_lists, snapshot, today)
        waiting = desk.changes.open()
        me = session.account.name
        council = snapshot.repo.council
        return page("todo.html", session, todo=lists, today=today, shown=SHOWN,
                    limit=council.metrics.screening_days if council else 15,
                    mine=[c for c in waiting if c.requested_by == me],
                    others=[c for c in waiting if c.requested_by != me])

    async def issue(request: Request, session: Session) -> Response:
        issue_id = request.path_params["issue_id"]
        snapshot = await run_in_threadpool(desk.snapshot)
        loaded = snapshot.repo.issues.get(issue_id) if ID_RE.match(issue_id) else None
        if loaded is None:
            return error(session, 404, "没有找到", messages.NOT_FOUND)
        record = loaded.record
        return page("issue.html", session, issue=record, body=loaded.body,
                    references=snapshot.repo.references(issue_id),
                    actions=issue_actions(snapshot.repo, record),
                    changes=desk.changes.about(issue_id), site_url=desk.settings.site_url)

    async def meeting(request: Request, session: Session) -> Response:
        meeting_id = request.path_params["meeting_id"]
        snapshot = await run_in_threadpool(desk.snapshot)
        loaded = snapshot.repo.meetings.get(meeting_id) if ID_RE.match(meeting_id) else None
        if loaded is None:
            return error(session, 404, "没有找到", messages.NOT_FOUND)
        titles = {i.issue: snapshot.repo.issues[i.issue].record.title
                  for i in loaded.record.agenda if i.issue in snapshot.repo.issues}
        return page("meeting.html", session, meeting=loaded.record, minutes=loaded.body,
                    titles=titles, today=desk.today(), changes=desk.changes.about(meeting_id))

    async def change_list(request: Request, session: Session) -> Response:
        return page("changes.html", session, changes=desk.changes.open())

    async def audit(request: Request, session: Session) -> Response:
        return page("audit.html", session, entries=desk.audit.latest(200))

    routes = [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", guarded(logout), methods=["POST"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/", guarded(home), methods=["GET"]),
        Route("/issues/{issue_id}", guarded(issue), methods=["GET"]),
        Route("/meetings/{meeting_id}", guarded(meeting), methods=["GET"]),
        Route("/changes", guarded(change_list), methods=["GET"]),
        Route("/audit", guarded(audit, approver=True), methods=["GET"]),
        Mount("/static", StaticFiles(packages=[("yishi.desk", "static")]), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[_access_log()])
    app.state.desk = desk
    return app


def _access_log() -> Any:
    from starlette.middleware import Middleware

    return Middleware(AccessLog)


def _lockout(desk: Desk, name: str, now: float, wait: float) -> str:
    """The lockout message: the account's own, or the client's when only it is stopped."""
    minutes = max(1, int(wait + 59) // 60)
    if desk.throttle.account_locked_for(name, now) > 0:
        return messages.LOCKED_OUT.format(name=name, minutes=minutes)
    return messages.CLIENT_LOCKED.format(minutes=minutes)


def system_clock() -> float:
    """Seconds since the epoch: the desk's default clock."""
    return time.time()
