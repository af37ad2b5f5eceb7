"""The GitHub forge, through PyGithub over real HTTP against the local GitHub stand-in."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from yishi.errors import ForgeError, ForgeRetryable
from yishi.forges.base import Proposal, ProposalState
from yishi.forges.github import GithubForge
from yishi.forges.ratelimit import RequestBudget
from yishi.testing.github_standin import GithubStandin

TOKEN = "ghp_standinSecretToken0123456789abcdef"
ISSUE = "2024-0312-k7qm"
# Not UTF-8, so it travels as a base64 blob, as a photo does.
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256))
BODY = "### 楼道灯不亮\n\n| 项目 | 内容 |\n| --- | --- |\n| 社区 | 东四 |\n\n#### 筛选清单\n\n- [ ] 公共性\n"


def proposal(issue_id: str = ISSUE, photo: bool = True) -> Proposal:
    """A proposal as the intake builds it: the record, a photo, labels."""
    record = (
        f"---\nid: {issue_id}\ntitle: 楼道灯不亮\nstatus: received\n---\n\n三单元楼道灯坏了两周。\n"
    )
    files = {f"content/issues/{issue_id}.md": record.encode()}
    if photo:
        files[f"content/media/{issue_id}/1.jpg"] = PHOTO
    return Proposal(
        issue_id=issue_id,
        title=f"提案 {issue_id}:楼道灯不亮",
        body=BODY,
        files=files,
        commit_message=f"Add proposal {issue_id} (web form)\n",
        labels=("proposal", "dongsi", "public-space"),
    )


@pytest.fixture
def standin() -> Iterator[GithubStandin]:
    with GithubStandin(
        "council/records", token=TOKEN, files={"content/council.yml": b"name: demo\n"}
    ) as server:
        yield server


@pytest.fixture
def forge(standin: GithubStandin) -> Iterator[GithubForge]:
    made = make_forge(standin)
    yield made
    made.close()


def make_forge(standin: GithubStandin, **kwargs: object) -> GithubForge:
    """A forge as the intake builds it: repo, token, API URL (and a generous budget)."""
    kwargs.setdefault("budget", RequestBudget(per_minute=1000, per_hour=10000))
    return GithubForge(repo="council/records", token=TOKEN, api_url=standin.api_url, **kwargs)  # type: ignore[arg-type]


def assert_one_complete_proposal(standin: GithubStandin, issue_id: str = ISSUE) -> None:
    """Exactly one branch with one commit holding every file, one PR with its labels."""
    branch = f"proposal/{issue_id}"
    assert [b for b in standin.branches() if b.startswith("proposal/")] == [branch]
    assert standin.commits_ahead(branch) == 1
    files = standin.files_on(branch)
    expected = proposal(issue_id).files
    assert {p: files[p] for p in expected} == expected
    assert files["content/council.yml"] == b"name: demo\n"  # built on main, not from scratch
    pulls = [p for p in standin.pulls if p.head == branch]
    assert len(pulls) == 1
    assert pulls[0].base == "main"
    assert pulls[0].body == BODY
    assert pulls[0].title == f"提案 {issue_id}:楼道灯不亮"
    assert sorted(pulls[0].labels) == ["dongsi", "proposal", "public-space"]


def test_open_proposal_makes_one_branch_one_commit_one_pull_request(
    standin: GithubStandin, forge: GithubForge
) -> None:
    ref = forge.open_proposal(proposal())

    assert_one_complete_proposal(standin)
    assert ref.issue_id == ISSUE
    assert ref.state is ProposalState.OPEN
    assert ref.url.endswith("/council/records/pull/1")
    # The photo went up as a blob; record and photo landed in ONE commit (one tree, one commit).
    writes = [(r.method, r.path.split("/records", 1)[1]) for r in standin.content_requests()]
    assert writes.count(("POST", "/git/blobs")) == 1
    assert writes.count(("POST", "/git/trees")) == 1
    assert writes.count(("POST", "/git/commits")) == 1
    assert writes.count(("POST", "/git/refs")) == 1
    assert writes.count(("POST", "/pulls")) == 1
    labels = {standin.labels[n].name: standin.labels[n].color for n in standin.labels}
    assert labels["proposal"] == "1d76db"  # created by the forge, not auto-created grey


def test_opening_again_changes_nothing(standin: GithubStandin, forge: GithubForge) -> None:
    first = forge.open_proposal(proposal())
    writes = len(standin.content_requests())

    again = forge.open_proposal(proposal())
    restarted = make_forge(standin)
    from_new_process = restarted.open_proposal(proposal())
    restarted.close()

    assert again == first == from_new_process
    assert len(standin.content_requests()) == writes  # only reads the second and third time
    assert_one_complete_proposal(standin)


def test_existing_labels_are_reused_not_recreated(
    standin: GithubStandin, forge: GithubForge
) -> None:
    forge.open_proposal(proposal("2024-0312-aaaa"))
    fresh = make_forge(standin)  # knows nothing of the labels made above

    fresh.open_proposal(proposal("2024-0312-bbbb"))
    fresh.close()

    label_posts = [
        r
        for r in standin.content_requests()
        if r.path.endswith("/labels") and "/issues/" not in r.path
    ]
    assert len(label_posts) == 3
    assert len(standin.labels) == 3
    assert sorted(standin.pulls[1].labels) == ["dongsi", "proposal", "public-space"]


# Every request the forge makes, by method and path; each is failed in turn, before GitHub
# acts (the answer is lost) and after it (the work is done but the client hears 502).
STEPS = [
    ("GET", r"/records$"),
    ("GET", r"/pulls$"),
    ("GET", r"/git/ref/heads/proposal/"),
    ("GET", r"/git/ref/heads/main$"),
    ("GET", r"/git/commits/"),
    ("POST", r"/git/blobs$"),
    ("POST", r"/git/trees$"),
    ("POST", r"/git/commits$"),
    ("POST", r"/git/refs$"),
    ("POST", r"/pulls$"),
    ("GET", r"/labels/"),
    ("POST", r"/labels$"),
    ("POST", r"/issues/\d+/labels$"),
]


# A read has no effect to keep, so only writes fail "after".
FAULTS = [(m, p, False) for m, p in STEPS] + [(m, p, True) for m, p in STEPS if m != "GET"]


@pytest.mark.parametrize(
    ("method", "path", "after"),
    FAULTS,
    ids=[f"{m} {p} {'after' if a else 'before'}" for m, p, a in FAULTS],
)
def test_a_failure_at_any_step_is_retryable_and_the_retry_never_doubles(
    standin: GithubStandin, forge: GithubForge, method: str, path: str, after: bool
) -> None:
    standin.inject(method, path, status=502, after=after)

    with pytest.raises(ForgeRetryable) as failed:
        forge.open_proposal(proposal())
    assert failed.value.retry_after is not None and failed.value.retry_after > 0
    assert [f.times for f in standin.faults] == [0]  # the fault was met at that step

    # The worker retries later, perhaps from a restarted process.
    restarted = make_forge(standin)
    restarted.open_proposal(proposal())
    restarted.open_proposal(proposal())
    restarted.close()
    assert_one_complete_proposal(standin)


def test_a_resumed_proposal_checks_its_branch_before_writing(
    standin: GithubStandin, forge: GithubForge
) -> None:
    standin.inject("POST", r"/pulls$", status=503)  # the branch is made, the PR is not
    with pytest.raises(ForgeRetryable):
        forge.open_proposal(proposal())
    standin.inject("GET", r"/contents/content/issues/", status=504)  # then the check fails
    with pytest.raises(ForgeRetryable):
        forge.open_proposal(proposal())
    writes = len(standin.content_requests())

    forge.open_proposal(proposal())

    assert_one_complete_proposal(standin)
    new_writes = [r.path.rsplit("/", 1)[-1] for r in standin.content_requests()[writes:]]
    assert sorted(new_writes) == ["labels", "labels", "labels", "labels", "pulls"]


def test_a_branch_made_without_our_files_gets_one_commit_on_top(
    standin: GithubStandin, forge: GithubForge
) -> None:
    main = standin.branches()["main"]
    standin.refs[f"refs/heads/proposal/{ISSUE}"] = main  # e.g. made by hand on GitHub

    forge.open_proposal(proposal())

    assert_one_complete_proposal(standin)
    assert any(r.method == "PATCH" for r in standin.content_requests())


def test_find_proposal_follows_the_pull_request_to_merged_and_closed(
    standin: GithubStandin, forge: GithubForge
) -> None:
    assert forge.find_proposal(ISSUE) is None
    opened = forge.open_proposal(proposal())
    assert forge.find_proposal(ISSUE) == opened

    standin.merge(1)
    standin.delete_branch(f"proposal/{ISSUE}")
    merged = forge.find_proposal(ISSUE)
    assert merged is not None and merged.state is ProposalState.MERGED
    assert merged.url == opened.url

    # A retry after the merge must not resurrect the branch or open a second PR.
    assert forge.open_proposal(proposal()).state is ProposalState.MERGED
    assert len(standin.pulls) == 1
    assert f"proposal/{ISSUE}" not in standin.branches()

    forge.open_proposal(proposal("2024-0312-cccc"))
    standin.close(2)
    closed = forge.find_proposal("2024-0312-cccc")
    assert closed is not None and closed.state is ProposalState.CLOSED
    assert forge.open_proposal(proposal("2024-0312-cccc")).state is ProposalState.CLOSED
    assert len(standin.pulls) == 2


def test_wrong_token_is_an_actionable_error_without_the_token(standin: GithubStandin) -> None:
    wrong = "ghp_wrongTokenValue987654321"
    forge = GithubForge(repo="council/records", token=wrong, api_url=standin.api_url)
    with pytest.raises(ForgeError) as refused:
        forge.open_proposal(proposal())
    forge.close()
    assert not isinstance(refused.value, ForgeRetryable)
    assert "401" in str(refused.value) and "GITHUB_TOKEN" in str(refused.value)
    assert wrong not in str(refused.value) and wrong not in repr(forge)


def test_unknown_repository_names_the_repository(standin: GithubStandin) -> None:
    forge = GithubForge(repo="council/recrods", token=TOKEN, api_url=standin.api_url)
    with pytest.raises(ForgeError) as refused:
        forge.find_proposal(ISSUE)
    forge.close()
    assert not isinstance(refused.value, ForgeRetryable)
    assert "council/recrods not found (404)" in str(refused.value)
    assert "--github-repo" in str(refused.value)


def test_read_only_token_is_told_which_permissions_it_lacks() -> None:
    with GithubStandin(token=TOKEN, token_can_write=False) as standin:
        forge = make_forge(standin)
        with pytest.raises(ForgeError) as refused:
            forge.open_proposal(proposal())
        forge.close()
    assert not isinstance(refused.value, ForgeRetryable)
    assert "403" in str(refused.value) and "pull requests" in str(refused.value)


def test_token_comes_from_the_environment_and_must_be_set(
    standin: GithubStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    with pytest.raises(ForgeError, match="GITHUB_TOKEN is not set"):
        GithubForge(repo="council/records", api_url=standin.api_url)
    with pytest.raises(ForgeError, match="OWNER/NAME, got 'records'"):
        GithubForge(repo="records", token=TOKEN)

    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    forge = GithubForge(repo="council/records", api_url=standin.api_url)
    forge.open_proposal(proposal())
    forge.close()
    assert_one_complete_proposal(standin)


def test_the_token_never_reaches_logs_errors_or_request_bodies(
    standin: GithubStandin, forge: GithubForge, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # PyGithub and urllib3 log every request at DEBUG
    errors: list[str] = []
    standin.inject("POST", r"/git/refs$", status=502)
    standin.secondary_limit("POST", r"/pulls$", retry_after=1)
    for _ in range(2):
        try:
            forge.open_proposal(proposal())
        except ForgeRetryable as error:
            errors.append(str(error))
    forge.budget = RequestBudget(per_minute=1000, per_hour=10000)  # forget the pause
    forge.open_proposal(proposal())

    assert len(errors) == 2
    assert any("POST" in r.getMessage() for r in caplog.records)  # the requests were logged
    assert not [r for r in caplog.records if TOKEN in r.getMessage()]
    assert not [e for e in errors if TOKEN in e]
    assert not [r for r in standin.requests if TOKEN.encode() in r.body or TOKEN in r.path]
    assert TOKEN not in repr(forge)


def test_proposals_merged_one_after_another_all_land_on_main(
    standin: GithubStandin, forge: GithubForge
) -> None:
    for issue_id in ("2024-0312-aaaa", "2024-0312-bbbb"):
        forge.open_proposal(proposal(issue_id))
    standin.merge(2)
    standin.merge(1)  # its branch left main before #2 was merged

    main = standin.files_on("main")
    for issue_id in ("2024-0312-aaaa", "2024-0312-bbbb"):
        assert (
            main[f"content/issues/{issue_id}.md"]
            == proposal(issue_id).files[f"content/issues/{issue_id}.md"]
        )
        assert forge.find_proposal(issue_id).state is ProposalState.MERGED  # type: ignore[union-attr]
    assert main["content/council.yml"] == b"name: demo\n"
