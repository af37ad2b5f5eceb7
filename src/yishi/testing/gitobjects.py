"""An in-memory git object store with real object ids, for the GitHub stand-in.

Blobs, trees and commits hash exactly as git hashes them, so the same content gets the same
sha as on GitHub and a test can compare ids with a real git repository.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

BLOB_MODES = frozenset({"100644", "100755", "120000"})
TREE_MODE = "040000"


@dataclass(frozen=True)
class TreeEntry:
    """One name in a tree: a blob (file) or a tree (folder)."""

    name: str
    mode: str  # 100644, 100755, 120000 or 040000
    type: str  # "blob" or "tree"
    sha: str


@dataclass(frozen=True)
class Signature:
    """Author or committer of a commit."""

    name: str
    email: str
    timestamp: int  # seconds since the epoch, UTC


@dataclass(frozen=True)
class Commit:
    """A commit object."""

    sha: str
    tree: str
    parents: tuple[str, ...]
    message: str
    author: Signature
    committer: Signature


@dataclass
class ObjectStore:
    """Blobs, trees and commits keyed by their git object id."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, tuple[TreeEntry, ...]] = field(default_factory=dict)
    commits: dict[str, Commit] = field(default_factory=dict)

    def put_blob(self, data: bytes) -> str:
        """Store file content; the id is git's ``blob`` hash."""
        sha = _hash("blob", data)
        self.blobs[sha] = data
        return sha

    def put_tree(self, entries: list[TreeEntry]) -> str:
        """Store a tree; entries are sorted the way git sorts them."""
        ordered = tuple(sorted(entries, key=_git_sort_key))
        payload = b"".join(
            f"{e.mode.lstrip('0')} {e.name}".encode() + b"\0" + bytes.fromhex(e.sha)
            for e in ordered
        )
        sha = _hash("tree", payload)
        self.trees[sha] = ordered
        return sha

    def put_commit(
        self, tree: str, parents: list[str], message: str, author: Signature, committer: Signature
    ) -> str:
        """Store a commit over ``tree`` with ``parents``."""
        lines = [f"tree {tree}", *(f"parent {p}" for p in parents)]
        lines.append(f"author {_signature(author)}")
        lines.append(f"committer {_signature(committer)}")
        payload = ("\n".join(lines) + "\n\n" + message).encode()
        sha = _hash("commit", payload)
        self.commits[sha] = Commit(sha, tree, tuple(parents), message, author, committer)
        return sha

    def flatten(self, tree_sha: str, prefix: str = "") -> dict[str, tuple[str, str]]:
        """Every file below ``tree_sha`` as ``path → (mode, blob sha)``."""
        files: dict[str, tuple[str, str]] = {}
        for entry in self.trees[tree_sha]:
            path = f"{prefix}{entry.name}"
            if entry.type == "tree":
                files.update(self.flatten(entry.sha, f"{path}/"))
            else:
                files[path] = (entry.mode, entry.sha)
        return files

    def build(self, files: dict[str, tuple[str, str]]) -> str:
        """Store the nested trees for ``path → (mode, blob sha)`` and return the root id."""
        children: dict[str, dict[str, tuple[str, str]]] = {}
        entries: list[TreeEntry] = []
        for path, (mode, sha) in files.items():
            head, _, rest = path.partition("/")
            if rest:
                children.setdefault(head, {})[rest] = (mode, sha)
            else:
                entries.append(TreeEntry(head, mode, "blob", sha))
        for name, subtree in children.items():
            entries.append(TreeEntry(name, TREE_MODE, "tree", self.build(subtree)))
        return self.put_tree(entries)

    def walk(self, tree_sha: str, recursive: bool) -> list[tuple[str, TreeEntry]]:
        """``(path, entry)`` for the tree's entries, depth first when ``recursive``."""
        found: list[tuple[str, TreeEntry]] = []
        for entry in self.trees[tree_sha]:
            found.append((entry.name, entry))
            if recursive and entry.type == "tree":
                found.extend((f"{entry.name}/{p}", e) for p, e in self.walk(entry.sha, True))
        return found

    def lookup(self, tree_sha: str, path: str) -> TreeEntry | None:
        """The entry at ``path`` below ``tree_sha``, or None."""
        current: TreeEntry | None = None
        tree = tree_sha
        for part in path.strip("/").split("/"):
            if current is not None:
                if current.type != "tree":
                    return None
                tree = current.sha
            current = next((e for e in self.trees[tree] if e.name == part), None)
            if current is None:
                return None
        return current

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """Whether ``ancestor`` is reachable from ``descendant`` (or is it)."""
        seen: set[str] = set()
        stack = [descendant]
        while stack:
            sha = stack.pop()
            if sha == ancestor:
                return True
            if sha in seen or sha not in self.commits:
                continue
            seen.add(sha)
            stack.extend(self.commits[sha].parents)
        return False

    def count_commits(self, head: str, base: str) -> int:
        """Commits reachable from ``head`` but not from ``base`` (``git rev-list base..head``)."""
        excluded = self._reachable(base)
        return len(self._reachable(head) - excluded)

    def reachable(self, head: str) -> set[str]:
        """Every commit reachable from ``head`` (``git rev-list head``, unordered)."""
        return self._reachable(head)

    def _reachable(self, head: str) -> set[str]:
        """Every commit reachable from ``head``."""
        seen: set[str] = set()
        stack = [head]
        while stack:
            sha = stack.pop()
            if sha in seen or sha not in self.commits:
                continue
            seen.add(sha)
            stack.extend(self.commits[sha].parents)
        return seen


def blob_sha(data: bytes) -> str:
    """The git object id of a file with content ``data``."""
    return _hash("blob", data)


def _hash(kind: str, payload: bytes) -> str:
    """git's object id: sha1 of ``<kind> <size>\\0<payload>``."""
    return hashlib.sha1(f"{kind} {len(payload)}".encode() + b"\0" + payload).hexdigest()


def _git_sort_key(entry: TreeEntry) -> bytes:
    """git orders tree entries bytewise, folders as if their name ended in ``/``."""
    return (entry.name + ("/" if entry.type == "tree" else "")).encode()


def _signature(who: Signature) -> str:
    """``Name <email> 1700000000 +0000``."""
    return f"{who.name} <{who.email}> {who.timestamp} +0000"
