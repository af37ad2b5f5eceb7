"""Read files at git revisions without a work tree: ``rev-parse``, ``diff`` and ``cat-file``."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import YishiError


class GitError(YishiError):
    """A git command failed: an unknown revision, or not a git repository."""


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git in ``root`` and return its standard output, or raise :class:`GitError`."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, input=stdin, capture_output=True, check=False
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout


def resolve(root: Path, rev: str) -> str:
    """The commit id ``rev`` names, or a :class:`GitError` that quotes it."""
    try:
        return git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(f"unknown revision {rev!r} (is the history fetched? use fetch-depth: 0)") from None


def merge_base(root: Path, base: str, head: str) -> str:
    """The best common ancestor of two commits (what a pull request is compared against)."""
    return git(root, "merge-base", base, head).decode().strip()


@dataclass(frozen=True)
class Change:
    """One changed path between two revisions: ``A``dded, ``M``odified or ``D``eleted."""

    status: str
    path: str


def changed_paths(root: Path, base: str, head: str, pathspecs: Sequence[str]) -> list[Change]:
    """Paths under ``pathspecs`` that differ between two commits, relative to ``root``.

    Renames are reported as a deletion and an addition: a record's id is its file name, so a
    renamed record file is a deleted id and a new one.
    """
    out = git(
        root, "diff", "--name-status", "-z", "--no-renames", "--relative", base, head, "--",
        *pathspecs,
    )
    fields = out.decode("utf-8").split("\0")
    changes = []
    for status, path in zip(fields[0::2], fields[1::2], strict=False):
        if path:
            # T (type change, e.g. file ↔ symlink) reads like a modification here.
            changes.append(Change("M" if status[0] == "T" else status[0], path))
    return changes


def read_blobs(root: Path, rev: str, paths: Iterable[str]) -> dict[str, bytes | None]:
    """The content of each path (relative to ``root``) at ``rev``; None where it is absent."""
    wanted = list(dict.fromkeys(paths))
    if not wanted:
        return {}
    # "<rev>:./<path>" is relative to the working directory, so a records folder inside a
    # larger repository works as well as a repository of its own.
    request = "".join(f"{rev}:./{path}\n" for path in wanted).encode("utf-8")
    out = git(root, "cat-file", "--batch", stdin=request)
    blobs: dict[str, bytes | None] = {}
    pos = 0
    for path in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end]
        pos = end + 1
        if header.endswith((b" missing", b" ambiguous")):
            blobs[path] = None
            continue
        _oid, kind, size = header.split(b" ")
        content = out[pos : pos + int(size)]
        pos += int(size) + 1  # the content is followed by a newline
        # A tree where a file was expected is as good as absent.
        blobs[path] = content if kind == b"blob" else None
    return blobs
