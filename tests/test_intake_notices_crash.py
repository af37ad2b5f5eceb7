"""The worker killed with SIGKILL in the middle of sending a notice, then restarted: no step
is sent twice (the resend carries the same Message-ID, which the receiver drops) and none is
skipped — whether the kill came before the server accepted the mail or after."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from intake_support import YISHI, make_records_repo
from notices_support import advance, mail_server, write_meeting
from yishi.intake.abuse import RateLimit
from yishi.intake.outbox import NoticeState, Outbox
from yishi.intake.store import Store
from yishi.intake.submission import Submission

EMAIL = "fixture-crash@example.org"


@pytest.mark.parametrize("phase", ["DATA", "QUIT"])
def test_a_worker_killed_mid_send_sends_no_step_twice_and_skips_none(
    tmp_path: Path, phase: str,
) -> None:
    repo = make_records_repo(tmp_path / "records")
    db = tmp_path / "intake.sqlite3"
    with Store(db) as store:
        store.admit(Submission("东门路灯坏了三盏", "晚上很黑。", "shengye", "amenities",
                               contact=EMAIL, notify=True), [], client="c", now=time.time(),
                    new_id=lambda: "2026-1130-kill", limit=RateLimit())
    common = ["--repo", str(repo), "--db", str(db)]
    for command in (["intake", "work", "--once"], ["review", "approve", "2026-1130-kill"]):
        done = subprocess.run([YISHI, *command, *common], capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    advance(repo, "2026-1130-kill", "accepted")
    write_meeting(repo, "2026-1231-mt02", "2026-1130-kill", place="社区活动室", on=date.today())
    advance(repo, "2026-1130-kill", "scheduled", meeting="2026-1231-mt02")
    advance(repo, "2026-1130-kill", "decided", meeting="2026-1231-mt02")
    write_meeting(repo, "2026-1231-mt02", "2026-1130-kill", place="社区活动室", on=date.today(),
                  outcome="decided", decision="物业两周内修好")

    with mail_server() as (mail, port):
        work = [YISHI, "intake", "work", "--once", *common, "--lease", "1", "--smtp-host",
                "127.0.0.1", "--smtp-port", str(port), "--smtp-from", "council@example.org"]
        mail.hold = phase
        worker = subprocess.Popen(work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert mail.holding.wait(60), "the worker never reached the SMTP server"
            os.kill(worker.pid, signal.SIGKILL)
        finally:
            worker.wait(10)
        assert worker.returncode == -signal.SIGKILL
        mail.release()
        with Store(db) as store:
            # The kill left the notice claimed, not sent; the two after it still queued.
            assert [r.state for r in Outbox(store).rows()] == [
                NoticeState.SENDING, NoticeState.QUEUED, NoticeState.QUEUED]
        time.sleep(1.2)  # the dead worker's claim (--lease 1) runs out
        done = subprocess.run(work, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr

    steps = [m.message_id.split(".")[2].split("@")[0] for m in mail.unique.values()]
    assert steps == ["01-accepted", "02-scheduled", "03-decided"]
    first = mail.deliveries[0].message_id
    # Killed after the server took the mail: it arrives again with the same id, and is
    # dropped; killed before: it arrives once.
    assert [m.message_id for m in mail.deliveries].count(first) == (2 if phase == "QUIT" else 1)
    assert len(mail.deliveries) == (4 if phase == "QUIT" else 3)
    with Store(db) as store:
        assert {r.state for r in Outbox(store).rows()} == {NoticeState.SENT}
