"""``yishi council --forge github``: one pull request per change, over real HTTP against the
GitHub stand-in, authored by the moderator, refused when GitHub's main moved past it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from intake_support import make_records_repo
from yishi.cli import main
from yishi.operations.changeset import CHANGE_ID_RE
from yishi.testing.github_standin import GithubStandin

RECEIVED = "2026-1118-cd9p"
PATH = f"content/issues/{RECEIVED}.md"
TOKEN = "ghp_standinCouncilToken0123456789abcd"


@pytest.fixture
def records(tmp_path: Path) -> Path:
    return make_records_repo(tmp_path / "records", full=True)


@pytest.fixture
def standin(records: Path) -> Iterator[GithubStandin]:
    """GitHub holding the same records as the local checkout's main branch."""
    files = {p.relative_to(records).as_posix(): p.read_bytes()
             for p in (records / "content").rglob("*") if p.is_file()}
    with GithubStandin("council/records", token=TOKEN, files=files) as server:
        yield server


def council(standin: GithubStandin, records: Path, *args: str, by: str) -> Result:
    return CliRunner(env={"GITHUB_TOKEN": TOKEN}).invoke(main, [
        "council", *args, "--root", str(records), "--by", by, "--on", "2026-11-20",
        "--forge", "github", "--github-repo", "council/records",
        "--github-api-url", standin.api_url,
    ])


def test_a_change_is_one_pull_request_with_the_diff_and_labels(
    standin: GithubStandin, records: Path
) -> None:
    result = council(standin, records, "screen", RECEIVED, "--accept", by="王主持")
    assert result.exit_code == 0, result.output
    change_id = result.stdout.strip().splitlines()[-1]
    assert CHANGE_ID_RE.match(change_id)
    branch = f"change/{change_id}"
    assert [b for b in standin.branches() if b.startswith("change/")] == [branch]
    assert standin.commits_ahead(branch) == 1
    assert b"status: accepted" in standin.files_on(branch)[PATH]
    [pull] = [p for p in standin.pulls if p.head == branch]
    assert pull.base == "main" and pull.title.startswith(f"受理提案 {RECEIVED}")
    assert "状态变化 status changes **1**" in pull.body and "王主持" in pull.body
    assert sorted(pull.labels) == ["council-change", "screen"]
    commit = standin.repository.store.commits[standin.branches()[branch]]
    assert commit.author.name == "王主持"
    assert commit.committer.name == "Yishi bot"  # the token's account commits
    assert "Requested-by: 王主持" in commit.message
    # Asked again (a retry): the same pull request, nothing doubled.
    again = council(standin, records, "screen", RECEIVED, "--accept", by="王主持")
    assert again.exit_code == 0 and again.stdout.strip().splitlines()[-1] == change_id
    assert len(standin.pulls) == 1


def test_a_change_made_from_an_older_main_is_refused_with_who_changed_it(
    standin: GithubStandin, records: Path
) -> None:
    first = council(standin, records, "screen", RECEIVED, "--accept", by="王主持")
    assert first.exit_code == 0, first.output
    standin.merge(standin.pulls[0].number)  # approved on GitHub; the checkout is not pulled
    second = council(standin, records, "screen", RECEIVED, "--reject", "--reason", "属于个人诉求",
                     "--failed", "public", by="赵委员")
    assert second.exit_code == 1
    assert "王主持" in second.stderr and PATH in second.stderr
    assert second.stderr.startswith("yishi council screen: 变更")
    assert len(standin.pulls) == 1  # no second pull request
