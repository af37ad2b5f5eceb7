"""The README documents every `yishi` command, and its record examples are valid records."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from yishi.cli import main
from yishi.council import load_council
from yishi.loading import load_record
from yishi.records import Issue, Meeting

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(command: click.Command, path: str) -> Iterator[str]:
    """``yishi``, then every subcommand's full name, recursively."""
    yield path
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, f"{path} {name}")


def test_every_command_is_in_the_readme() -> None:
    names = list(_commands(main, "yishi"))
    assert "yishi check" in names
    missing = [name for name in names if name not in README]
    assert not missing, "README.md does not mention: " + ", ".join(missing)


def test_the_walk_finds_nested_commands() -> None:
    @click.group()
    def root() -> None: ...

    @root.group()
    def outer() -> None: ...

    @outer.command()
    def inner() -> None: ...

    assert list(_commands(root, "x")) == ["x", "x outer", "x outer inner"]


def _yaml_example(heading: str) -> str:
    """The ```yaml block after the README paragraph starting with ``heading``."""
    match = re.search(re.escape(heading) + r".*?```yaml\n(.*?)```", README, re.S)
    assert match, heading
    return match.group(1)


@pytest.mark.parametrize(("heading", "model", "path"), [
    ("提案 · An issue", Issue, "content/issues/2023-0403-k7qm.md"),
    ("议事会 · A meeting", Meeting, "content/meetings/2023-0418-sy01.md"),
])
def test_readme_examples_are_valid_records(heading: str, model: type[Issue | Meeting], path: str) -> None:
    loaded = load_record(model, path, _yaml_example(heading), load_council(ROOT))
    assert not isinstance(loaded, list), loaded
    assert loaded.record.id == Path(path).stem
