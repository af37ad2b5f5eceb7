"""Crash test: the worker is SIGKILLed mid-batch, restarted, and every submission ends as
exactly one branch with exactly one commit."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

from intake_support import YISHI, Clock, Suffixes, git, make_records_repo
from test_intake_worker import branches, queue
from yishi.council import load_council
from yishi.intake.store import QueueStatus, Store

BATCH = 30


def test_worker_killed_mid_batch_and_restarted(tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    db = tmp_path / "intake.sqlite3"
    store = Store(db)
    # Real time: the worker subprocess reads the real clock.
    clock = Clock(start=None)
    clock.now = clock.now.fromtimestamp(time.time()).astimezone()
    ids = queue(store, load_council(repo), clock, Suffixes(), BATCH)
    command = [YISHI, "intake", "work", "--repo", str(repo), "--db", str(db), "--poll", "0.05",
               "--lease", "1"]

    kills = 0
    for target in (4, 10, 18):  # kill it three times, at different points of the batch
        worker = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(branches(repo)) < target and time.monotonic() < deadline:
            time.sleep(0.005)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        kills += 1
        assert target <= len(branches(repo)) < BATCH, "the kill must land mid-batch"

    finished = subprocess.run([*command, "--once"], capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    assert kills == 3
    assert branches(repo) == sorted(f"proposal/{i}" for i in ids)
    for issue_id in ids:
        assert git(repo, "rev-list", "--count", f"main..proposal/{issue_id}").strip() == "1"
        entry = store.get(issue_id)
        assert entry is not None and entry.status is QueueStatus.PR_OPEN
    assert store.counts()[QueueStatus.PR_OPEN] == BATCH
    # Nothing dangles from a half-done attempt but unreachable objects: no stray refs.
    refs = git(repo, "for-each-ref", "--format=%(refname)").split()
    assert sorted(refs) == sorted(["refs/heads/main", *(f"refs/heads/proposal/{i}" for i in ids)])
