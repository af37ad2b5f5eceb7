"""The desk's forms end to end over HTTP against a real records repository and local forge:
preview, confirm, four-eyes approval, refusals beside their field, concurrent screening,
escaping, and the contact view."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_support import (
    CRITERIA,
    RECEIVED,
    LiveDesk,
    csrf_of,
    form_values,
    live_desk,
    login,
    post,
    submit,
)
from intake_support import GIT_ENV, YISHI, git
from yishi.testing.static_site import serve_directory

GIT_ENVIRON = {**os.environ, **GIT_ENV}


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveDesk]:
    # The public site: an empty folder on loopback (nothing is built, so nothing is published).
    (tmp_path / "public").mkdir()
    with serve_directory(tmp_path / "public") as site_url, \
            live_desk(tmp_path, site_url=site_url) as served:
        yield served


def meeting_of(live: LiveDesk, change_id: str) -> str:
    """The meeting a plan change made (its subject)."""
    change = live.desk.changes.get(change_id)
    assert change is not None and change.operation == "plan"
    return change.subject


def main_file(live: LiveDesk, path: str) -> str:
    return git(live.root, "show", f"main:{path}")


def test_screening_is_previewed_sent_and_merged_only_by_another_approver(live: LiveDesk) -> None:
    amy, bo = login(live, "amy"), login(live, "bo")
    page = amy.get(f"/issues/{RECEIVED}")
    assert f"/issues/{RECEIVED}/screen" in page.text and "/close" not in page.text
    accept = {"decision": "accept", "criteria": CRITERIA, "note": "四性齐备"}
    preview = post(amy, f"/issues/{RECEIVED}/screen", {**accept, "step": "preview"})
    assert "已受理" in preview.text or "accepted" in preview.text
    before = main_file(live, f"content/issues/{RECEIVED}.md")
    change_id = submit(amy, f"/issues/{RECEIVED}/screen", accept)
    # Nothing is published before a second moderator approves.
    assert main_file(live, f"content/issues/{RECEIVED}.md") == before
    shown = amy.get(f"/changes/{change_id}")
    assert "等待审核" in shown.text and "四眼原则" in shown.text and "批准并合并" not in shown.text
    assert change_id in bo.get("/").text  # on the approver's 待办
    # The moderator who asked cannot approve, even by posting to the URL.
    refused = post(amy, f"/changes/{change_id}/approve", {})
    assert refused.status_code == 403 and "只对审核人开放" in refused.text
    approved = post(bo, f"/changes/{change_id}/approve", {})
    assert approved.status_code == 200 and "已批准并合并" in approved.text
    assert f'{live.desk.settings.site_url}issues/{RECEIVED}/' in approved.text
    assert "已批准,等待网站下次构建" in approved.text
    assert "status: accepted" in main_file(live, f"content/issues/{RECEIVED}.md")
    # The desk's own page follows the branch at once.
    assert "已受理" in amy.get(f"/issues/{RECEIVED}").text
    # The issue now offers what an accepted proposal allows, and not closing.
    after = amy.get(f"/issues/{RECEIVED}")
    assert f"/issues/{RECEIVED}/plan" in after.text and f"/issues/{RECEIVED}/close" not in after.text
    assert amy.get(f"/issues/{RECEIVED}/close").status_code == 404


def test_an_approver_cannot_approve_their_own_change(live: LiveDesk) -> None:
    bo = login(live, "bo")
    change_id = submit(bo, f"/issues/{RECEIVED}/screen",
                       {"decision": "accept", "criteria": CRITERIA})
    page = bo.get(f"/changes/{change_id}")
    assert "批准并合并" not in page.text
    refused = post(bo, f"/changes/{change_id}/approve", {})
    assert refused.status_code == 403 and "四眼原则" in refused.text
    assert "status: received" in main_file(live, f"content/issues/{RECEIVED}.md")


def test_refusals_appear_beside_their_field(live: LiveDesk) -> None:
    amy = login(live, "amy")
    missing = post(amy, f"/issues/{RECEIVED}/screen",
                   {"decision": "accept", "criteria": CRITERIA[:3], "step": "preview"})
    assert missing.status_code == 422 and "未勾选:可行性" in missing.text
    assert 'id="criteria-error"' in missing.text
    no_reason = post(amy, f"/issues/{RECEIVED}/screen",
                     {"decision": "reject", "criteria": CRITERIA[:3], "step": "preview"})
    assert 'id="reason-error"' in no_reason.text
    # The operation's own refusal (an encouraged-list item that does not exist).
    bad_item = post(amy, f"/issues/{RECEIVED}/screen",
                    {"decision": "accept", "criteria": CRITERIA, "encouraged": "99",
                     "step": "preview"})
    assert bad_item.status_code == 422 and 'id="encouraged-error"' in bad_item.text
    assert "第 99 项" in bad_item.text
    # What was typed is kept.
    assert "checked" in bad_item.text


def test_two_moderators_screening_at_once_never_overwrite(live: LiveDesk) -> None:
    amy, ben, bo = login(live, "amy"), login(live, "ben"), login(live, "bo")
    accept = {"decision": "accept", "criteria": CRITERIA}
    reject = {"decision": "reject", "criteria": CRITERIA[:3], "reason": "社区暂无条件"}
    # Both open the form and preview on the same records.
    assert post(amy, f"/issues/{RECEIVED}/screen", {**accept, "step": "preview"}).status_code == 200
    assert post(ben, f"/issues/{RECEIVED}/screen", {**reject, "step": "preview"}).status_code == 200
    first = submit(amy, f"/issues/{RECEIVED}/screen", accept)
    second = post(ben, f"/issues/{RECEIVED}/screen", {**reject, "step": "confirm"})
    assert second.status_code == 422
    assert "amy已提交了涉及同一记录的变更" in second.text and first in second.text
    post(bo, f"/changes/{first}/approve", {})
    # After the approval, the records say accepted: rejecting now is refused, with why.
    late = post(ben, f"/issues/{RECEIVED}/screen", {**reject, "step": "confirm"})
    assert late.status_code == 422 and "已受理" in late.text
    assert "status: accepted" in main_file(live, f"content/issues/{RECEIVED}.md")


def test_script_typed_into_a_decision_is_escaped_on_the_desk(live: LiveDesk) -> None:
    amy, bo = login(live, "amy"), login(live, "bo")
    post(bo, f"/changes/{submit(amy, f'/issues/{RECEIVED}/screen', {'decision': 'accept', 'criteria': CRITERIA})}/approve", {})
    plan = submit(amy, "/meetings/new", {
        "date": "2026-12-05", "time": "19:00", "place": "社区活动室", "level": "community",
        "community": "shengye", "convener": "社区党委", "agenda": [RECEIVED]})
    post(bo, f"/changes/{plan}/approve", {})
    meeting_id = meeting_of(live, plan)
    live.clock.advance(6 * 86400)
    amy = login(live, "amy")  # the day of the meeting: a new login
    script = '<script>alert("x")</script>增设充电桩'
    record = post(amy, f"/meetings/{meeting_id}/record", {
        "party.residents_committee": "2", "party.resident_reps": "9",
        "agenda0.outcome": "decided", "agenda0.decision": script,
        "agenda0.vote.for": "9", "agenda0.vote.against": "1", "agenda0.vote.abstain": "1",
        "agenda0.vote.eligible": "11", "agenda0.vote.threshold": "0.5",
        "agenda0.action0.what": "增设 20 个充电口", "agenda0.action0.responsible": "property",
        "agenda0.action0.due": "2027-01-31", "minutes": "会议纪要", "step": "preview"})
    assert record.status_code == 200, record.text
    assert "<script>alert" not in record.text and "&lt;script&gt;" in record.text
    # The yishi diff summary is rendered (headings, tables), not shown as raw markdown.
    preview = record.text.split('<div class="preview">', 1)[1].split("</div>", 1)[0]
    assert "<h3>" in preview and "<table>" in preview and "## " not in preview
    assert "&lt;script&gt;alert" in preview and "<script" not in preview


def test_impossible_vote_arithmetic_is_refused_on_the_server(live: LiveDesk) -> None:
    amy, bo = login(live, "amy"), login(live, "bo")
    post(bo, f"/changes/{submit(amy, f'/issues/{RECEIVED}/screen', {'decision': 'accept', 'criteria': CRITERIA})}/approve", {})
    plan = submit(amy, "/meetings/new", {
        "date": "2026-12-05", "place": "活动室", "level": "community", "community": "shengye",
        "convener": "社区党委", "agenda": [RECEIVED]})
    post(bo, f"/changes/{plan}/approve", {})
    meeting_id = meeting_of(live, plan)
    live.clock.advance(6 * 86400)
    amy = login(live, "amy")  # the day of the meeting: a new login
    form = amy.get(f"/meetings/{meeting_id}/record")
    assert form.status_code == 200 and "/static/desk.js" in form.text
    bad = post(amy, f"/meetings/{meeting_id}/record", {
        "party.resident_reps": "9", "agenda0.outcome": "decided", "agenda0.decision": "增设",
        "agenda0.vote.for": "9", "agenda0.vote.against": "3", "agenda0.vote.abstain": "0",
        "agenda0.vote.eligible": "10", "step": "preview"})
    assert bad.status_code == 422 and 'id="agenda0.vote-error"' in bad.text
    assert "多于有表决权的 10 人" in bad.text


def test_contacts_are_for_approvers_on_request_and_logged(live: LiveDesk, tmp_path: Path) -> None:
    from yishi.desk.audit import AuditLog

    amy, bo = login(live, "amy"), login(live, "bo")
    assert "查看联系方式" not in amy.get(f"/issues/{RECEIVED}").text
    assert post(amy, f"/issues/{RECEIVED}/contact", {}).status_code == 403
    page = bo.get(f"/issues/{RECEIVED}")
    assert "查看联系方式" in page.text
    shown = post(bo, f"/issues/{RECEIVED}/contact", {})
    assert shown.status_code == 200 and "已记入审计日志" in shown.text
    entries = AuditLog(live.desk.db).latest()
    assert any(e.action == "contact_view" and e.actor == "bo" and e.subject == RECEIVED
               for e in entries)


CSV_HEADER = "title,description,community,category,submitted,channel\n"


def test_paper_proposals_import_with_every_bad_row_listed(live: LiveDesk) -> None:
    amy, bo = login(live, "amy"), login(live, "bo")
    token = csrf_of(amy.get("/import").text)
    bad = (CSV_HEADER + "楼道灯不亮,三楼楼道灯坏了,shengye,amenities,2026-11-20,mailbox\n"
           ",没有标题,shengye,amenities,2026-11-20,mailbox\n"
           "停车难,晚上没有车位,nowhere,parking,2026-11-20,mailbox\n")
    refused = amy.post("/import", data={"csrf": token, "step": "preview"},
                       files={"csv": ("信箱.csv", bad.encode("utf-8-sig"), "text/csv")})
    assert refused.status_code == 422
    assert "信箱.csv:3: title" in refused.text and "信箱.csv:4: community" in refused.text
    assert "信箱.csv:2" not in refused.text
    good = CSV_HEADER + "楼道灯不亮,三楼楼道灯坏了,shengye,amenities,2026-11-20,mailbox\n"
    preview = amy.post("/import", data={"csrf": token, "step": "preview"},
                       files={"csv": ("信箱.csv", good.encode("utf-8-sig"), "text/csv")})
    assert preview.status_code == 200 and "楼道灯不亮" in preview.text
    # The confirm step posts the CSV back from the preview's hidden field.
    text = re.search(r'name="csv_text" value="([^"]*)"', preview.text)
    assert text, preview.text
    done = amy.post("/import", data={"csrf": token, "step": "confirm",
                                     "csv_text": html.unescape(text.group(1))})
    assert done.status_code == 303
    change_id = done.headers["location"].removeprefix("/changes/")
    post(bo, f"/changes/{change_id}/approve", {})
    imported = [p for p in git(live.root, "ls-tree", "--name-only", "main:content/issues/").split()
                if "楼道灯不亮" in main_file(live, f"content/issues/{p}")]
    assert len(imported) == 1
    record = main_file(live, f"content/issues/{imported[0]}")
    assert "channel: mailbox" in record and "amy" not in record  # the proposer is not amy


def test_a_gbk_csv_gets_a_clear_message(live: LiveDesk) -> None:
    amy = login(live, "amy")
    token = csrf_of(amy.get("/import").text)
    data = (CSV_HEADER + "楼道灯不亮,三楼楼道灯坏了,shengye,amenities,2026-11-20,mailbox\n")
    answer = amy.post("/import", data={"csrf": token, "step": "preview"},
                      files={"csv": ("gbk.csv", data.encode("gbk"), "text/csv")})
    assert answer.status_code == 422 and "CSV UTF-8" in answer.text


def test_escalation_and_follow_up_refusals_name_their_field(live: LiveDesk) -> None:
    amy = login(live, "amy")
    # 2026-0805-cp3n is decided with actions: follow-up is offered, escalation is not.
    page = amy.get("/issues/2026-0805-cp3n")
    assert "/issues/2026-0805-cp3n/follow-up" in page.text
    assert amy.get("/issues/2026-0805-cp3n/escalate").status_code == 404
    no_note = post(amy, "/issues/2026-0805-cp3n/follow-up",
                   {"kind": "note", "action": "1", "step": "preview"})
    assert no_note.status_code == 422 and 'id="note-error"' in no_note.text
    no_action = post(amy, "/issues/2026-0805-cp3n/follow-up",
                     {"kind": "done", "action": "9", "done": "2026-11-29", "step": "preview"})
    assert no_action.status_code == 422 and 'id="action-error"' in no_action.text


def test_a_planned_meeting_is_changed_then_cancelled(live: LiveDesk) -> None:
    amy, bo = login(live, "amy"), login(live, "bo")
    meeting = "2026-1208-sy6h"
    page = amy.get(f"/meetings/{meeting}")
    assert f"/meetings/{meeting}/replan" in page.text and f"/meetings/{meeting}/cancel" in page.text
    form = amy.get(f"/meetings/{meeting}/replan")
    assert form.status_code == 200 and "调整议事会" in form.text
    values = form_values(form.text)
    assert values["place"] == "盛业家园社区议事厅" and values["agenda"]
    unchanged = post(amy, f"/meetings/{meeting}/replan", {**values, "step": "preview"})
    assert unchanged.status_code == 422 and "没有改动" in unchanged.text
    change = submit(amy, f"/meetings/{meeting}/replan", {**values, "place": "社区二楼会议室"})
    post(bo, f"/changes/{change}/approve", {})
    assert "社区二楼会议室" in main_file(live, f"content/meetings/{meeting}.md")
    empty = post(amy, f"/meetings/{meeting}/cancel", {"reason": "", "step": "preview"})
    assert 'id="reason-error"' in empty.text
    cancel = submit(amy, f"/meetings/{meeting}/cancel", {"reason": "台风预警,暂停集会"})
    post(bo, f"/changes/{cancel}/approve", {})
    record = main_file(live, f"content/meetings/{meeting}.md")
    assert "已取消" in record and "台风预警" in record


def test_changes_made_on_the_command_line_are_approved_on_the_desk_and_back(
        live: LiveDesk) -> None:
    bo = login(live, "bo")
    made = subprocess.run(
        [YISHI, "council", "screen", RECEIVED, "--accept", "--root", str(live.root),
         "--by", "王主持", "--main-branch", "main"], capture_output=True, text=True, env=GIT_ENVIRON)
    assert made.returncode == 0, made.stderr
    change_id = made.stdout.strip().splitlines()[-1]
    todo_page = bo.get("/")
    assert change_id in todo_page.text and "王主持 提交" in todo_page.text
    page = bo.get(f"/changes/{change_id}")
    assert "批准并合并" in page.text and "已受理" in page.text  # its yishi diff summary
    post(bo, f"/changes/{change_id}/approve", {})
    assert "status: accepted" in main_file(live, f"content/issues/{RECEIVED}.md")
    # The other way: sent from the desk, approved with `yishi review approve`.
    amy = login(live, "amy")
    plan = submit(amy, "/meetings/new", {
        "date": "2026-12-05", "place": "活动室", "level": "community", "community": "shengye",
        "convener": "社区党委", "agenda": [RECEIVED]})
    assert plan in amy.get("/").text
    approved = subprocess.run(
        [YISHI, "review", "approve", plan, "--repo", str(live.root), "--by", "王主持",
         "--main-branch", "main"], capture_output=True, text=True, env=GIT_ENVIRON)
    assert approved.returncode == 0, approved.stderr
    assert plan not in amy.get("/").text.split('id="mine"')[1]
    assert "已批准并合并" in amy.get(f"/changes/{plan}").text
