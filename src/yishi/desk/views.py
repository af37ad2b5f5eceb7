"""The operation forms and the changes they make: edit → preview → confirm → the forge.

A form's POST carries ``step``: ``preview`` makes the change set and shows its ``yishi diff``
summary with the typed values kept in hidden fields; ``edit`` goes back to the form with
them; ``confirm`` makes the change set again on the records as they are now and opens it on
the forge, unless another open change already writes one of its files (then the moderator
is told whose change it is: a change is never silently overwritten). Approving and
declining are for approvers, never for the moderator who asked (four eyes).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import YishiError
from ..forges.base import ProposalState
from ..forges.changes import ChangeConflict, FourEyesRefused
from ..ids import ID_RE
from ..loading import Repository
from ..operations import CsvRefused, allowed_operations, import_paper_proposals
from ..operations.changeset import ChangeSet, OperationRefused
from ..records import OUTCOME_LABELS
from . import forms
from .changes import STATE_LABELS, ChangeState, SentChange
from .forms import FormRefused, Values
from .sessions import CSRF_FIELD, Session
from .snapshot import Snapshot
from .todo import issue_actions
from .web import Desk, Web

log = logging.getLogger("yishi.desk.views")

#: Candidates listed on the plan form (the oldest first).
MAX_CANDIDATES = 200

Make = Callable[[Repository, str, Values, str, dt.date], ChangeSet]


@dataclass(frozen=True)
class FormSpec:
    """One operation form: its template, the record kind it is about, how it makes a change."""

    template: str
    kind: str  # "issues", "meetings" or "" (no record: planning, import)
    operation: str  # the name allowed_operations uses ("" when not issue-bound)
    make: Make
    #: The values the form starts with (a planned meeting's own fields, to change them).
    defaults: Callable[[Repository, str], dict[str, list[str]]] | None = None


def _values(request: Request) -> dict[str, list[str]]:
    """The submitted fields (not the CSRF token or the step), as lists of values."""
    values: dict[str, list[str]] = {}
    for key, value in request.state.form.multi_items():
        if key in (CSRF_FIELD, "step") or isinstance(value, UploadFile):
            continue
        values.setdefault(key, []).append(value)
    return values


def _flat(values: Values) -> list[tuple[str, str]]:
    return [(key, value) for key, items in values.items() for value in items]


SPECS: dict[str, FormSpec] = {
    "screen": FormSpec("screen.html", "issues", "screen",
                       lambda r, i, v, by, on: forms.make_screen(r, i, v, by=by, on=on)),
    "escalate": FormSpec("escalate.html", "issues", "escalate",
                         lambda r, i, v, by, on: forms.make_escalate(r, i, v, by=by, on=on)),
    "follow-up": FormSpec("follow_up.html", "issues", "follow_up",
                          lambda r, i, v, by, on: forms.make_follow_up(r, i, v, by=by, on=on)),
    "close": FormSpec("close.html", "issues", "close_issue",
                      lambda r, i, v, by, on: forms.make_close(r, i, v, by=by, on=on)),
    "feedback": FormSpec("feedback.html", "issues", "record_feedback",
                         lambda r, i, v, by, on: forms.make_feedback(r, i, v, by=by, on=on)),
    "record": FormSpec("record.html", "meetings", "",
                       lambda r, i, v, by, on: forms.make_record(r, i, v, by=by, on=on)),
    "plan": FormSpec("plan.html", "", "",
                     lambda r, i, v, by, on: forms.make_plan(r, v, by=by, on=on)),
    "replan": FormSpec("plan.html", "meetings", "",
                       lambda r, i, v, by, on: forms.make_replan(r, i, v, by=by, on=on),
                       defaults=forms.meeting_values),
    "cancel": FormSpec("cancel.html", "meetings", "",
                       lambda r, i, v, by, on: forms.make_cancel(r, i, v, by=by, on=on)),
}


def operation_routes(web: Web) -> list[Route]:
    """The routes of every operation form, the changes, and the contact view."""
    desk = web.desk
    specs = {**SPECS, "feedback": FormSpec(
        "feedback.html", "issues", "record_feedback",
        lambda r, i, v, by, on: forms.make_feedback(r, i, v, by=by, on=on,
                                                    ratings=desk.ratings(i)),
        defaults=lambda r, i: forms.feedback_values(desk.ratings(i)))}

    def context(snapshot: Snapshot, spec: FormSpec, target: str) -> dict[str, Any]:
        """What a form's template needs besides values and errors."""
        repo = snapshot.repo
        if spec.kind == "issues":
            issue = repo.issues[target].record
            found: dict[str, Any] = {"issue": issue, "actions": issue_actions(repo, issue)}
            if spec.operation == "record_feedback":
                found["ratings"] = desk.ratings(target)
            return found
        if spec.kind == "meetings" and spec.template == "plan.html":
            meeting = repo.meetings[target].record
            on_agenda = [repo.issues[i.issue].record for i in meeting.agenda
                         if i.issue in repo.issues]
            rest = [i for i in _candidates(snapshot) if i.id not in {x.id for x in on_agenda}]
            return {"meeting": meeting, "action": f"/meetings/{target}/replan",
                    "candidates": on_agenda + rest[:MAX_CANDIDATES], "more": False}
        if spec.kind == "meetings":
            meeting = repo.meetings[target].record
            return {"meeting": meeting,
                    "items": [i for i in meeting.agenda if i.outcome is None],
                    "titles": {i.issue: repo.issues[i.issue].record.title
                               for i in meeting.agenda if i.issue in repo.issues},
                    "outcomes": list(OUTCOME_LABELS.items())[:4],
                    "thresholds": forms.THRESHOLDS, "action_rows": forms.ACTION_ROWS}
        candidates = _candidates(snapshot)
        return {"action": "/meetings/new", "candidates": candidates[:MAX_CANDIDATES],
                "more": len(candidates) > MAX_CANDIDATES}

    def form_page(session: Session, spec: FormSpec, snapshot: Snapshot, target: str,
                  values: Values, errors: dict[str, str], status_code: int = 200) -> Response:
        return web.page(spec.template, session, status_code, values=values, errors=errors,
                        one=lambda name: forms.one(values, name),
                        many=lambda name: list(values.get(name) or []),
                        **context(snapshot, spec, target))

    def target_of(request: Request, spec: FormSpec, snapshot: Snapshot) -> str | None:
        """The record the form is about, when it exists and the form applies to it now."""
        if not spec.kind:
            return ""
        target = str(request.path_params["record_id"])
        if not ID_RE.match(target):
            return None
        repo = snapshot.repo
        if spec.kind == "issues":
            if target not in repo.issues:
                return None
            allowed = allowed_operations(repo, target)
            names = {"screen" if a.startswith("screen_") else a for a in allowed}
            return target if spec.operation in names else None
        meeting = repo.meetings.get(target)
        if meeting is None or all(i.outcome is not None for i in meeting.record.agenda):
            return None
        return target

    def handler(name: str) -> Callable[[Request, Session], Awaitable[Response]]:
        spec = specs[name]

        async def endpoint(request: Request, session: Session) -> Response:
            snapshot = await run_in_threadpool(desk.snapshot)
            target = target_of(request, spec, snapshot)
            if target is None:
                return web.error(session, 404, "不能办理",
                                 "没有这条记录,或它当前的状态不允许这项操作。")
            if request.method == "GET":
                values = (spec.defaults(snapshot.repo, target) if spec.defaults else
                          {k: request.query_params.getlist(k) for k in request.query_params})
                return form_page(session, spec, snapshot, target, values, {})
            values = _values(request)
            step = str(request.state.form.get("step") or "preview")
            if step == "edit":
                return form_page(session, spec, snapshot, target, values, {})
            return await make_and_send(request, session, snapshot, step, values,
                                       lambda repo, on: spec.make(repo, target, values,
                                                                  session.account.name, on),
                                       lambda errors: form_page(session, spec, snapshot,
                                                                target, values, errors, 422))

        return endpoint

    async def make_and_send(request: Request, session: Session, snapshot: Snapshot, step: str,
                            values: Values, make: Callable[[Repository, dt.date], ChangeSet],
                            refused: Callable[[dict[str, str]], Response]) -> Response:
        """Preview the change, or (confirmed) open it on the forge and show where it stands."""
        on = desk.today()
        try:
            change = await run_in_threadpool(make, snapshot.repo, on)
        except FormRefused as exc:
            return refused(exc.errors)
        if step != "confirm":
            preview = await run_in_threadpool(desk.workflow.preview, change, snapshot)
            return web.page("preview.html", session, change=change, preview=preview,
                            values=_flat(values), action=request.url.path)
        busy = desk.changes.open_touching(set(change.files))
        if busy:
            other = busy[0]
            who = "你" if other.requested_by == session.account.name else other.requested_by
            return refused({"change": (
                f"{who}已提交了涉及同一记录的变更“{other.summary}”(编号 {other.id}),"
                "正在等待审核。为免覆盖,请待审核人处理后再办理;"
                "届时表单会按最新的记录重新检查。")})
        try:
            submitted = await run_in_threadpool(desk.workflow.submit, change, snapshot)
        except ChangeConflict as exc:
            return refused({"change": str(exc)})
        except OperationRefused as exc:
            return refused({forms.field_of(exc): exc.message})
        except YishiError as exc:
            log.error("sending a change failed: %s", exc)
            return refused({"change": f"变更没有提交成功,请稍后再试。({exc})"})
        sent = submitted.change
        preview = await run_in_threadpool(desk.workflow.preview, sent, desk.snapshot())
        desk.changes.add(id=sent.id, operation=sent.operation, subject=sent.subject,
                         summary=sent.summary, requested_by=session.account.name,
                         now=desk.clock(), paths=tuple(sorted(sent.files)),
                         url=submitted.ref.url, preview=preview)
        desk.audit.record(desk.clock(), session.account.name, f"change_{sent.operation}", sent.id)
        return RedirectResponse(f"/changes/{sent.id}", 303)

    async def import_form(request: Request, session: Session) -> Response:
        snapshot = await run_in_threadpool(desk.snapshot)
        if request.method == "GET":
            return web.page("import.html", session, errors={}, row_errors=[])
        form = request.state.form
        upload = form.get("csv")
        text = ""
        if isinstance(upload, UploadFile):
            data = await upload.read()
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                return web.page("import.html", session, 422, row_errors=[], errors={
                    "csv": "文件不是 UTF-8 编码:请在 Excel 中“另存为 CSV UTF-8(逗号分隔)”后再上传。"})
        else:
            text = str(form.get("csv_text") or "")
        if not text.strip():
            return web.page("import.html", session, 422, row_errors=[],
                            errors={"csv": "请选择要导入的 CSV 文件。"})
        step = str(form.get("step") or "preview")
        name = upload.filename if isinstance(upload, UploadFile) and upload.filename else "import.csv"

        def make(repo: Repository, on: dt.date) -> ChangeSet:
            try:
                return import_paper_proposals(repo, text.encode("utf-8"), by=session.account.name,
                                              on=on, name=name)
            except CsvRefused as exc:
                raise FormRefused({"csv": "\n".join(exc.errors)}) from None
            except OperationRefused as exc:
                raise FormRefused({"csv": exc.message}) from None

        def refused(errors: dict[str, str]) -> Response:
            rows = errors.get("csv", "").splitlines()
            return web.page("import.html", session, 422, errors={}, row_errors=rows or
                            list(errors.values()))

        return await make_and_send(request, session, snapshot, step, {"csv_text": [text]},
                                   make, refused)

    async def change_page(request: Request, session: Session, *, notice: str = "",
                          problem: str = "", status_code: int = 200) -> Response:
        change = desk.changes.get(request.path_params["change_id"])
        if change is None:
            return web.not_found(session)
        change = await run_in_threadpool(_sync_state, change)
        pull = None
        if desk.workflow.pulls is not None and change.url.startswith("http"):
            try:
                pull = await run_in_threadpool(desk.workflow.pull, change.url)
            except YishiError as exc:
                problem = problem or str(exc)
        public = _public(change)
        published = (public is not None and change.state is ChangeState.APPROVED
                     and await run_in_threadpool(desk.is_published, *public))
        return web.page("change.html", session, status_code, change=change, pull=pull,
                        local=desk.workflow.local is not None,
                        state_label=STATE_LABELS[change.state], preview=change.preview,
                        notice=notice, problem=problem,
                        pull_url=change.url if change.url.startswith("http") else "",
                        public_url=desk.public_url(*public) if public else None,
                        published=published)

    def _public(change: SentChange) -> tuple[str, str] | None:
        """The kind and id of the record whose public page shows the change."""
        kind = "meetings" if change.operation in ("plan", "replan", "cancel", "record") else "issues"
        if change.operation == "import":
            return None
        return kind, change.subject

    def _sync_state(change: SentChange) -> SentChange:
        """Pick up what happened on the forge (merged or closed there, e.g. on GitHub)."""
        if change.state is not ChangeState.OPEN:
            return change
        try:
            ref = desk.workflow.state(change.id)
        except YishiError:
            return change
        if ref is not None and ref.state is not ProposalState.OPEN:
            state = (ChangeState.APPROVED if ref.state is ProposalState.MERGED
                     else ChangeState.DECLINED)
            desk.changes.decide(change.id, state, change.decided_by, desk.clock())
            return desk.changes.get(change.id) or change
        return change

    async def show_change(request: Request, session: Session) -> Response:
        return await change_page(request, session)

    async def approve(request: Request, session: Session) -> Response:
        change_id = request.path_params["change_id"]
        change = desk.changes.get(change_id)
        if change is None:
            return web.not_found(session)
        me = session.account.name
        try:
            if change.requested_by == me:
                raise FourEyesRefused(f"四眼原则:变更 {change_id} 由你提出,须由另一位审核人批准。")
            if desk.workflow.local is None:
                await run_in_threadpool(lambda: desk.workflow.merge_pull(
                    change.url, change_id=change_id, approver=me,
                    requested_by=change.requested_by))
                desk.changes.decide(change_id, ChangeState.APPROVED, me, desk.clock())
                desk.audit.record(desk.clock(), me, "merge_pull", change_id)
                return await change_page(request, session,
                                         notice="拉取请求已合并;公开网站下次构建后显示。")
            await run_in_threadpool(desk.workflow.check_four_eyes, change_id, me)
            approved = await run_in_threadpool(desk.workflow.approve, change_id, me)
        except FourEyesRefused as exc:
            desk.audit.record(desk.clock(), me, "approve_refused", change_id)
            return await change_page(request, session, problem=str(exc), status_code=403)
        except (ChangeConflict, YishiError) as exc:
            return await change_page(request, session, problem=str(exc), status_code=409)
        desk.changes.decide(change_id, ChangeState.APPROVED, me, desk.clock())
        desk.audit.record(desk.clock(), me, "approve", change_id)
        notice = ("主分支已包含同样的内容,此变更已视为完成。" if approved.already_done else
                  "已批准并合并到主分支" + ("(已按最新记录重新执行)" if approved.rerun else "")
                  + ";公开网站下次构建后显示。")
        return await change_page(request, session, notice=notice)

    async def decline(request: Request, session: Session) -> Response:
        change_id = request.path_params["change_id"]
        if desk.changes.get(change_id) is None:
            return web.not_found(session)
        try:
            await run_in_threadpool(desk.workflow.decline, change_id)
        except YishiError as exc:
            return await change_page(request, session, problem=str(exc), status_code=409)
        desk.changes.decide(change_id, ChangeState.DECLINED, session.account.name, desk.clock())
        desk.audit.record(desk.clock(), session.account.name, "decline", change_id)
        return await change_page(request, session, notice="已退回,记录没有改变。")

    async def record_redirect(request: Request, session: Session) -> Response:
        """From an issue to the record form of the meeting it is scheduled at."""
        issue_id = request.path_params["record_id"]
        loaded = desk.snapshot().repo.issues.get(issue_id) if ID_RE.match(issue_id) else None
        meeting = loaded.record.timeline[-1].meeting if loaded else None
        if meeting is None:
            return web.not_found(session)
        return RedirectResponse(f"/meetings/{meeting}/record", 303)

    async def change_list(request: Request, session: Session) -> Response:
        await run_in_threadpool(sync_changes, desk)
        return web.page("changes.html", session, changes=desk.changes.open())

    async def contact(request: Request, session: Session) -> Response:
        issue_id = request.path_params["record_id"]
        snapshot = await run_in_threadpool(desk.snapshot)
        loaded = snapshot.repo.issues.get(issue_id) if ID_RE.match(issue_id) else None
        if loaded is None:
            return web.not_found(session)
        found = desk.contact(issue_id)
        desk.audit.record(desk.clock(), session.account.name, "contact_view", issue_id)
        record = loaded.record
        return web.page("issue.html", session, issue=record, body=loaded.body,
                        references=snapshot.repo.references(issue_id),
                        actions=issue_actions(snapshot.repo, record),
                        operations=forms.issue_forms(allowed_operations(snapshot.repo, issue_id)),
                        changes=desk.changes.about(issue_id), site_url=desk.settings.site_url,
                        contact=found or "", notice="联系方式仅供办理提案使用,本次查看已记入审计日志。")

    routes = [
        Route("/issues/{record_id}/contact", web.guarded(contact, approver=True),
              methods=["POST"]),
        Route("/meetings/new", web.guarded(handler("plan")), methods=["GET", "POST"]),
        *(Route(f"/meetings/{{record_id}}/{name}", web.guarded(handler(name)),
                methods=["GET", "POST"]) for name in ("record", "replan", "cancel")),
        Route("/import", web.guarded(import_form), methods=["GET", "POST"]),
        Route("/changes", web.guarded(change_list), methods=["GET"]),
        Route("/changes/{change_id}", web.guarded(show_change), methods=["GET"]),
        Route("/changes/{change_id}/approve", web.guarded(approve, approver=True),
              methods=["POST"]),
        Route("/changes/{change_id}/decline", web.guarded(decline, approver=True),
              methods=["POST"]),
    ]
    for name in ("screen", "escalate", "follow-up", "close", "feedback"):
        routes.append(Route(f"/issues/{{record_id}}/{name}", web.guarded(handler(name)),
                            methods=["GET", "POST"]))
    # "plan" from an issue page: the meeting form with the issue ticked.
    routes.append(Route("/issues/{record_id}/plan", web.guarded(_plan_redirect),
                        methods=["GET"]))
    routes.append(Route("/issues/{record_id}/record", web.guarded(record_redirect),
                        methods=["GET"]))
    return routes


def sync_changes(desk: Desk) -> None:
    """Bring the desk's list of changes in line with the forge: changes opened with
    ``yishi council`` appear (with who asked), and ones approved or declined elsewhere
    (``yishi review``, plain git) leave the waiting lists."""
    try:
        found = desk.workflow.open_changes()
    except YishiError as exc:
        log.warning("listing the forge's changes failed: %s", exc)
        return
    if found is None:
        return
    known = {c.id for c in desk.changes.open()}
    for change in found:
        if desk.changes.get(change.id) is None:
            desk.changes.add(id=change.id, operation=change.operation, subject=change.subject,
                             summary=change.summary, requested_by=change.by, now=desk.clock(),
                             paths=tuple(sorted(change.files)), url=change.branch,
                             preview=desk.workflow.preview(change, desk.snapshot()))
    for change_id in known - {c.id for c in found}:
        ref = desk.workflow.state(change_id)
        if ref is not None and ref.state is not ProposalState.OPEN:
            desk.changes.decide(change_id, ChangeState.APPROVED
                                if ref.state is ProposalState.MERGED else ChangeState.DECLINED,
                                "", desk.clock())


def _candidates(snapshot: Snapshot) -> list[Any]:
    """Accepted and deferred issues, oldest first: a sort of 20,000 issues, once per snapshot."""
    if "candidates" not in snapshot.memo:
        snapshot.memo["candidates"] = sorted(
            (loaded.record for loaded in snapshot.repo.issues.values()
             if loaded.record.status.value in ("accepted", "deferred")),
            key=lambda i: (i.submitted, i.id))
    found: list[Any] = snapshot.memo["candidates"]
    return found


async def _plan_redirect(request: Request, session: Session) -> Response:
    return RedirectResponse(f"/meetings/new?agenda={request.path_params['record_id']}", 303)
