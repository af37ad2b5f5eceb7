"""``yishi intake status|purge`` and ``yishi review list|show|approve|decline``, through click."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from intake_support import Clock, Suffixes, git, jpeg_with_gps, make_records_repo
from test_intake_worker import branches, queue
from yishi.checks import run_checks
from yishi.cli import main
from yishi.council import load_council
from yishi.errors import ForgeRetryable
from yishi.forges.local import LocalForge
from yishi.intake.store import QueueStatus, Store
from yishi.intake.worker import Worker
from yishi.loading import load_repository


@pytest.fixture
def queued(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """A records repo with three open proposals (one with a photo) and their store."""
    repo = make_records_repo(tmp_path / "records")
    db = tmp_path / "intake.sqlite3"
    store, council, clock = Store(db), load_council(repo), Clock()
    ids = queue(store, council, clock, Suffixes(), 3, contact="13900001111")
    Worker(store, LocalForge(repo), council, clock).drain()
    return repo, db, ids


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_review_list_and_show(queued: tuple[Path, Path, list[str]]) -> None:
    repo, db, ids = queued
    code, out = run("review", "list", "--repo", str(repo))
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[:3]] == ids
    assert "3 open proposal(s)." in out
    code, out = run("review", "show", ids[0], "--repo", str(repo), "--db", str(db))
    assert code == 0 and f"# content/issues/{ids[0]}.md" in out and "title: 提案 0" in out
    assert "13900001111" not in out
    code, out = run("review", "show", ids[0], "--repo", str(repo), "--db", str(db), "--contact")
    assert "contact (private): 13900001111" in out


def test_review_approve_and_decline(queued: tuple[Path, Path, list[str]]) -> None:
    repo, db, ids = queued
    code, out = run("review", "approve", ids[0], "--repo", str(repo), "--db", str(db))
    assert code == 0 and f"Approved {ids[0]}: merged into main" in out
    assert (repo / "content" / "issues" / f"{ids[0]}.md").is_file()
    code, out = run("review", "decline", ids[1], "--reason", "属于负面清单第 1 项",
                    "--repo", str(repo), "--db", str(db))
    assert code == 0
    store = Store(db)
    assert store.get(ids[0]).status is QueueStatus.PUBLISHED  # type: ignore[union-attr]
    declined = store.get(ids[1])
    assert declined and declined.status is QueueStatus.DECLINED
    assert declined.decline_reason == "属于负面清单第 1 项"
    # The reason stays out of git.
    assert "负面清单第 1 项" not in git(repo, "log", "-p", "--all")
    assert branches(repo) == [f"proposal/{ids[2]}"]
    assert run_checks(load_repository(repo)) == []
    # Errors are one plain line, never a traceback.
    code, out = run("review", "approve", ids[1], "--repo", str(repo))
    assert code == 1 and out.strip() == (
        f"Error: 提案 {ids[1]} 已退回；待审的见 `yishi review list` / "
        f"proposal {ids[1]} is already closed; `yishi review list` shows open ones")


def test_review_outside_a_repository(tmp_path: Path) -> None:
    code, out = run("review", "list", "--repo", str(tmp_path))
    assert code == 1 and "is not a git repository" in out and "Traceback" not in out


def test_status_lists_retrying_items_with_their_error(tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    db = tmp_path / "intake.sqlite3"
    store, council, clock = Store(db), load_council(repo), Clock()
    first, _ = queue(store, council, clock, Suffixes(), 2)
    store.record_failure(first, str(ForgeRetryable("502 Bad Gateway")), now=clock().timestamp(),
                         retry_at=clock().timestamp() + 60, permanent=False)
    code, out = run("intake", "status", "--db", str(db))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "queued 1, pr_open 0, published 0, declined 0, failed_retrying 1"
    assert any(line.startswith(f"{first}  failed_retrying  attempts 1") and
               line.endswith("last error: 502 Bad Gateway") for line in lines)


def test_purge_removes_private_data_only(queued: tuple[Path, Path, list[str]]) -> None:
    _, db, ids = queued
    code, out = run("intake", "purge", "--db", str(db), "--older-than", "0")
    assert code == 0 and "Purged private data of 3 submission(s)" in out
    store = Store(db)
    assert store.contact(ids[0]) is None
    assert store.get(ids[0]).status is QueueStatus.PR_OPEN  # type: ignore[union-attr]


def test_photos_go_into_the_proposal(tmp_path: Path) -> None:
    from yishi.intake.photos import Upload, process

    repo = make_records_repo(tmp_path / "records")
    store, council, clock = Store(tmp_path / "db.sqlite3"), load_council(repo), Clock()
    [issue_id] = queue(store, council, clock, Suffixes(), 1)
    # Replace the queued entry with one carrying a photo, through the store's own API.
    from yishi.intake.abuse import RateLimit
    from yishi.intake.submission import Submission

    submission, _ = store.content(issue_id)
    photos = process([Upload("a.jpg", jpeg_with_gps())])
    other = store.admit(Submission(**{**submission.public(), "title": "有照片", "kind": submission.kind}),
                        photos, client="x", now=clock().timestamp(),
                        new_id=lambda: "2024-0312-ph0t", limit=RateLimit())
    Worker(store, LocalForge(repo), council, clock).drain()
    code, out = run("review", "show", "2024-0312-ph0t", "--repo", str(repo))
    assert code == 0 and other.id == "2024-0312-ph0t"  # type: ignore[union-attr]
    assert "# content/photos/2024-0312-ph0t/1.jpg (" in out and "photos/2024-0312-ph0t/1.jpg" in out
