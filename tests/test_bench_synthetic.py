"""The synthetic council generator: deterministic, realistic, and always valid."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from yishi.checks import run_checks
from yishi.lifecycle import Status
from yishi.loading import load_repository
from yishi.synthetic import cli, write_synthetic_repository


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_every_generated_repository_passes_the_checks(tmp_path: Path, seed: int) -> None:
    summary = write_synthetic_repository(tmp_path, 400, seed=seed)
    repo = load_repository(tmp_path)
    assert run_checks(repo) == []
    assert len(repo.issues) == 400
    assert len(repo.meetings) == 40 == summary.meetings
    assert (tmp_path / "mkdocs.yml").read_text(encoding="utf-8").startswith("site_name:")


def test_statuses_and_categories_come_in_realistic_proportions(tmp_path: Path) -> None:
    write_synthetic_repository(tmp_path, 2000, seed=3)
    repo = load_repository(tmp_path)
    statuses = [loaded.record.status for loaded in repo.issues.values()]
    # Every status of the lifecycle occurs; most proposals end up carried out or done.
    assert set(statuses) == set(Status)
    done_share = statuses.count(Status.DONE) / len(statuses)
    assert 0.2 < done_share < 0.5
    categories = {loaded.record.category for loaded in repo.issues.values()}
    assert len(categories) == 13
    assert repo.council is not None and len(repo.council.communities) == 129
    # Decisions are recorded once, in meetings, with votes on most of them.
    decided = [item for m in repo.meetings.values() for item in m.record.agenda
               if item.outcome == "decided"]
    assert decided and sum(item.vote is not None for item in decided) > len(decided) / 2
    assert all("\u4e00" <= loaded.record.title[0] <= "\u9fff" or loaded.record.title[0].isdigit()
               for loaded in repo.issues.values())


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    write_synthetic_repository(tmp_path / "a", 120, seed=5)
    write_synthetic_repository(tmp_path / "b", 120, seed=5)
    write_synthetic_repository(tmp_path / "c", 120, seed=6)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_command_line_writes_a_git_repository_with_the_given_config(tmp_path: Path) -> None:
    config = tmp_path / "custom.yml"
    config.write_text("site_name: custom\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["--issues", "30", "--out", str(out), "--mkdocs-yml", str(config), "--git"])
    assert result.exit_code == 0, result.output
    assert "Wrote 30 issues, 3 meetings" in result.output
    assert (out / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: custom\n"
    assert (out / ".git").is_dir()
    assert len(list((out / "content" / "issues").glob("*.md"))) == 30
    again = CliRunner().invoke(cli, ["--issues", "30", "--out", str(out)])
    assert again.exit_code != 0 and "already holds files" in again.output
