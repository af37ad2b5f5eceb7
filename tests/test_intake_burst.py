"""A burst of 1,000 submissions is accepted at once through the real service, while a worker
drains the queue, and every receipt tells the truth meanwhile."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from intake_support import Clock, form, make_records_repo, serve_app
from yishi.council import load_council
from yishi.forges.base import ProposalState
from yishi.forges.local import LocalForge
from yishi.intake.service import ServiceSettings, create_app
from yishi.intake.store import QueueStatus, Store
from yishi.intake.worker import Worker

BURST = 1000


def test_burst_of_1000_with_truthful_receipts(tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    store = Store(tmp_path / "intake.sqlite3")
    council = load_council(repo)
    clock = Clock()
    forge = LocalForge(repo)
    # Default limits: each resident is a different client (behind the site's reverse proxy,
    # uvicorn takes the address from X-Forwarded-For when the proxy is on loopback).
    app = create_app(store, council, settings=ServiceSettings(min_fill_seconds=0), clock=clock)
    stop = threading.Event()

    def drain() -> None:
        worker = Worker(store, forge, council, clock)
        while not stop.is_set():
            if not worker.step():
                stop.wait(0.01)

    with serve_app(app) as base, httpx.Client(timeout=60,
                                              limits=httpx.Limits(max_connections=16)) as client:
        def submit(n: int) -> httpx.Response:
            # A token per submission, as the site's form fetches one (each admits one).
            token = client.get(f"{base}/api/token").json()["token"]
            return client.post(
                f"{base}/api/submissions",
                data={**form(title=f"提案第 {n} 号"), "token": token},
                headers={"Accept": "application/json", "X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"})

        worker = threading.Thread(target=drain)
        worker.start()
        try:
            with ThreadPoolExecutor(16) as pool:
                answers = list(pool.map(submit, range(BURST)))
        finally:
            stop.set()
            worker.join(60)

        assert [a.status_code for a in answers] == [202] * BURST
        ids = [a.json()["id"] for a in answers]
        assert len(set(ids)) == BURST  # id collisions were redrawn, not doubled
        assert store.counts()[QueueStatus.QUEUED] + store.counts()[QueueStatus.PR_OPEN] == BURST
        assert store.counts()[QueueStatus.PR_OPEN] > 0, "the worker drained while the burst ran"

        # Every receipt matches reality: pr_open exactly when the branch exists.
        # Each resident looks up their own receipt (lookups are limited per client).
        def receipt(n: int) -> tuple[str, str]:
            answer = client.get(f"{base}/api/submissions/{ids[n]}",
                                headers={"X-Forwarded-For": f"10.0.{n // 250}.{n % 250}"})
            return ids[n], answer.json()["status"]

        with ThreadPoolExecutor(16) as pool:
            statuses = dict(pool.map(receipt, range(BURST)))
    opened = {ref.split("/", 1)[1] for ref in _branches(repo)}
    for issue_id, status in statuses.items():
        assert status == ("pr_open" if issue_id in opened else "queued"), issue_id
    sample = next(iter(opened))
    assert forge.find_proposal(sample).state is ProposalState.OPEN  # type: ignore[union-attr]


def _branches(repo: Path) -> list[str]:
    from intake_support import git

    return git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/proposal/").split()
