"""The desk with the GitHub forge, over real HTTP against the GitHub stand-in: a change is a
pull request whose state, checks and link the desk shows; an approver merges it from the desk
only when its checks are green and they did not ask for it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_support import CRITERIA, RECEIVED, Clock, LiveDesk, login, post, submit
from intake_support import make_records_repo, serve_app
from yishi.desk.app import Desk, DeskSettings, create_app
from yishi.desk.database import Database
from yishi.desk.pulls import PullRequests
from yishi.desk.snapshot import LiveRecords
from yishi.desk.workflow import Workflow
from yishi.forges.github import GithubForge
from yishi.testing.github_standin import GithubStandin

TOKEN = "ghp_standinDeskToken0123456789abcdefgh"
PATH = f"content/issues/{RECEIVED}.md"


@pytest.fixture
def github(tmp_path: Path) -> Iterator[tuple[LiveDesk, GithubStandin]]:
    records = make_records_repo(tmp_path / "records", full=True)
    files = {p.relative_to(records).as_posix(): p.read_bytes()
             for p in (records / "content").rglob("*") if p.is_file()}
    with GithubStandin("council/records", token=TOKEN, files=files) as standin:
        standin.require_checks("yishi check")
        forge = GithubForge("council/records", token=TOKEN, api_url=standin.api_url)
        pulls = PullRequests("council/records", standin.api_url, token=TOKEN)
        clock = Clock()
        desk = Desk(Database(tmp_path / "desk.sqlite3"), LiveRecords(records, "main"),
                    Workflow(forge, records, pulls), clock, DeskSettings())
        for name, approver in (("amy", False), ("bo", True), ("cy", True)):
            desk.accounts.add(name, "correct horse battery", approver=approver)
        with serve_app(create_app(desk)) as url:
            live = LiveDesk(desk, url, records, clock)
            try:
                yield live, standin
            finally:
                for client in live.clients:
                    client.close()


def test_a_pull_request_is_merged_from_the_desk_only_when_green(
    github: tuple[LiveDesk, GithubStandin],
) -> None:
    live, standin = github
    amy, bo, cy = login(live, "amy"), login(live, "bo"), login(live, "cy")
    change_id = submit(cy, f"/issues/{RECEIVED}/screen",
                       {"decision": "accept", "criteria": CRITERIA})
    [pull] = [p for p in standin.pulls if p.head == f"change/{change_id}"]
    page = bo.get(f"/changes/{change_id}")
    assert f"/pull/{pull.number}" in page.text and "检查进行中" in page.text
    assert "批准并合并" not in page.text  # no green checks yet
    refused = post(bo, f"/changes/{change_id}/approve", {})
    assert refused.status_code == 409 and "检查尚未通过" in refused.text
    standin.set_status(f"change/{change_id}", "yishi check", "failure")
    assert "检查未通过" in bo.get(f"/changes/{change_id}").text
    standin.set_status(f"change/{change_id}", "yishi check", "success")
    assert "批准并合并" in bo.get(f"/changes/{change_id}").text
    # The approver who asked for it may not merge it, whatever the checks say.
    own = post(cy, f"/changes/{change_id}/approve", {})
    assert own.status_code == 403 and "四眼原则" in own.text
    # A moderator is no approver.
    assert post(amy, f"/changes/{change_id}/approve", {}).status_code == 403
    assert pull.state == "open"
    merged = post(bo, f"/changes/{change_id}/approve", {})
    assert merged.status_code == 200 and "拉取请求已合并" in merged.text
    assert pull.state == "closed" and pull.merged_at is not None
    assert b"status: accepted" in standin.files_on("main")[PATH]
    assert "已合并" in bo.get(f"/changes/{change_id}").text


def test_a_pull_request_closed_on_github_shows_as_declined(
    github: tuple[LiveDesk, GithubStandin],
) -> None:
    live, standin = github
    amy = login(live, "amy")
    change_id = submit(amy, f"/issues/{RECEIVED}/screen",
                       {"decision": "accept", "criteria": CRITERIA})
    [pull] = [p for p in standin.pulls if p.head == f"change/{change_id}"]
    standin.close(pull.number)
    page = amy.get(f"/changes/{change_id}")
    assert "已退回" in page.text and "已关闭" in page.text


def test_residents_proposals_are_merged_when_green_or_closed_with_a_reason(
    github: tuple[LiveDesk, GithubStandin], tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    from yishi.council import load_council
    from yishi.forges.github import GithubForge
    from yishi.intake.abuse import RateLimit
    from yishi.intake.store import QueueStatus, Store
    from yishi.intake.submission import Submission
    from yishi.intake.worker import Worker

    live, standin = github
    db = tmp_path / "intake.sqlite3"
    live.desk.settings.intake_db = db
    lamp, bench = "2026-1129-ab12", "2026-1129-cd34"
    with Store(db) as store:
        for issue_id, title in ((lamp, "东门路灯坏了"), (bench, "花园长椅坏了")):
            store.admit(Submission(title, "晚上很黑。", "shengye", "amenities"), [], client="c",
                        now=datetime.now(UTC).timestamp(), new_id=lambda i=issue_id: i,  # type: ignore[misc]
                        limit=RateLimit())
        forge = GithubForge("council/records", token=TOKEN, api_url=standin.api_url)
        worker = Worker(store, forge, load_council(live.root), lambda: datetime.now(UTC))
        while worker.step():
            pass
    [pull] = [p for p in standin.pulls if p.head == f"proposal/{lamp}"]
    bo = login(live, "bo")
    assert f'href="/proposals/{lamp}">东门路灯坏了</a>' in bo.get("/").text
    page = bo.get(f"/proposals/{lamp}").text
    assert f"/pull/{pull.number}" in page and "检查进行中" in page and "晚上很黑" in page
    assert "批准提案" not in page  # not green yet
    refused = post(bo, f"/proposals/{lamp}/approve", {})
    assert refused.status_code == 409 and "检查尚未通过" in refused.text
    standin.set_status(f"proposal/{lamp}", "yishi check", "success")
    assert "批准提案" in bo.get(f"/proposals/{lamp}").text
    assert post(bo, f"/proposals/{lamp}/approve", {}).status_code == 200
    assert pull.merged_at is not None and f"content/issues/{lamp}.md" in standin.files_on("main")
    # Declined: the pull request is closed unmerged, the reason kept for the receipt.
    [other] = [p for p in standin.pulls if p.head == f"proposal/{bench}"]
    assert post(bo, f"/proposals/{bench}/decline", {"reason": "重复提案"}).status_code == 200
    assert other.state == "closed" and other.merged_at is None
    with Store(db) as store:
        assert store.get(lamp).status is QueueStatus.PUBLISHED  # type: ignore[union-attr]
        declined = store.get(bench)
        assert declined is not None and declined.status is QueueStatus.DECLINED
        assert declined.decline_reason == "重复提案"
    assert "/proposals/" not in bo.get("/").text
