"""One name for one thing in every command: ``--root`` for the records folder (``--repo``
only as a hidden alias), no option accepted and ignored, and read-only commands that never
create a file. The command tree is walked with click's introspection."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from intake_support import make_records_repo
from yishi.cli import main
from yishi.cli_options import AliasedOption

PROJECT = Path(__file__).resolve().parents[1]


def commands(group: click.Group = main, prefix: str = "yishi") -> Iterator[tuple[str, click.Command]]:
    """Every leaf command of the CLI with its full name."""
    for name, command in sorted(group.commands.items()):
        full = f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from commands(command, full)
        else:
            yield full, command


ALL = list(commands())


def test_the_walk_finds_every_command() -> None:
    names = {name for name, _ in ALL}
    assert {"yishi check", "yishi diff", "yishi intake serve", "yishi intake work",
            "yishi intake status", "yishi review show", "yishi issue-form submit"} <= names


@pytest.mark.parametrize(("name", "command"), ALL, ids=[name for name, _ in ALL])
def test_repo_is_only_a_hidden_alias_of_root(name: str, command: click.Command) -> None:
    for param in command.params:
        if not isinstance(param, click.Option):
            continue
        if "--repo" in param.opts or param.name in {"repo", "root"}:
            assert param.opts[0] == "--root" and param.name == "root", (name, param.opts)
            # The one root option: hidden old name, and a missing folder named in Chinese.
            assert isinstance(param, AliasedOption) and "--repo" in param.hidden_aliases, name
    help_text = CliRunner().invoke(main, [*name.split()[1:], "--help"]).output
    assert "--repo" not in help_text


def _names_used(callback: object) -> set[str]:
    """The names a command's function reads; for one that takes ``**kwargs``, also every
    string in its module (such commands pop their options by name, in helpers too)."""
    function_object = inspect.unwrap(callback)  # type: ignore[arg-type]
    source = textwrap.dedent(inspect.getsource(function_object))
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef)
    used = {node.id for stmt in function.body for node in ast.walk(stmt)
            if isinstance(node, ast.Name)}
    kwarg = function.args.kwarg
    if kwarg is not None:
        module = ast.parse(inspect.getsource(inspect.getmodule(function_object)))  # type: ignore[arg-type]
        used |= {node.value for node in ast.walk(module)
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        forwarded = any(isinstance(node, ast.keyword) and node.arg is None
                        and isinstance(node.value, ast.Name) and node.value.id == kwarg.arg
                        for stmt in function.body for node in ast.walk(stmt))
        if forwarded:  # f(**options): whatever the signature does not name is handed on
            used.add("*")
    return used


@pytest.mark.parametrize(("name", "command"), ALL, ids=[name for name, _ in ALL])
def test_every_option_a_command_accepts_acts(name: str, command: click.Command) -> None:
    """An accepted option reaches the command's code (``intake serve --forge`` did not)."""
    used = _names_used(command.callback)
    signature = inspect.signature(inspect.unwrap(command.callback))  # type: ignore[arg-type]
    ignored = [param.name for param in command.params
               if param.expose_value and param.name not in used
               and not ("*" in used and param.name not in signature.parameters)]
    assert ignored == [], name


@pytest.mark.parametrize(("command", "option"), [
    ("intake serve", "--forge"), ("intake serve", "--github-repo"),
    ("intake serve", "--github-api-url"), ("intake serve", "--main-branch"),
    ("intake work", "--min-fill-seconds"), ("issue-form submit", "--forge"),
])
def test_options_that_did_nothing_are_gone(command: str, option: str) -> None:
    result = CliRunner().invoke(main, [*command.split(), option, "x"])
    assert result.exit_code == 2
    assert f"Error: No such option '{option}'." in result.output


def test_the_old_name_still_works(tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    for flag in ("--repo", "--root"):
        result = CliRunner().invoke(main, ["review", "list", flag, str(repo)])
        assert result.exit_code == 0, result.output
        assert "0 open proposal(s)." in result.output


@pytest.mark.parametrize("args", [["check"], ["review", "list"], ["issue-form", "render"],
                                  ["diff", "HEAD"], ["intake", "work", "--once"]])
def test_a_missing_records_folder_is_named(tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(main, [*args, "--root", str(missing)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: Invalid value for '--root': 文件夹 '{missing}' 不存在 "
        f"(folder '{missing}' does not exist)")
    assert not missing.exists()


def test_a_file_is_not_a_records_folder(tmp_path: Path) -> None:
    file = tmp_path / "council.yml"
    file.write_text("name: x\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--root", str(file)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: Invalid value for '--root': '{file}' 是文件，不是文件夹 "
        f"('{file}' is a file, not a folder)")


def test_read_only_commands_create_nothing(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_records_repo(tmp_path / "records")
    work = tmp_path / "elsewhere"
    work.mkdir()
    monkeypatch.chdir(work)
    db = work / "var" / "intake.sqlite3"
    for args in (["intake", "status"], ["intake", "status", "--db", str(db)],
                 ["review", "show", "2024-0312-abcd", "--root", str(repo), "--contact"],
                 ["intake", "purge", "--older-than", "30"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, (args, result.output)
        assert list(work.iterdir()) == [], args
    result = CliRunner().invoke(main, ["intake", "status"])
    assert result.output.strip() == (
        "Error: intake 数据库 var/intake.sqlite3 不存在(请检查 --db)。 / "
        "The intake store var/intake.sqlite3 does not exist (check --db).")
