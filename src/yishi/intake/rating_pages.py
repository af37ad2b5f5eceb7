"""The rating page a resident reaches from the link in the last notice: one short form,
and a plain Chinese page for a link that is used, forged or expired."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..council import Council
from .formdata import TooLarge, parse_form, read_body
from .pages import CONTENT_SECURITY_POLICY, environment
from .ratings import SATISFACTION_LABELS, Invitation, LinkState, Ratings, Satisfaction
from .store import Store
from .submission import Invalid, clean

#: The answer to a link that cannot be used, with its status code.
REFUSED = {
    LinkState.USED: (409, "已经评价过了", "这个评价链接已经使用过,每条链接只能评价一次。感谢您的反馈!"),
    LinkState.EXPIRED: (410, "评价链接已过期",
                        "这个评价链接已经过期。如仍想反馈意见,请联系社区议事会工作人员。"),
    LinkState.FORGED: (404, "评价链接无效",
                       "这个评价链接无效,可能复制时不完整。请从通知中完整复制链接后再打开。"),
}
THANKS = "感谢您的评价!统计结果会在提案页面公开,您的意见只有议事会工作人员能看到。"
CHOOSE = "请选择“满意”“基本满意”或“不满意”。"
MAX_RATING_BODY = 16 * 1024

Clock = Callable[[], datetime]


def rating_routes(store: Store, council: Council, clock: Clock,
                  site_url: str | None = None) -> list[Route]:
    """``GET`` and ``POST /rate/<token>``, bound to one store."""
    ratings = Ratings(store)
    env = environment()

    def html(text: str, status_code: int = 200) -> HTMLResponse:
        return HTMLResponse(text, status_code, headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store",
            # The token is a personal capability: it must not leave in a Referer.
            "Referrer-Policy": "no-referrer"})

    def message(heading: str, text: str, status_code: int, issue_id: str | None = None) -> Response:
        link = f"{site_url.rstrip('/')}/issues/{issue_id}/" if site_url and issue_id else None
        return html(env.get_template("message.html").render(
            council=council, heading=heading, text=text, link=link), status_code)

    def form(request: Request, invitation: Invitation, error: str | None = None) -> Response:
        try:
            title = store.content(invitation.issue_id)[0].title
        except KeyError:
            title = invitation.issue_id
        return html(env.get_template("rate.html").render(
            council=council, title=title, issue_id=invitation.issue_id, error=error,
            action=request.url.path,
            choices=[(s.value, text) for s, text in SATISFACTION_LABELS.items()]),
            422 if error else 200)

    def refused(state: LinkState) -> Response:
        status_code, heading, text = REFUSED[state]
        return message(heading, text, status_code)

    async def show(request: Request) -> Response:
        found = await run_in_threadpool(ratings.check, request.path_params["token"],
                                        now=clock().timestamp())
        if not isinstance(found, Invitation):
            return refused(found)
        return await run_in_threadpool(form, request, found)

    async def rate(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            body = await read_body(request.stream(), MAX_RATING_BODY)
            fields = parse_form(request.headers.get("content-type", ""), body).fields
        except (TooLarge, Invalid):
            fields = {}
        try:
            satisfaction = Satisfaction(fields.get("satisfaction", ""))
        except ValueError:
            found = await run_in_threadpool(ratings.check, token, now=clock().timestamp())
            if not isinstance(found, Invitation):
                return refused(found)
            return await run_in_threadpool(form, request, found, CHOOSE)
        resolved = {"yes": True, "no": False}.get(fields.get("resolved", ""))
        comment = clean(fields.get("comment", ""), multiline=True)
        outcome = await run_in_threadpool(ratings.rate, token, satisfaction, resolved, comment,
                                          now=clock().timestamp())
        if not isinstance(outcome, Invitation):
            return refused(outcome)
        return message("评价已提交", THANKS, 200, outcome.issue_id)

    return [Route("/rate/{token}", show, methods=["GET"]),
            Route("/rate/{token}", rate, methods=["POST"])]
