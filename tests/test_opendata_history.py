"""Record history from git: one pass, newest first, shallow clones and no git at all."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import yishi.history
from opendata_repo import DONE, MERGED, RECEIVED, commit, git, make_repo
from yishi.history import parse_log, read_history

DONE_PATH = f"content/issues/{DONE}.md"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def three_commits(tmp_path: Path) -> tuple[Path, list[str]]:
    repo = make_repo(tmp_path / "repo")
    first = git(repo, "rev-parse", "HEAD")
    record = repo / DONE_PATH
    _edit(record, "title: 楼道小广告层层叠叠", "title: 楼道小广告清理")
    second = commit(repo, "Retitle 2023-0403-k7qm", "2023-05-01T09:30:00+08:00")
    _edit(record, "outcome: 整个楼道清新明目。", "outcome: 整个楼道清新明目,楼门长持续巡查。")
    third = commit(repo, "Record the outcome | 记录结果", "2023-06-02T18:05:00+08:00")
    return repo, [third, second, first]


def test_three_commits_to_one_record_newest_first(three_commits: tuple[Path, list[str]]) -> None:
    repo, hashes = three_commits
    history = read_history(repo)
    record = history.of(DONE_PATH)
    assert [c.hash for c in record.commits] == hashes
    assert [c.subject for c in record.commits] == [
        "Record the outcome | 记录结果", "Retitle 2023-0403-k7qm", "Add the first records",
    ]
    assert record.commits[0].date.isoformat() == "2023-06-02T18:05:00+08:00"
    assert record.commits[0].short == hashes[0][: len(record.commits[0].short)]
    assert record.complete and history.complete
    assert record.last_changed is not None and record.last_changed.hash == hashes[0]
    # Records the later commits did not touch keep only their first commit.
    assert [c.hash for c in history.of(f"content/issues/{MERGED}.md").commits] == [hashes[2]]
    assert history.latest is not None and history.latest.hash == hashes[0]


def test_one_git_log_whatever_the_number_of_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    real = yishi.history._git

    def counting(root: Path, args: list[str]) -> str | None:
        calls.append(list(args))
        return real(root, args)

    monkeypatch.setattr(yishi.history, "_git", counting)
    small = make_repo(tmp_path / "small")
    read_history(small)
    small_calls = len(calls)
    big = make_repo(tmp_path / "big")
    template = (big / DONE_PATH).read_text(encoding="utf-8")
    for n in range(200):
        rid = f"2023-0403-x{n:03d}"
        (big / f"content/issues/{rid}.md").write_text(template.replace(DONE, rid), encoding="utf-8")
    commit(big, "Many records", "2023-05-01T09:00:00+08:00")
    calls.clear()
    history = read_history(big)
    assert len(calls) == small_calls == 2
    assert sum(1 for path in history.by_path if path.startswith("content/issues/")) == 205


def test_records_in_a_subfolder_of_the_git_work_tree(tmp_path: Path) -> None:
    top = tmp_path / "top"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    make_repo(top / "council", init_git=False)
    sha = commit(top, "Records in a subfolder", "2024-01-02T03:04:05+08:00")
    history = read_history(top / "council")
    assert [c.hash for c in history.of(DONE_PATH).commits] == [sha]


def test_shallow_clone_marks_only_truncated_histories(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / f"content/issues/{RECEIVED}.md").unlink()
    commit(repo, "Remove one", "2023-05-01T09:00:00+08:00")
    make_repo(repo, init_git=False)  # the removed record comes back in a new commit
    added = commit(repo, "Add it again", "2023-06-01T09:00:00+08:00")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)],
                   check=True, capture_output=True)
    history = read_history(clone)
    assert history.available and history.shallow and not history.complete
    # Every file appears in the boundary commit, so its real history is unknown ...
    assert not history.of(DONE_PATH).complete
    # ... and the one commit we see is the clone's only commit.
    assert [c.hash for c in history.of(DONE_PATH).commits] == [added]
    clone2 = tmp_path / "clone2"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{repo}", str(clone2)],
                   check=True, capture_output=True)
    deeper = read_history(clone2)
    # Re-added in the newest commit, after the boundary: its history is complete.
    assert deeper.of(f"content/issues/{RECEIVED}.md").complete
    assert not deeper.of(DONE_PATH).complete


def test_outside_git_history_is_empty(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "plain", init_git=False)
    history = read_history(repo)
    assert not history.available and history.latest is None
    record = history.of(DONE_PATH)
    assert record.commits == () and not record.complete and record.last_changed is None


def test_parse_log_keeps_subjects_and_strips_the_prefix() -> None:
    output = (
        "\x1e" + "a" * 40 + "\x1faaaaaaa\x1f2024-03-12T09:30:00+08:00\x1fFix: 标题 | x\0\n"
        "sub/content/issues/2024-0312-k7qm.md\0sub/content/council.yml\0"
        "\x1e" + "b" * 40 + "\x1fbbbbbbb\x1f2024-03-11T09:30:00+08:00\x1fFirst\0\n"
        "sub/content/issues/2024-0312-k7qm.md\0other/file.md\0"
    )
    by_path = parse_log(output, "sub/")
    assert [c.short for c in by_path["content/issues/2024-0312-k7qm.md"]] == ["aaaaaaa", "bbbbbbb"]
    assert by_path["content/council.yml"][0].subject == "Fix: 标题 | x"
    assert "other/file.md" not in by_path and "content/other/file.md" not in by_path
