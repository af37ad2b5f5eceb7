"""`yishi check` on the project's own records, and what the demo content must show."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from yishi.cli import main
from yishi.lifecycle import LABELS, Status
from yishi.loading import Repository, load_repository
from yishi.records import Outcome

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def repo() -> Repository:
    return load_repository(ROOT)


def test_check_passes_and_prints_counts_by_status(repo: Repository) -> None:
    result = CliRunner().invoke(main, ["check", "--root", str(ROOT)])
    assert result.exit_code == 0, result.output
    summary = result.stdout.strip()
    assert "\n" not in summary
    assert summary.startswith(f"OK: {len(repo.issues)} issues, {len(repo.meetings)} meetings (")
    for status in Status:
        count = sum(1 for i in repo.issues.values() if i.record.status is status)
        assert f"{LABELS[status]} {status.value} {count}" in summary


def test_check_defaults_to_the_current_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0
    assert result.stdout.startswith("OK: ")


def test_demo_size_and_coverage(repo: Repository) -> None:
    issues = [loaded.record for loaded in repo.issues.values()]
    assert len(issues) >= 15
    assert len(repo.meetings) >= 5
    assert len({i.community for i in issues}) >= 4
    assert {i.status for i in issues} == set(Status)


def test_demo_real_cases(repo: Repository) -> None:
    titles = " ".join(loaded.record.title + loaded.body for loaded in repo.issues.values())
    for words in ("小广告", "座椅", "垃圾房", "护栏", "电梯", "兰观小街", "噪音", "顶层漏雨"):
        assert words in titles, words
    assert "2023-0403-k7qm" in repo.issues and "2023-0418-sy01" in repo.meetings
    merged = [i.record for i in repo.issues.values() if i.record.status is Status.MERGED]
    assert merged and all(m.merged_into in repo.issues for m in merged)
    council = repo.council
    assert council is not None
    rejected = [i.record for i in repo.issues.values() if i.record.status is Status.REJECTED]
    assert any(r.screening and r.screening.negative_item in council.negative_items for r in rejected)
    escalated = [i.record.escalated_to for i in repo.issues.values() if i.record.escalated_to]
    assert any(e.level == "town" for e in escalated)
    assert any(i.record.feedback and i.record.feedback.responses for i in repo.issues.values())


def test_demo_votes(repo: Repository) -> None:
    votes = [item.vote for m in repo.meetings.values() for item in m.record.agenda if item.vote]
    assert any(v.votes and len(v.votes) == v.yes + v.no + v.abstain + v.absent for v in votes)
    owners = [v for v in votes if v.threshold == 0.7 and v.basis == "eligible"]
    assert owners and owners[0].passed and owners[0].yes / owners[0].eligible >= 0.7
    assert "新康园" in repo.meetings["2019-0420-xk8p"].record.title


def test_demo_actions_and_upcoming_meeting(repo: Repository) -> None:
    actions = [a for i in repo.issues.values() for a in i.record.actions]
    assert any(a.due and a.done for a in actions)
    overdue = [a for a in actions if a.due and a.due < TODAY and a.done is None]
    assert overdue
    upcoming = [m.record for m in repo.meetings.values() if m.record.date > dt.date(2026, 12, 1)]
    assert upcoming and all(m.upcoming for m in upcoming)
    # Its issues are scheduled, naming it, with no outcome recorded yet.
    for meeting in upcoming:
        for item in meeting.agenda:
            issue = repo.issues[item.issue].record
            assert issue.status is Status.SCHEDULED
            assert issue.timeline[-1].meeting == meeting.id
    outcomes = {item.outcome for m in repo.meetings.values() for item in m.record.agenda}
    assert set(Outcome) | {None} == outcomes


def test_demo_note_says_where_the_demo_comes_from(repo: Repository) -> None:
    assert repo.council is not None
    assert "改编自公开发表的报道" in repo.council.demo_note


def test_records_hold_no_contact_details() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "content").rglob("*.md"))
    assert not re.search(r"1[3-9]\d{9}|@\w+\.\w+", text)


def test_broken_council_is_reported_without_traceback(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    council = tmp_path / "content" / "council.yml"
    council.write_text(council.read_text(encoding="utf-8").replace("level: street", "level: planet"),
                       encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--root", str(tmp_path)])
    assert result.exit_code == 1
    # The line and the key at fault, as for a record: `level: planet` is the council's own level.
    line = next(n for n, text in enumerate(council.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("level: planet"))
    assert result.stdout.startswith(f"content/council.yml:{line}: level: ")
    assert "'planet' is not one of the council's levels" in result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_council_is_reported(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert "content/council.yml: missing" in result.stdout


def test_a_nested_council_problem_names_its_line_and_key(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    council = tmp_path / "content" / "council.yml"
    lines = council.read_text(encoding="utf-8").splitlines()
    communities = lines.index("communities:")
    # The first community's slug, misspelt with a capital letter the schema refuses.
    slug_line = next(n for n in range(communities, len(lines)) if "slug:" in lines[n])
    lines[slug_line] = lines[slug_line].replace("slug: ", "slug: Bad_")
    council.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--root", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.startswith(f"content/council.yml:{slug_line + 1}: communities[0].slug: ")
