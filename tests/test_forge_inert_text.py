"""Resident text a forge shows cannot notify, cross-reference or close anything on GitHub:
pull request titles and bodies, commit messages (local forge and GitHub stand-in), and the
issue form's proposals, with every closing keyword in every casing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from intake_support import form, git, make_records_repo
from yishi.council import Council, load_council
from yishi.forges.github import GithubForge
from yishi.forges.local import LocalForge
from yishi.forges.ratelimit import RequestBudget
from yishi.intake.proposal import build_proposal
from yishi.intake.submission import Submission, parse_submission
from yishi.issue_form.event import IssueEvent
from yishi.issue_form.submit import issue_id_for, issue_proposal
from yishi.testing.github_standin import GithubStandin

KEYWORDS = ["close", "closes", "closed", "fix", "fixes", "fixed", "resolve", "resolves",
            "resolved"]
CASINGS = [str.lower, str.title, str.upper]
HOSTILE_TITLE = "fixes #12 请 @octocat 与 @council/moderators 看 other/repo#3"
HOSTILE = {
    "title": HOSTILE_TITLE,
    "description": "\n".join(f"{case(word)} #{n} {case(word)}: other/repo#{n} GH-{n}"
                             for n, (word, case) in enumerate(
                                 (w, c) for w in KEYWORDS for c in CASINGS)),
    "name": "@someone",
    "location": "Resolves owner/repo#9 东门",
}

#: What GitHub acts on: mentions, issue references and closing keywords.
ACTIVE = [
    re.compile(r"(?<![\w`])@[A-Za-z0-9][A-Za-z0-9-]*"),
    re.compile(r"(?<![\w])(?:[\w.-]+/[\w.-]+)?#\d+"),
    re.compile(r"\bGH-\d+", re.IGNORECASE),
    re.compile(r"(?<![A-Za-z0-9_])(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)(?![A-Za-z0-9_])",
               re.IGNORECASE),
]


def active(text: str) -> list[str]:
    return [m[0] for pattern in ACTIVE for m in pattern.finditer(text)]


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Council:
    return load_council(make_records_repo(tmp_path_factory.mktemp("council")))


@pytest.fixture
def submission(council: Council) -> Submission:
    return parse_submission(form(**HOSTILE), council)


def test_the_hostile_text_is_active_as_typed() -> None:
    text = "\n".join(HOSTILE.values())
    found = active(text)
    assert len([f for f in found if f.lower().strip(":") in KEYWORDS]) == 2 * 3 * len(KEYWORDS) + 2
    assert "@octocat" in found and "@council" in found and "other/repo#3" in found


@pytest.mark.parametrize("word", KEYWORDS)
@pytest.mark.parametrize("case", CASINGS, ids=["lower", "title", "upper"])
@pytest.mark.parametrize("target", ["#12", "other/repo#12", "GH-12",
                                    "https://github.com/o/r/issues/12"])
def test_every_closing_keyword_is_inert(word: str, case: object, target: str) -> None:
    from yishi.forges.inert import JOINER, inert

    typed = f"{case(word)}: {target} 也{case(word)} {target}"  # type: ignore[operator]
    shown = inert(typed)
    assert active(typed) and active(shown) == []
    assert shown.replace(JOINER, "") == typed  # reads the same


def test_local_forge_commit_message_is_inert(tmp_path: Path, council: Council,
                                             submission: Submission) -> None:
    repo = make_records_repo(tmp_path / "records")
    proposal = build_proposal("2024-0312-2222", submission, [], council)
    LocalForge(repo).open_proposal(proposal)
    message = git(repo, "log", "-1", "--format=%B", proposal.branch)
    assert "octocat" in message and "other/repo" in message  # the title is there, readable
    assert active(message) == []


@pytest.fixture
def standin() -> Iterator[GithubStandin]:
    with GithubStandin("council/records", files={"README.md": b"records\n"}) as server:
        yield server


def test_github_title_body_and_commit_message_are_inert(
        standin: GithubStandin, council: Council, submission: Submission) -> None:
    forge = GithubForge(repo="council/records", token=standin.token, api_url=standin.api_url,
                        budget=RequestBudget(per_minute=1000, per_hour=10000))
    try:
        forge.open_proposal(build_proposal("2024-0312-2222", submission, [], council))
    finally:
        forge.close()
    [pull] = standin.pulls
    commits = [r.json()["message"] for r in standin.requests  # type: ignore[index]
               if r.method == "POST" and r.path.endswith("/git/commits")]
    assert len(commits) == 1
    assert "octocat" in pull.title and "other/repo" in (pull.body or "")
    for where, text in {"title": pull.title, "body": pull.body or "", "commit": commits[0],
                        "labels": " ".join(pull.labels)}.items():
        assert active(text) == [], f"active GitHub text in the pull request's {where}"


def test_issue_form_proposal_closes_only_its_own_issue(council: Council,
                                                       submission: Submission) -> None:
    event = IssueEvent(number=42, title=HOSTILE_TITLE, body="", sender="maintainer",
                       created_at=dt.datetime(2024, 3, 12, 9, tzinfo=dt.UTC),
                       html_url="https://github.com/council/records/issues/42",
                       label="accepted", labels=("proposal", "accepted"))
    proposal = issue_proposal(issue_id_for(event, council), submission, council, event)
    assert active(proposal.title) == []
    assert active(proposal.commit_message) == ["#42"]  # "(issue form, #42)": its own issue
    assert sorted(set(active(proposal.body))) == ["#42", "Closes"]


def test_yishi_diff_summaries_are_inert_too() -> None:
    from yishi.diff.markdown import text

    shown = text("Fixes #12 @octocat other/repo#3 GH-4")
    assert "octocat" in shown and active(shown) == []
