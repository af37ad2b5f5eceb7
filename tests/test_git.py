"""The git helper: one error that names what failed, a scrubbed environment, shared queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_support import git as run
from yishi import git
from yishi.errors import YishiError
from yishi.git import GitError


def _repo(root: Path, files: dict[str, str]) -> str:
    """A repository at ``root`` whose one new commit holds ``files``; that commit's id."""
    if not (root / ".git").exists():
        root.mkdir(parents=True, exist_ok=True)
        run(root, "init", "-q", "-b", "main")
    for path, content in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(content, encoding="utf-8")
    run(root, "add", "-A")
    run(root, "commit", "-q", "-m", "files")
    return run(root, "rev-parse", "HEAD").strip()


def test_a_failure_names_the_command_the_repository_and_gits_complaint(tmp_path: Path) -> None:
    _repo(tmp_path, {"a.txt": "a"})
    with pytest.raises(GitError) as raised:
        git.git(tmp_path, "cat-file", "blob", "HEAD:nope.txt")
    message = str(raised.value)
    assert message.startswith("git cat-file blob HEAD:nope.txt failed in ")
    assert str(tmp_path) in message and "nope.txt" in raised.value.stderr
    assert raised.value.stderr in message and raised.value.root == tmp_path
    assert isinstance(raised.value, YishiError)
    # Without ``check`` the caller reads the exit status itself.
    assert git.run(tmp_path, "cat-file", "-e", "HEAD:nope.txt", check=False).returncode != 0


def test_location_variables_never_redirect_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = _repo(tmp_path / "mine", {"a.txt": "mine"})
    other = _repo(tmp_path / "other", {"a.txt": "other"})
    # What a git hook sets: without scrubbing, every command would read the other repository.
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "other" / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(tmp_path / "other"))
    assert git.resolve(tmp_path / "mine", "HEAD") == mine != other
    assert git.read_blobs(tmp_path / "mine", "HEAD", ["a.txt"]) == {"a.txt": b"mine"}


def test_revisions_resolve_or_are_named_unknown(tmp_path: Path) -> None:
    first = _repo(tmp_path, {"a.txt": "1"})
    second = _repo(tmp_path, {"a.txt": "2"})
    assert git.rev_parse(tmp_path, "main") == git.resolve(tmp_path, "HEAD") == second
    assert git.rev_parse(tmp_path, "nope") is None
    assert git.rev_parse(tmp_path / "absent", "HEAD") is None
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        git.resolve(tmp_path, "nope")
    assert git.is_ancestor(tmp_path, first, second)
    assert not git.is_ancestor(tmp_path, second, first)
    assert git.merge_base(tmp_path, first, second) == first


def test_trees_and_blobs_are_read_in_batches(tmp_path: Path) -> None:
    commit = _repo(tmp_path, {"content/a.md": "alpha", "content/sub/b.md": "beta\n",
                              "other.txt": "x"})
    entries = git.ls_tree(tmp_path, commit, "content")
    assert [(e.kind, e.path) for e in entries] == [("blob", "content/a.md"),
                                                   ("blob", "content/sub/b.md")]
    top = git.ls_tree(tmp_path, commit, recursive=False)
    assert {(e.kind, e.path) for e in top} == {("tree", "content"), ("blob", "other.txt")}
    assert git.read_objects(tmp_path, [e.oid for e in entries]) == [b"alpha", b"beta\n"]
    assert git.read_blobs(tmp_path, commit, ["content/sub/b.md", "gone.md", "content"]) == {
        "content/sub/b.md": b"beta\n", "gone.md": None, "content": None}
    assert git.read_objects(tmp_path, []) == []
