"""Running git: one way to call it, one error, and the queries several modules share.

Every call names its repository explicitly (``git -C <root>``) and drops the variables that
would send git elsewhere (``GIT_DIR`` and friends, set when Yishi runs inside a git hook),
so a command always reads and writes the repository it was given.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import YishiError

#: Variables that would redirect git away from the repository we were given.
LOCATION_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
)
#: How much of a long command (many paths) an error message quotes.
_COMMAND_SHOWN = 160


class GitError(YishiError):
    """A git command failed: an unknown revision, not a repository, or git is missing."""

    def __init__(self, message: str, *, args: Sequence[str] = (), root: Path | None = None,
                 stderr: str = "") -> None:
        super().__init__(message)
        self.command = tuple(args)
        self.root = root
        self.stderr = stderr


def run(root: Path, *args: str, input: bytes | None = None,
        env: Mapping[str, str] | None = None, check: bool = True,
        ) -> subprocess.CompletedProcess[bytes]:
    """Run ``git -C root args``; with ``check``, a failure raises :class:`GitError`.

    ``env`` adds variables (an identity, a throw-away index) to the scrubbed environment.
    """
    full_env = {k: v for k, v in os.environ.items() if k not in LOCATION_VARS}
    full_env.update(env or {})
    try:
        done = subprocess.run(["git", "-C", str(root), *args], input=input, env=full_env,
                              capture_output=True, check=False)
    except OSError as exc:
        raise GitError(f"cannot run git ({exc}); is git installed and on PATH?",
                       args=args, root=root) from exc
    if check and done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace").strip()
        command = shlex.join(["git", *args])
        if len(command) > _COMMAND_SHOWN:
            command = command[:_COMMAND_SHOWN] + "…"
        raise GitError(f"{command} failed in {root}: {stderr or f'exit {done.returncode}'}",
                       args=args, root=root, stderr=stderr)
    return done


def git(root: Path, *args: str, stdin: bytes | None = None,
        env: Mapping[str, str] | None = None) -> bytes:
    """Git's standard output (bytes), or :class:`GitError`."""
    return run(root, *args, input=stdin, env=env).stdout


def text(root: Path, *args: str, env: Mapping[str, str] | None = None) -> str:
    """Git's standard output decoded as UTF-8 (undecodable bytes replaced), or :class:`GitError`."""
    return git(root, *args, env=env).decode("utf-8", "replace")


def succeeds(root: Path, *args: str) -> bool:
    """Whether a git command exits 0 (for questions git answers by exit status)."""
    return run(root, *args, check=False).returncode == 0


# -- queries ---------------------------------------------------------------------------


def rev_parse(root: Path, rev: str) -> str | None:
    """The commit ``rev`` names, or None (unknown revision, not a repository, no commits)."""
    try:
        done = run(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
    except GitError:
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode().strip() or None


def resolve(root: Path, rev: str) -> str:
    """The commit id ``rev`` names, or a :class:`GitError` that quotes it."""
    commit = rev_parse(root, rev)
    if commit is None:
        raise GitError(f"unknown revision {rev!r} (is the history fetched? use fetch-depth: 0)",
                       args=("rev-parse", rev), root=root)
    return commit


def is_ancestor(root: Path, ancestor: str, descendant: str) -> bool:
    """Whether ``ancestor`` is in the history of ``descendant`` (or is it)."""
    return succeeds(root, "merge-base", "--is-ancestor", ancestor, descendant)


def merge_base(root: Path, base: str, head: str) -> str:
    """The best common ancestor of two commits (what a pull request is compared against)."""
    return text(root, "merge-base", base, head).strip()


@dataclass(frozen=True)
class TreeEntry:
    """One line of ``git ls-tree``: an object of a tree and its path."""

    mode: str
    kind: str  # blob, tree or commit (a submodule)
    oid: str
    path: str


def ls_tree(root: Path, rev: str, *paths: str, recursive: bool = True) -> list[TreeEntry]:
    """The entries of ``rev``'s tree under ``paths``; paths are relative to ``root``."""
    listing = git(root, "ls-tree", *(["-r"] if recursive else []), "-z", rev, "--", *paths)
    entries = []
    for line in listing.decode("utf-8", "replace").split("\0"):
        meta, _, path = line.partition("\t")
        parts = meta.split(" ")
        if len(parts) == 3:
            entries.append(TreeEntry(parts[0], parts[1], parts[2], path))
    return entries


def read_objects(root: Path, names: Sequence[str]) -> list[bytes | None]:
    """The content of each object ``names`` names (an id or ``<rev>:<path>``), in one
    ``cat-file --batch`` call; None where it is missing, ambiguous or not a blob."""
    if not names:
        return []
    out = git(root, "cat-file", "--batch", stdin="".join(f"{n}\n" for n in names).encode())
    objects: list[bytes | None] = []
    pos = 0
    for _name in names:
        end = out.index(b"\n", pos)
        header = out[pos:end]
        pos = end + 1
        if header.endswith((b" missing", b" ambiguous")):
            objects.append(None)
            continue
        _oid, kind, size = header.split(b" ")
        content = out[pos : pos + int(size)]
        pos += int(size) + 1  # the content is followed by a newline
        # A tree where a file was expected is as good as absent.
        objects.append(content if kind == b"blob" else None)
    return objects


def read_blobs(root: Path, rev: str, paths: Iterable[str]) -> dict[str, bytes | None]:
    """The content of each path (relative to ``root``) at ``rev``; None where it is absent."""
    wanted = list(dict.fromkeys(paths))
    # "<rev>:./<path>" is relative to the working directory, so a records folder inside a
    # larger repository works as well as a repository of its own.
    return dict(zip(wanted, read_objects(root, [f"{rev}:./{path}" for path in wanted]),
                    strict=True))


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
