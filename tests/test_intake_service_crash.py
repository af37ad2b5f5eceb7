"""Crash test of the service: killed between a group's commit and its answers, it loses
nothing, and residents who resubmit after the restart get their first receipt, not a double."""

from __future__ import annotations

import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from intake_support import form, free_port, make_records_repo, serve_process, wait_ready
from yishi.intake.store import Store

# The real service, with one change: right after committing a group that holds a proposal
# titled 崩溃…, the process SIGKILLs itself, before any answer of that group is sent.
CRASHING_SERVICE = '''
import os, signal, sys
from pathlib import Path

import uvicorn

from yishi.council import load_council
from yishi.intake.service import ServiceSettings, create_app
from yishi.intake.store import Store


class CrashingStore(Store):
    def admit_all(self, admissions):
        outcomes = super().admit_all(admissions)
        if any(a.submission.title.startswith("崩溃") for a in admissions):
            os.kill(os.getpid(), signal.SIGKILL)
        return outcomes


repo, db, port = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
app = create_app(CrashingStore(db), load_council(repo),
                 settings=ServiceSettings(min_fill_seconds=0))
uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False)
'''


def post(base: str, title: str, n: int) -> httpx.Response:
    """A resident (one address per ``n``) fetches a token and submits ``title``."""
    headers = {"X-Forwarded-For": f"10.9.0.{n}"}
    with httpx.Client(base_url=base, timeout=20) as client:
        token = client.get("/api/token", headers=headers).json()["token"]
        return client.post("/api/submissions", data={**form(title=title), "token": token},
                           headers={**headers, "Accept": "application/json"})


def try_post(base: str, title: str, n: int) -> httpx.Response | None:
    try:
        return post(base, title, n)
    except httpx.TransportError:
        return None  # the service died before answering


def titles_in(store: Store) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for entry in store.entries():
        found.setdefault(store.content(entry.id)[0].title, []).append(entry.id)
    return found


def test_killed_between_commit_and_answer_loses_nothing_and_doubles_nothing(
        tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    db = tmp_path / "intake.sqlite3"
    script = tmp_path / "crashing_service.py"
    script.write_text(CRASHING_SERVICE, encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "crash.log").open("wb")
    proc = subprocess.Popen([sys.executable, str(script), str(repo), str(db), str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready(base, proc)
        titles = {n: f"提案第 {n} 号" for n in range(1, 6)}
        answers: dict[int, httpx.Response | None] = {n: post(base, t, n) for n, t in titles.items()}
        # A burst with the fatal one in the middle: some are answered, the rest are cut off.
        titles.update({n: f"提案第 {n} 号" for n in range(6, 30)})
        titles[17] = "崩溃前最后一个提案"
        with ThreadPoolExecutor(24) as pool:
            answers.update(zip(range(6, 30), pool.map(
                lambda n: try_post(base, titles[n], n), range(6, 30)), strict=True))
        assert proc.wait(20) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()

    assert answers[17] is None, "the fatal submission must not have been answered"
    receipts = {n: a.json()["id"] for n, a in answers.items() if a is not None}
    assert all(a is None or a.status_code == 202 for a in answers.values())
    store = Store(db)
    stored = titles_in(store)
    # Nothing answered is lost: every receipt given out is in the store, under its text.
    for n, issue_id in receipts.items():
        assert stored[titles[n]] == [issue_id]
    # The fatal one was committed before the kill, though its resident never heard back.
    assert len(stored[titles[17]]) == 1
    store.close()

    # After a restart, each resident left without an answer submits again.
    with serve_process("--repo", str(repo), "--db", str(db), "--min-fill-seconds", "0",
                       log=tmp_path / "serve.log") as base2:
        for n, answer in answers.items():
            if answer is None:
                again = post(base2, titles[n], n)
                assert again.status_code == 202
                if titles[n] in stored:  # committed before the kill: the first receipt
                    assert again.json()["id"] == stored[titles[n]][0]
                receipts[n] = again.json()["id"]
    store = Store(db)
    final = titles_in(store)
    store.close()
    # Nothing doubled: one entry per text, the one its resident holds the receipt of.
    assert final == {titles[n]: [receipts[n]] for n in titles}
