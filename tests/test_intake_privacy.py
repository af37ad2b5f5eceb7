"""Privacy: after a batch, the residents' contacts are nowhere but the private store — not
in git history, branches, pull requests, labels, logs or receipts — and purge removes them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import httpx

from intake_support import YISHI, form, git, make_records_repo, serve_process
from yishi.testing.github_standin import GithubStandin

CONTACTS = [f"王阿姨{n} 微信 wx_private_{n} 1390000{n:04d}" for n in range(6)]


def test_contacts_stay_in_the_private_store(tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    db = tmp_path / "intake.sqlite3"
    service_log = tmp_path / "service.log"
    receipts: list[str] = []
    with serve_process("--repo", str(repo), "--db", str(db), "--min-fill-seconds", "0",
                       "--rate-limit", "100/60", log=service_log) as base, httpx.Client() as client:
        for n, contact in enumerate(CONTACTS):
            token = client.get(f"{base}/api/token").json()["token"]
            fields = {**form(title=f"第 {n} 号提案", name="热心居民" if n % 2 else "", contact=contact),
                      "token": token}
            as_json = n % 2 == 0  # half through the script path, half as a plain HTML form
            answer = client.post(f"{base}/api/submissions", data=fields,
                                 headers={"Accept": "application/json" if as_json else "text/html"})
            assert answer.status_code == (202 if as_json else 303), answer.text
            receipt = answer.json()["receipt_url"] if as_json else answer.headers["location"]
            receipts.append(client.get(receipt).text)
            receipts.append(client.get(receipt.replace("/receipt/", "/api/submissions/")).text)

    # The same queue, drained once into the local forge and once into the GitHub stand-in.
    github_db = tmp_path / "github.sqlite3"
    with sqlite3.connect(db) as source, sqlite3.connect(github_db) as target:
        source.backup(target)
    work_log = subprocess.run(
        [YISHI, "intake", "work", "--once", "--repo", str(repo), "--db", str(db)],
        capture_output=True, text=True, timeout=120)
    assert work_log.returncode == 0, work_log.stderr
    with GithubStandin(files={"README.md": b"records\n"}) as standin:
        env = {**os.environ, "GITHUB_TOKEN": standin.token}
        github_log = subprocess.run(
            [YISHI, "intake", "work", "--once", "--repo", str(repo), "--db", str(github_db),
             "--forge", "github", "--github-repo", f"{standin.owner}/{standin.name}",
             "--github-api-url", standin.api_url],
            capture_output=True, text=True, timeout=120, env=env)
        assert github_log.returncode == 0, github_log.stderr
        assert len(standin.pulls) == len(CONTACTS)
        github_text = "\n".join(
            [p.title + "\n" + (p.body or "") + "\n" + " ".join(p.labels) for p in standin.pulls]
            + [r.body.decode("utf-8", "replace") if isinstance(r.body, bytes) else str(r.body)
               for r in standin.requests])
        assert "第 0 号提案" in github_text and "筛选清单" in github_text

    history = git(repo, "log", "-p", "--all", "--binary")
    refs = git(repo, "for-each-ref")
    assert history.count("content/issues/") >= len(CONTACTS) and "热心居民" in history
    logs = service_log.read_text() + work_log.stdout + work_log.stderr + github_log.stdout + github_log.stderr
    public = {"git log -p --all": history, "refs": refs, "pull requests": github_text,
              "logs": logs, "receipts": "\n".join(receipts)}
    for contact in CONTACTS:
        name, _, wechat, phone = contact.split()
        for fragment in (contact, name, wechat, phone):
            for where, text in public.items():
                assert fragment not in text, f"{fragment!r} leaked into {where}"
    # The service never logs the client's address (only its own, when it starts).
    service_lines = service_log.read_text().splitlines()
    assert any("POST /api/submissions 202" in line for line in service_lines)
    assert [line for line in service_lines if "127.0.0.1" in line and "running on" not in line] == []

    # The contacts are in the private store, until purged.
    assert all(c.encode() in db.read_bytes() + Path(f"{db}-wal").read_bytes() for c in CONTACTS[:1])
    purged = subprocess.run([YISHI, "intake", "purge", "--db", str(db), "--older-than", "0"],
                            capture_output=True, text=True, timeout=60)
    assert purged.returncode == 0 and f"of {len(CONTACTS)} submission" in purged.stdout
    leftovers = db.read_bytes() + (Path(f"{db}-wal").read_bytes() if Path(f"{db}-wal").exists() else b"")
    for contact in CONTACTS:
        assert contact.split()[2].encode() not in leftovers
