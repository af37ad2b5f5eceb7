"""Shared pieces of the council-operation tests: the demo records, applying a change set."""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path

from yishi.checks import run_checks
from yishi.loading import Repository, load_repository
from yishi.operations import ChangeSet, apply_in_memory

PROJECT = Path(__file__).resolve().parents[1]
BY = "王书记"


@cache
def demo() -> Repository:
    """The demo records, loaded once (operations never write, so tests may share them)."""
    return load_repository(PROJECT)


def apply(repo: Repository, change: ChangeSet) -> Repository:
    """The repository after ``change``; asserts the full checks still pass."""
    after = apply_in_memory(repo, change)
    assert run_checks(after) == [], [str(p) for p in run_checks(after)]
    return after


def diff_lines(repo: Repository, change: ChangeSet, path: str) -> tuple[list[str], list[str]]:
    """The removed and added lines of one file of a change set (unified diff, no context)."""
    old = (repo.root / path).read_text(encoding="utf-8") if (repo.root / path).exists() else ""
    new = change.files[path].decode("utf-8")
    removed, added = [], []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line.startswith("-") else added).append(line[1:])
    return removed, added


def write(root: Path, change: ChangeSet) -> None:
    """Write a change set's files under ``root`` (as a forge would on its branch)."""
    for path, data in change.files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
