"""The loop closed with the council's own operations: each `yishi council` step, approved
onto the main branch, sends the opted-in proposer one notice; the closing notice's rating
reaches the published feedback through `yishi council feedback --ratings-db`."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import httpx

from intake_support import YISHI, make_records_repo, serve_app
from notices_support import mail_server
from test_council_walk import OUTCOME, OUTCOMES, step
from yishi.council import load_council
from yishi.intake.abuse import RateLimit
from yishi.intake.service import ServiceSettings, create_app
from yishi.intake.store import QueueStatus, Store
from yishi.intake.submission import Submission

ISSUE = "2026-1118-cd9p"  # received on 2026-11-18, in the demo records
EMAIL = "fixture-walker@example.org"


def test_council_operations_send_one_notice_per_step_and_ratings_reach_feedback(
    tmp_path: Path,
) -> None:
    records = make_records_repo(tmp_path / "records", full=True)
    db = tmp_path / "intake.sqlite3"
    store = Store(db)
    store.admit(Submission("北门车棚充电口不够", "排队充电。", "shengye", "amenities",
                           contact=EMAIL, notify=True), [], client="c", now=time.time(),
                new_id=lambda: ISSUE, limit=RateLimit())
    store.set_status(ISSUE, QueueStatus.PUBLISHED, time.time())
    app = create_app(store, load_council(records), settings=ServiceSettings())
    with serve_app(app) as intake, mail_server() as (mail, port), httpx.Client() as client:
        def work() -> int:
            done = subprocess.run(
                [YISHI, "intake", "work", "--once", "--repo", str(records), "--db", str(db),
                 "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--smtp-from",
                 "council@example.org", "--site-url", "https://example.org",
                 "--intake-url", intake], capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            return len(mail.deliveries)

        assert work() == 0
        step(records, "2026-11-19", "screen", ISSUE, "--accept")
        assert work() == 1
        planned = step(records, "2026-11-20", "plan", "--date", "2026-11-24", "--time", "19:00",
                       "--place", "盛业家园议事厅", "--level", "community", "--community",
                       "shengye", "--convener", "社区党委", "--agenda", ISSUE)
        assert work() == 2
        assert "2026-11-24 19:00" in mail.deliveries[-1].body
        assert "盛业家园议事厅" in mail.deliveries[-1].body
        outcomes = tmp_path / "outcomes.yml"
        outcomes.write_text(OUTCOMES, encoding="utf-8")
        step(records, "2026-11-24", "record", planned[-2], "--outcomes", str(outcomes))
        assert work() == 3
        assert "北门车棚新增 24 个充电口" in mail.deliveries[-1].body
        step(records, "2026-11-25", "follow-up", ISSUE, "--start")
        # A progress note that changes no status is no new step.
        step(records, "2026-11-26", "follow-up", ISSUE, "--action", "2", "--done", "2026-11-26")
        assert work() == 4
        step(records, "2026-11-28", "close", ISSUE, "--outcome", OUTCOME)
        assert work() == 5 and work() == 5
        subjects = [m.subject for m in mail.deliveries]
        for subject, label in zip(subjects, ["已受理", "待议事", "已决议", "实施中", "已办结"],
                                  strict=True):
            assert label in subject

        link = re.search(rf"{re.escape(intake)}/rate/\S+", mail.deliveries[-1].body)
        assert link
        rated = client.post(link.group(), data={"satisfaction": "satisfied", "resolved": "yes"})
        assert rated.status_code == 200

    # The moderator records the feedback: the council's own counts plus the resident's rating.
    step(records, "2026-11-29", "feedback", ISSUE, "--satisfied", "30",
         "--basically-satisfied", "4", "--dissatisfied", "1", "--ratings-db", str(db))
    text = (records / "content" / "issues" / f"{ISSUE}.md").read_text(encoding="utf-8")
    feedback = text.split("feedback:", 1)[1]
    assert re.search(r"satisfied: 31\b", feedback) and "from_ratings: 1" in feedback
    assert re.search(r"resolved: true", feedback)


def test_feedback_without_counts_or_ratings_says_what_is_missing(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from yishi.cli import main

    records = make_records_repo(tmp_path / "records", full=True)
    result = CliRunner().invoke(main, ["council", "feedback", ISSUE, "--root", str(records),
                                       "--by", "王主持", "--resolved", "yes", "--satisfied", "3"])
    assert result.exit_code == 1
    assert "请给出 --basically-satisfied, --dissatisfied" in result.output
    assert "--ratings-db" in result.output
