"""Residents' new proposals on the desk, over HTTP against a real records repository, local
forge and intake store: listed on 待办, read with their checks and photos, approved or
declined (with a reason the receipt shows) by approvers only, every action audit-logged."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_support import LiveDesk, live_desk, login, post
from intake_support import git, jpeg_with_gps
from yishi.council import load_council
from yishi.desk.audit import AuditLog
from yishi.forges.base import Proposal
from yishi.forges.local import LocalForge
from yishi.intake.abuse import RateLimit
from yishi.intake.store import QueueStatus, Store
from yishi.intake.submission import Submission
from yishi.intake.worker import Worker

LAMP = "2026-1129-ab12"
BENCH = "2026-1129-cd34"
BROKEN = "2026-1129-ef56"
SCRIPT = '<script>alert("resident")</script>'


def admit(store: Store, issue_id: str, title: str, description: str,
          photos: list[bytes]) -> None:
    store.admit(Submission(title, description, "shengye", "amenities",
                           contact="wx_private_contact"), photos, client="c",
                now=datetime.now(UTC).timestamp(), new_id=lambda: issue_id, limit=RateLimit())


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveDesk]:
    with live_desk(tmp_path) as served:
        db = tmp_path / "intake.sqlite3"
        served.desk.settings.intake_db = db
        with Store(db) as store:
            admit(store, LAMP, "东门路灯坏了", f"晚上很黑。{SCRIPT}\n请拨 13812345678 联系。",
                  [jpeg_with_gps()])
            admit(store, BENCH, "花园长椅坏了", "长椅断了一条腿。", [])
            worker = Worker(store, LocalForge(served.root, "main"), load_council(served.root),
                            lambda: datetime.now(UTC))
            while worker.step():
                pass
            assert store.get(LAMP).status is QueueStatus.PR_OPEN  # type: ignore[union-attr]
        yield served


def status_of(live: LiveDesk, issue_id: str) -> tuple[QueueStatus, str | None]:
    assert live.desk.settings.intake_db is not None
    with Store(live.desk.settings.intake_db) as store:
        entry = store.get(issue_id)
    assert entry is not None
    return entry.status, entry.decline_reason


def actions(live: LiveDesk) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.subject) for e in AuditLog(live.desk.db).latest()]


def test_new_proposals_are_listed_and_shown_with_their_checks(live: LiveDesk) -> None:
    amy = login(live, "amy")
    todo = amy.get("/").text
    assert "待审核的新提案" in todo
    assert f'href="/proposals/{LAMP}">东门路灯坏了</a>' in todo
    assert f'href="/proposals/{BENCH}">花园长椅坏了</a>' in todo
    page = amy.get(f"/proposals/{LAMP}")
    assert page.status_code == 200
    text = page.text
    council = load_council(live.root)
    assert council.community_names["shengye"] in text
    assert council.category_names["amenities"] in text
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    # The phone number typed into the description: yishi check's problem, and the scan's
    # flag, masked.
    assert 'id="check-problems"' in text and "手机号" in text
    assert 'id="personal-data"' in text and "13*******78" in text
    assert "13812345678" in text  # the description itself is shown whole, for the approver
    bench = amy.get(f"/proposals/{BENCH}").text
    assert 'id="check-ok"' in bench and 'id="personal-ok"' in bench and "照片</dt><dd>0 张" in bench
    assert f'src="/proposals/{LAMP}/photos/1"' in text
    photo = amy.get(f"/proposals/{LAMP}/photos/1")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    forge = LocalForge(live.root, "main")
    assert photo.content == forge.proposal_files(LAMP)[f"content/photos/{LAMP}/1.jpg"]
    assert amy.get(f"/proposals/{LAMP}/photos/2").status_code == 404
    # A moderator reads but does not decide, and sees no contact.
    assert "批准提案" not in text and "wx_private_contact" not in text
    assert post(amy, f"/proposals/{LAMP}/approve", {}).status_code == 403
    assert post(amy, f"/proposals/{LAMP}/decline", {"reason": "重复"}).status_code == 403
    assert post(amy, f"/proposals/{LAMP}/contact", {}).status_code == 403
    assert status_of(live, LAMP)[0] is QueueStatus.PR_OPEN
    assert amy.get("/proposals/2026-1129-zz99").status_code == 404


def test_a_record_with_problems_shows_what_yishi_check_finds(live: LiveDesk) -> None:
    forge = LocalForge(live.root, "main")
    text = f"---\nid: {BROKEN}\ntitle: 没有社区的提案\nstatus: received\n---\n正文\n"
    forge.open_proposal(Proposal(BROKEN, "broken", "", {f"content/issues/{BROKEN}.md":
                                                         text.encode()}, "Add broken"))
    page = login(live, "bo").get(f"/proposals/{BROKEN}").text
    assert 'id="check-problems"' in page and "community" in page


def test_an_approver_declines_with_a_reason_the_receipt_shows(live: LiveDesk) -> None:
    bo = login(live, "bo")
    bare = post(bo, f"/proposals/{LAMP}/decline", {"reason": "  "})
    assert bare.status_code == 422 and "请填写退回原因(reason)" in bare.text
    assert status_of(live, LAMP)[0] is QueueStatus.PR_OPEN
    # The contact, on request, logged.
    shown = post(bo, f"/proposals/{LAMP}/contact", {})
    assert shown.status_code == 200 and "wx_private_contact" in shown.text
    declined = post(bo, f"/proposals/{LAMP}/decline", {"reason": "已由物业报修,不需议事。"})
    assert declined.status_code == 200 and "已退回" in declined.text
    assert status_of(live, LAMP) == (QueueStatus.DECLINED, "已由物业报修,不需议事。")
    assert git(live.root, "rev-parse", f"refs/yishi/declined/{LAMP}")
    assert f"/proposals/{LAMP}" not in bo.get("/").text
    assert bo.get(f"/proposals/{LAMP}").status_code == 404
    assert ("bo", "contact_view", LAMP) in actions(live)
    assert ("bo", "proposal_decline", LAMP) in actions(live)
    assert all("wx_private_contact" not in " ".join(a) for a in actions(live))


def test_an_approver_approves_and_the_proposal_awaits_screening(live: LiveDesk) -> None:
    bo = login(live, "bo")
    page = bo.get(f"/proposals/{BENCH}").text
    assert "批准提案" in page
    approved = post(bo, f"/proposals/{BENCH}/approve", {})
    assert approved.status_code == 200 and "已批准" in approved.text
    assert "title: 花园长椅坏了" in git(live.root, "show", f"main:content/issues/{BENCH}.md")
    assert status_of(live, BENCH)[0] is QueueStatus.PUBLISHED
    todo = bo.get("/").text
    assert f"/proposals/{BENCH}" not in todo
    assert f'href="/issues/{BENCH}">花园长椅坏了</a>' in todo  # now awaiting screening
    assert ("bo", "proposal_approve", BENCH) in actions(live)
    again = post(bo, f"/proposals/{BENCH}/approve", {})
    assert again.status_code == 404 and "不在待审核之列" in again.text
