"""The desk's pages for residents' new proposals: read one, see its checks and photos, and
(approvers) approve or decline it, or ask for the proposer's contact.

Approving merges the proposal, so it becomes a received issue on the 待办 page; declining
needs a reason, which the intake store keeps for the resident's receipt. Every approval,
decline and contact view is written to the audit log.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..errors import YishiError
from ..forges.changes import FourEyesRefused
from ..site.markup import render_markdown
from .pages import CONTENT_SECURITY_POLICY
from .proposals import MAX_REASON, ProposalGone
from .sessions import Session
from .web import Web

log = logging.getLogger("yishi.desk.proposal_views")

#: Photos are at most this many per proposal (the intake's own limit is lower).
MAX_PHOTOS = 20


def proposal_routes(web: Web) -> list[Route]:
    """The routes of the proposal pages."""
    desk = web.desk

    async def page(request: Request, session: Session, *, notice: str = "", problem: str = "",
                   contact: str | None = None, reason: str = "",
                   status_code: int = 200) -> Response:
        issue_id = request.path_params["issue_id"]
        council = desk.council()
        try:
            view = await run_in_threadpool(desk.proposals.view, issue_id, council)
        except ProposalGone as exc:
            return web.error(session, 404, "没有这项提案", str(exc))
        except YishiError as exc:
            view = None
            problem = problem or str(exc)
        if view is None:
            return web.error(session, 409, "无法读取提案", problem)
        return web.page("proposal.html", session, status_code, proposal=view,
                        body=render_markdown(view.body), notice=notice, problem=problem,
                        contact=contact, reason=reason, max_reason=MAX_REASON)

    async def show(request: Request, session: Session) -> Response:
        return await page(request, session)

    async def photo(request: Request, session: Session) -> Response:
        issue_id, number = request.path_params["issue_id"], request.path_params["number"]
        if not 1 <= number <= MAX_PHOTOS:
            return web.not_found(session)
        try:
            data = await run_in_threadpool(desk.proposals.photo, issue_id, number, desk.council())
        except YishiError:
            data = None
        if data is None:
            return web.not_found(session)
        return Response(data, media_type="image/jpeg", headers={
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": CONTENT_SECURITY_POLICY})

    async def approve(request: Request, session: Session) -> Response:
        issue_id, me = request.path_params["issue_id"], session.account.name
        try:
            await run_in_threadpool(desk.proposals.approve, issue_id, me, desk.council(),
                                    desk.clock())
        except ProposalGone as exc:
            return web.error(session, 404, "没有这项提案", str(exc))
        except FourEyesRefused as exc:
            return await page(request, session, problem=str(exc), status_code=403)
        except YishiError as exc:
            log.warning("approving proposal %s failed: %s", issue_id, exc)
            return await page(request, session, problem=f"没有批准成功:{exc}", status_code=409)
        desk.audit.record(desk.clock(), me, "proposal_approve", issue_id)
        return web.page("proposal_done.html", session, issue_id=issue_id, approved=True,
                        local=desk.workflow.local is not None)

    async def decline(request: Request, session: Session) -> Response:
        issue_id, me = request.path_params["issue_id"], session.account.name
        reason = " ".join(str(request.state.form.get("reason") or "").split())
        if not reason or len(reason) > MAX_REASON:
            problem = ("请填写退回原因(reason):居民会在回执上看到它。" if not reason else
                       f"退回原因(reason)最多 {MAX_REASON} 字,现在是 {len(reason)} 字。")
            return await page(request, session, problem=problem, reason=reason, status_code=422)
        try:
            await run_in_threadpool(desk.proposals.decline, issue_id, reason, desk.council(),
                                    desk.clock())
        except ProposalGone as exc:
            return web.error(session, 404, "没有这项提案", str(exc))
        except YishiError as exc:
            log.warning("declining proposal %s failed: %s", issue_id, exc)
            return await page(request, session, problem=f"没有退回成功:{exc}", reason=reason,
                              status_code=409)
        desk.audit.record(desk.clock(), me, "proposal_decline", issue_id)
        return web.page("proposal_done.html", session, issue_id=issue_id, approved=False,
                        reason=reason)

    async def contact(request: Request, session: Session) -> Response:
        issue_id = request.path_params["issue_id"]
        try:
            await run_in_threadpool(desk.proposals.files, issue_id, desk.council())
        except YishiError as exc:
            return web.error(session, 404, "没有这项提案", str(exc))
        found = await run_in_threadpool(desk.contact, issue_id)
        desk.audit.record(desk.clock(), session.account.name, "contact_view", issue_id)
        return await page(request, session, contact=found or "",
                          notice="联系方式仅供办理提案使用,本次查看已记入审计日志。")

    base = "/proposals/{issue_id}"
    return [
        Route(base, web.guarded(show), methods=["GET"]),
        Route(base + "/photos/{number:int}", web.guarded(photo), methods=["GET"]),
        Route(base + "/approve", web.guarded(approve, approver=True), methods=["POST"]),
        Route(base + "/decline", web.guarded(decline, approver=True), methods=["POST"]),
        Route(base + "/contact", web.guarded(contact, approver=True), methods=["POST"]),
    ]
