"""The rating page a resident reaches from the link in the last notice: one short form,
and a plain Chinese page for a link that is used, forged or expired."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..council import Council
from .formdata import TooLarge, parse_form, read_body
from .pages import CONTENT_SECURITY_POLICY, environment
from .ratings import SATISFACTION_LABELS, Invitation, LinkState, Ratings, Satisfaction
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


@dataclass(frozen=True)
class RatingPages:
    """What the rating endpoints share, kept on ``app.state.rating_pages``."""

    council: Council
    ratings: Ratings
    clock: Clock
    #: Base URL of the public site, for the link to the rated issue.
    site_url: str | None = None

    def message(self, heading: str, text: str, status_code: int,
                issue_id: str | None = None) -> Response:
        """A plain page saying what happened, linking to the issue when the site is known."""
        site_url = self.site_url
        link = f"{site_url.rstrip('/')}/issues/{issue_id}/" if site_url and issue_id else None
        return html(environment().get_template("message.html").render(
            council=self.council, heading=heading, text=text, link=link), status_code)

    def form(self, request: Request, invitation: Invitation, error: str | None = None) -> Response:
        """The rating form for the invitation's issue, with the error of a first try."""
        try:
            title = self.ratings.store.content(invitation.issue_id)[0].title
        except KeyError:
            title = invitation.issue_id
        return html(environment().get_template("rate.html").render(
            council=self.council, title=title, issue_id=invitation.issue_id, error=error,
            action=request.url.path,
            choices=[(s.value, text) for s, text in SATISFACTION_LABELS.items()]),
            422 if error else 200)

    def refused(self, state: LinkState) -> Response:
        """The page for a link that is used, expired or forged."""
        status_code, heading, text = REFUSED[state]
        return self.message(heading, text, status_code)


def html(text: str, status_code: int = 200) -> HTMLResponse:
    """A rating page: under the content security policy, never cached, never referred."""
    return HTMLResponse(text, status_code, headers={
        "Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store",
        # The token is a personal capability: it must not leave in a Referer.
        "Referrer-Policy": "no-referrer"})


def pages_of(request: Request) -> RatingPages:
    """The rating pages of the application serving ``request``."""
    pages: RatingPages = request.app.state.rating_pages
    return pages


async def show_rating_form(request: Request) -> Response:
    """``GET /rate/<token>``: the form, or why the link cannot be used."""
    pages = pages_of(request)
    found = await run_in_threadpool(pages.ratings.check, request.path_params["token"],
                                    now=pages.clock().timestamp())
    if not isinstance(found, Invitation):
        return pages.refused(found)
    return await run_in_threadpool(pages.form, request, found)


async def rate(request: Request) -> Response:
    """``POST /rate/<token>``: record the rating once, or ask again for a missing choice."""
    pages = pages_of(request)
    ratings, clock = pages.ratings, pages.clock
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
            return pages.refused(found)
        return await run_in_threadpool(pages.form, request, found, CHOOSE)
    resolved = {"yes": True, "no": False}.get(fields.get("resolved", ""))
    comment = clean(fields.get("comment", ""), multiline=True)
    outcome = await run_in_threadpool(ratings.rate, token, satisfaction, resolved, comment,
                                      now=clock().timestamp())
    if not isinstance(outcome, Invitation):
        return pages.refused(outcome)
    return pages.message("评价已提交", THANKS, 200, outcome.issue_id)


#: ``GET`` and ``POST /rate/<token>``; the application provides ``state.rating_pages``.
RATING_ROUTES = [Route("/rate/{token}", show_rating_form, methods=["GET"]),
                 Route("/rate/{token}", rate, methods=["POST"])]
