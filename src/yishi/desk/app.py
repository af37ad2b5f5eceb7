"""The desk's HTTP service (Starlette): login and logout, the 待办 page and the record pages.

Every route but ``/login``, ``/healthz`` and the static files needs a live session; every
POST needs the session's CSRF token (the login form its own signed one). Records come from
:class:`~yishi.desk.snapshot.LiveRecords`, never from disk per request. The operation
forms and the changes are in :mod:`yishi.desk.views`.
"""

from __future__ import annotations

import logging
from datetime import date

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import YishiError
from ..intake.service import AccessLog
from ..operations import allowed_operations
from . import messages
from .forms import issue_forms
from .proposal_views import proposal_routes
from .sessions import COOKIE, CSRF_FIELD, LOGIN_COOKIE, Session
from .snapshot import Snapshot
from .todo import Todo, issue_actions, refreshed, todo
from .views import operation_routes, sync_changes
from .web import Desk, DeskSettings, Web, html, read_form, system_clock

__all__ = ["Desk", "DeskSettings", "create_app", "system_clock"]

log = logging.getLogger("yishi.desk.app")

#: How many entries each 待办 list shows; the count says how many there are.
SHOWN = 50


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _client(request: Request) -> str:
    return request.client.host if request.client else ""


def _lockout(desk: Desk, name: str, now: float, wait: float) -> str:
    """The lockout message: the account's own, or the client's when only it is stopped."""
    minutes = max(1, int(wait + 59) // 60)
    if desk.throttle.account_locked_for(name, now) > 0:
        return messages.LOCKED_OUT.format(name=name, minutes=minutes)
    return messages.CLIENT_LOCKED.format(minutes=minutes)


def todo_lists(snapshot: Snapshot, today: date) -> Todo:
    """The 待办 lists, computed once per snapshot and day; after a reload by changed file,
    refreshed from the previous snapshot's lists for the affected issues only."""
    key = ("todo", today)
    if key not in snapshot.memo:
        previous = snapshot.previous
        if previous is not None and snapshot.affected is not None and key in previous.memo:
            snapshot.memo[key] = refreshed(previous.memo[key], snapshot.repo, today,
                                           snapshot.affected)
        else:
            snapshot.memo[key] = todo(snapshot.repo, today)
    result: Todo = snapshot.memo[key]
    return result


def create_app(desk: Desk) -> Starlette:
    """The ASGI application over ``desk``."""
    web = Web(desk)

    def login_page(request: Request, *, status_code: int = 200, error: str = "",
                   notice: str = "", username: str = "") -> Response:
        nonce, token = desk.sessions.login_nonce()
        response = web.page("login.html", None, status_code, csrf=token, error=error,
                            notice=notice, username=username)
        response.set_cookie(LOGIN_COOKIE, nonce, max_age=3600, path="/login", httponly=True,
                            samesite="strict", secure=_secure(request))
        return response

    async def login_form(request: Request) -> Response:
        if desk.sessions.find(request.cookies.get(COOKIE), desk.clock()) is not None:
            return RedirectResponse("/", 303)
        ended = desk.sessions.why_ended(request.cookies.get(COOKIE), desk.clock())
        response = login_page(request, notice=ended)
        if ended:  # said once: the stale cookie goes with it
            response.delete_cookie(COOKIE, path="/")
        return response

    async def login(request: Request) -> Response:
        form = await read_form(request)
        if form is None:
            return web.too_large(None)
        token = form.get(CSRF_FIELD)
        if not desk.sessions.login_csrf_ok(request.cookies.get(LOGIN_COOKIE),
                                           token if isinstance(token, str) else None):
            return web.error(None, 403, "请求被拒绝", messages.CSRF_FAILED)
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
            # A name no account has may be a password typed in the wrong box: not logged.
            known = desk.accounts.get(name) is not None
            desk.audit.record(now, name if known else "(未知用户)", "login_failed")
            wait = desk.throttle.locked_for(name, client, now)
            return login_page(request, status_code=429 if wait > 0 else 401, username=name,
                              error=_lockout(desk, name, now, wait) if wait > 0
                              else messages.LOGIN_FAILED)
        desk.throttle.succeeded(name)
        cookie, _ = desk.sessions.start(account, now)
        desk.audit.record(now, account.name, "login")
        response = RedirectResponse("/", 303)
        response.set_cookie(COOKIE, cookie, max_age=int(desk.sessions.lifetime), path="/",
                            httponly=True, samesite="strict", secure=_secure(request))
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    async def logout(request: Request, session: Session) -> Response:
        desk.sessions.end(request.cookies.get(COOKIE), desk.clock())
        desk.audit.record(desk.clock(), session.account.name, "logout")
        response = login_page(request, notice=messages.LOGGED_OUT)
        response.delete_cookie(COOKIE, path="/")
        return response

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def home(request: Request, session: Session) -> Response:
        snapshot = await run_in_threadpool(desk.snapshot)
        today = desk.today()
        lists = await run_in_threadpool(todo_lists, snapshot, today)
        await run_in_threadpool(sync_changes, desk)
        try:
            # One merged on GitHub itself is already a record of main, not waiting any more.
            proposals = [p for p in await run_in_threadpool(desk.proposals.waiting)
                         if p.id not in snapshot.repo.issues]
        except YishiError as exc:
            log.warning("listing the open proposals failed: %s", exc)
            proposals = []
        waiting = desk.changes.open()
        me = session.account.name
        council = snapshot.repo.council
        return web.page("todo.html", session, todo=lists, today=today, shown=SHOWN,
                        proposals=proposals,
                        limit=council.metrics.screening_days if council else 15,
                        mine=[c for c in waiting if c.requested_by == me],
                        others=[c for c in waiting if c.requested_by != me])

    async def issue(request: Request, session: Session) -> Response:
        issue_id = request.path_params["issue_id"]
        snapshot = await run_in_threadpool(desk.snapshot)
        loaded = snapshot.issue(issue_id)
        if loaded is None:
            return web.not_found(session)
        record = loaded.record
        return web.page("issue.html", session, issue=record, body=loaded.body,
                        references=snapshot.repo.references(issue_id),
                        actions=issue_actions(snapshot.repo, record),
                        operations=issue_forms(allowed_operations(snapshot.repo, issue_id)),
                        changes=desk.changes.about(issue_id),
                        site_url=desk.settings.site_url, notice="")

    async def meeting(request: Request, session: Session) -> Response:
        meeting_id = request.path_params["meeting_id"]
        snapshot = await run_in_threadpool(desk.snapshot)
        loaded = snapshot.meeting(meeting_id)
        if loaded is None:
            return web.not_found(session)
        record = loaded.record
        titles = {i.issue: snapshot.repo.issues[i.issue].record.title
                  for i in record.agenda if i.issue in snapshot.repo.issues}
        operations = ([("record", "记录会议结果")]
                      if any(i.outcome is None for i in record.agenda) else [])
        if record.upcoming and record.agenda:
            operations += [("replan", "调整时间、地点或议程"), ("cancel", "取消议事会")]
        return web.page("meeting.html", session, meeting=record, minutes=loaded.body,
                        titles=titles, today=desk.today(), operations=operations,
                        changes=desk.changes.about(meeting_id))

    async def audit(request: Request, session: Session) -> Response:
        return web.page("audit.html", session, entries=desk.audit.latest(200))

    routes = [
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", web.guarded(logout), methods=["POST"]),
        Route("/healthz", health, methods=["GET"]),
        Route("/", web.guarded(home), methods=["GET"]),
        *operation_routes(web),
        *proposal_routes(web),
        Route("/issues/{issue_id}", web.guarded(issue), methods=["GET"]),
        Route("/meetings/{meeting_id}", web.guarded(meeting), methods=["GET"]),
        Route("/audit", web.guarded(audit, approver=True), methods=["GET"]),
        Mount("/static", StaticFiles(packages=[("yishi.desk", "static")]), name="static"),
    ]
    async def not_found(request: Request, exc: Exception) -> Response:
        return web.error(None, 404, "没有找到", messages.NOT_FOUND)

    async def failed(request: Request, exc: Exception) -> Response:
        # Logged for the operator; the moderator gets a page in Chinese, never a traceback.
        log.exception("desk: %s %s failed", request.method, request.url.path)
        return html(f"<!doctype html><meta charset=utf-8><title>出错了</title>"
                    f"<p>{messages.SERVER_ERROR}</p><p><a href=\"/\">返回待办</a></p>", 500)

    app = Starlette(routes=routes, middleware=[Middleware(AccessLog)],
                    exception_handlers={404: not_found, 405: not_found, Exception: failed})
    app.state.desk = desk
    return app
