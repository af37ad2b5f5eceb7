"""The GitHub stand-in answers like GitHub: shapes, status codes, headers, object ids."""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from github.Requester import Requester

from yishi.testing.github_standin import GithubStandin

TOKEN = "standin-test-token"
SEED = {"content/council.yml": b"name: demo\n", "mkdocs.yml": b"site_name: x\n"}
RATE_HEADERS = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-used",
    "x-ratelimit-reset",
    "x-ratelimit-resource",
)


@pytest.fixture
def standin() -> Iterator[GithubStandin]:
    with GithubStandin("council/records", token=TOKEN, files=SEED) as server:
        yield server


@pytest.fixture
def api(standin: GithubStandin) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"token {TOKEN}", "Accept": "application/vnd.github+json"}
    with httpx.Client(base_url=standin.repo_url, headers=headers) as client:
        yield client


def error_body(response: httpx.Response) -> dict[str, Any]:
    """GitHub's error shape: message, documentation_url, and the status as a string."""
    body: dict[str, Any] = response.json()
    assert set(body) - {"errors"} == {"message", "documentation_url", "status"}
    assert body["status"] == str(response.status_code)
    assert body["documentation_url"].startswith("https://docs.github.com/")
    return body


def branch_with_commit(api: httpx.Client, branch: str) -> str:
    """Create ``branch`` with one commit on main; its sha."""
    main = api.get("/git/ref/heads/main").json()["object"]["sha"]
    base_tree = api.get(f"/git/commits/{main}").json()["tree"]["sha"]
    tree = api.post(
        "/git/trees",
        json={
            "base_tree": base_tree,
            "tree": [
                {
                    "path": f"content/issues/{branch}.md",
                    "mode": "100644",
                    "type": "blob",
                    "content": "x\n",
                }
            ],
        },
    ).json()["sha"]
    commit = api.post(
        "/git/commits", json={"message": "m", "tree": tree, "parents": [main]}
    ).json()["sha"]
    assert (
        api.post("/git/refs", json={"ref": f"refs/heads/{branch}", "sha": commit}).status_code
        == 201
    )
    return str(commit)


def test_every_answer_carries_the_rate_limit_headers(
    standin: GithubStandin, api: httpx.Client
) -> None:
    answers = [
        api.get(""),
        api.get("/git/ref/heads/nope"),
        api.post("/labels", json={"name": "x", "color": "zzzzzz"}),
        httpx.get(standin.repo_url, headers={"Authorization": "token wrong"}),
    ]
    assert [a.status_code for a in answers] == [200, 404, 422, 401]
    for answer in answers:
        assert all(name in answer.headers for name in RATE_HEADERS)
        assert answer.headers["x-ratelimit-resource"] == "core"
        assert answer.headers["content-type"] == "application/json; charset=utf-8"
    remaining = [int(a.headers["x-ratelimit-remaining"]) for a in answers[:3]]
    assert remaining == [4999, 4998, 4997]


def test_authentication_is_required_and_checked(standin: GithubStandin) -> None:
    missing = httpx.get(standin.repo_url)
    wrong = httpx.get(standin.repo_url, headers={"Authorization": "Bearer nope"})
    bearer = httpx.get(standin.repo_url, headers={"Authorization": f"Bearer {TOKEN}"})
    assert (missing.status_code, error_body(missing)["message"]) == (401, "Requires authentication")
    assert (wrong.status_code, error_body(wrong)["message"]) == (401, "Bad credentials")
    assert bearer.status_code == 200 and bearer.json()["default_branch"] == "main"


def test_unknown_repository_and_unknown_paths_are_404(
    standin: GithubStandin, api: httpx.Client
) -> None:
    other = api.get(f"{standin.api_url}/repos/council/other")
    assert (other.status_code, error_body(other)["message"]) == (404, "Not Found")
    assert api.get("/no/such/endpoint").status_code == 404
    assert api.delete("/pulls").status_code == 404


def test_object_ids_are_gits_own(standin: GithubStandin, api: httpx.Client, tmp_path: Path) -> None:
    main = api.get("/git/ref/heads/main").json()["object"]["sha"]
    base_tree = api.get(f"/git/commits/{main}").json()["tree"]["sha"]
    photo = bytes(range(256))
    blob = api.post(
        "/git/blobs", json={"content": base64.b64encode(photo).decode(), "encoding": "base64"}
    )
    tree = api.post(
        "/git/trees",
        json={
            "base_tree": base_tree,
            "tree": [
                {
                    "path": "content/issues/2024-0312-k7qm.md",
                    "mode": "100644",
                    "type": "blob",
                    "content": "议事\n",
                },
                {
                    "path": "content/media/p.jpg",
                    "mode": "100644",
                    "type": "blob",
                    "sha": blob.json()["sha"],
                },
            ],
        },
    )
    author = {
        "name": "Yishi intake",
        "email": "intake@yishi.invalid",
        "date": "2024-03-12T08:00:00Z",
    }
    commit = api.post(
        "/git/commits",
        json={
            "message": "Add proposal\n",
            "tree": tree.json()["sha"],
            "parents": [main],
            "author": author,
        },
    )
    assert (blob.status_code, tree.status_code, commit.status_code) == (201, 201, 201)

    # The same history made by real git: the seed commit, then ours on top.
    seed = api.get(f"/git/commits/{main}").json()["author"]
    seed_env = identity(seed["name"], seed["email"], seed["date"])
    intake_env = identity(author["name"], author["email"], author["date"])
    write_files(tmp_path, SEED)
    run_git(tmp_path, seed_env, "init", "-q")
    run_git(tmp_path, seed_env, "add", ".")
    real_main = run_git(
        tmp_path,
        seed_env,
        "commit-tree",
        run_git(tmp_path, seed_env, "write-tree"),
        "-m",
        "Initial commit",
    )
    write_files(
        tmp_path,
        {"content/issues/2024-0312-k7qm.md": "议事\n".encode(), "content/media/p.jpg": photo},
    )
    run_git(tmp_path, intake_env, "add", ".")
    real_tree = run_git(tmp_path, intake_env, "write-tree")
    real_commit = run_git(
        tmp_path, intake_env, "commit-tree", real_tree, "-p", real_main, "-m", "Add proposal"
    )

    assert main == real_main
    assert blob.json()["sha"] == run_git(tmp_path, intake_env, "hash-object", "content/media/p.jpg")
    assert tree.json()["sha"] == real_tree
    assert commit.json()["sha"] == real_commit
    assert commit.json()["author"] == author
    assert commit.json()["parents"][0]["sha"] == main


def identity(name: str, email: str, date: str) -> dict[str, str]:
    """An environment making git author and commit as ``name`` at ``date`` (ISO, UTC)."""
    stamp = f"{int(datetime.fromisoformat(date.replace('Z', '+00:00')).timestamp())} +0000"
    return {
        **os.environ,
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": stamp,
    }


def write_files(root: Path, files: dict[str, bytes]) -> None:
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)


def run_git(root: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], check=True, env=env, capture_output=True, text=True
    )
    return done.stdout.strip()


def test_refs_are_created_once_and_only_fast_forwarded(
    standin: GithubStandin, api: httpx.Client
) -> None:
    head = branch_with_commit(api, "proposal/a")
    again = api.post("/git/refs", json={"ref": "refs/heads/proposal/a", "sha": head})
    assert (again.status_code, error_body(again)["message"]) == (422, "Reference already exists")

    main = api.get("/git/ref/heads/main").json()["object"]["sha"]
    backwards = api.patch("/git/refs/heads/proposal/a", json={"sha": main})
    assert (backwards.status_code, error_body(backwards)["message"]) == (
        422,
        "Update is not a fast forward",
    )
    assert (
        api.patch("/git/refs/heads/proposal/a", json={"sha": main, "force": True}).status_code
        == 200
    )

    ref = api.get("/git/ref/heads/proposal/a").json()
    assert ref["ref"] == "refs/heads/proposal/a"
    assert ref["object"] == {
        "sha": main,
        "type": "commit",
        "url": f"{standin.repo_url}/git/commits/{main}",
    }


def test_pull_requests_refuse_duplicates_and_empty_branches(api: httpx.Client) -> None:
    branch_with_commit(api, "proposal/a")
    made = api.post(
        "/pulls", json={"title": "T", "head": "proposal/a", "base": "main", "body": "B"}
    )
    assert made.status_code == 201
    assert made.json()["head"]["label"] == "council:proposal/a" and made.json()["merged"] is False

    twice = api.post("/pulls", json={"title": "T", "head": "council:proposal/a", "base": "main"})
    body = error_body(twice)
    assert (twice.status_code, body["message"]) == (422, "Validation Failed")
    assert body["errors"] == [
        {
            "resource": "PullRequest",
            "code": "custom",
            "message": "A pull request already exists for council:proposal/a.",
        }
    ]

    main = api.get("/git/ref/heads/main").json()["object"]["sha"]
    api.post("/git/refs", json={"ref": "refs/heads/empty", "sha": main})
    empty = api.post("/pulls", json={"title": "T", "head": "empty", "base": "main"})
    assert error_body(empty)["errors"][0]["message"] == "No commits between main and empty"
    missing = api.post("/pulls", json={"title": "T", "head": "nope", "base": "main"})
    assert error_body(missing)["errors"] == [
        {"resource": "PullRequest", "field": "head", "code": "invalid"}
    ]

    listed = api.get("/pulls", params={"state": "all", "head": "council:proposal/a"}).json()
    assert [p["number"] for p in listed] == [1]
    assert "merged" not in listed[0]  # lists omit it, as GitHub's do
    assert api.get("/pulls", params={"head": "council:other"}).json() == []


def test_labels_exist_once_and_lists_paginate_with_link_headers(api: httpx.Client) -> None:
    for name in ("proposal", "dongsi", "公共空间"):
        assert api.post("/labels", json={"name": name, "color": "ededed"}).status_code == 201
    twice = api.post("/labels", json={"name": "Proposal", "color": "ededed"})
    assert error_body(twice)["errors"] == [
        {"resource": "Label", "code": "already_exists", "field": "name"}
    ]
    assert api.get("/labels/%E5%85%AC%E5%85%B1%E7%A9%BA%E9%97%B4").json()["name"] == "公共空间"

    first = api.get("/labels", params={"per_page": 2})
    assert [label["name"] for label in first.json()] == ["proposal", "dongsi"]
    assert 'page=2>; rel="next"' in first.headers["link"]
    assert 'rel="last"' in first.headers["link"]
    second = api.get("/labels", params={"per_page": 2, "page": 2})
    assert [label["name"] for label in second.json()] == ["公共空间"]
    assert 'rel="prev"' in second.headers["link"] and 'rel="next"' not in second.headers["link"]


def test_adding_an_unknown_label_to_an_issue_creates_it_as_github_does(api: httpx.Client) -> None:
    branch_with_commit(api, "proposal/a")
    api.post("/pulls", json={"title": "T", "head": "proposal/a", "base": "main"})
    added = api.post("/issues/1/labels", json={"labels": ["proposal", "new"]})
    assert [label["name"] for label in added.json()] == ["proposal", "new"]
    assert api.get("/labels/new").status_code == 200
    assert [label["name"] for label in api.post("/issues/1/labels", json=["new"]).json()] == [
        "proposal",
        "new",
    ]


def test_contents_reads_files_on_a_branch(api: httpx.Client) -> None:
    branch_with_commit(api, "proposal/a")
    found = api.get("/contents/content/issues/proposal/a.md", params={"ref": "proposal/a"})
    assert found.status_code == 200
    assert base64.b64decode(found.json()["content"]) == b"x\n"
    assert api.get("/contents/content/issues/proposal/a.md").status_code == 404  # not on main
    unknown_ref = api.get("/contents/mkdocs.yml", params={"ref": "nope"})
    assert error_body(unknown_ref)["message"] == "No commit found for the ref nope"


def test_secondary_limit_fault_is_shaped_as_github_sends_it(
    standin: GithubStandin, api: httpx.Client
) -> None:
    standin.secondary_limit("POST", r"/labels$", retry_after=42, times=2)
    refused = [api.post("/labels", json={"name": "x"}) for _ in range(3)]
    assert [r.status_code for r in refused] == [403, 403, 201]
    message = error_body(refused[0])["message"]
    assert refused[0].headers["retry-after"] == "42"
    assert Requester.isSecondaryRateLimitError(message)  # PyGithub recognises it
    assert "#about-secondary-rate-limits" in refused[0].json()["documentation_url"]
    assert standin.labels.keys() == {"x"}  # refused requests did nothing


def test_primary_exhaustion_refuses_everything_until_the_reset(
    standin: GithubStandin, api: httpx.Client
) -> None:
    now = [1_700_000_000.0]
    standin.clock = lambda: now[0]
    standin.exhaust_primary(reset_in=120)
    refused = api.get("")
    assert refused.status_code == 403
    assert Requester.isPrimaryRateLimitError(error_body(refused)["message"])
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert int(refused.headers["x-ratelimit-reset"]) == 1_700_000_120
    now[0] += 120
    assert api.get("").status_code == 200


def test_enforced_secondary_limit_answers_with_the_wait(
    standin: GithubStandin, api: httpx.Client
) -> None:
    now = [1_700_000_000.0]
    standin.clock = lambda: now[0]
    standin.secondary_per_minute = 2
    assert [api.post("/labels", json={"name": n}).status_code for n in "ab"] == [201, 201]
    now[0] += 20
    refused = api.post("/labels", json={"name": "c"})
    assert refused.status_code == 403 and refused.headers["retry-after"] == "40"
    assert api.get("/labels").status_code == 200  # reads are not content creation


def test_faults_before_and_after_the_work_and_the_request_record(
    standin: GithubStandin, api: httpx.Client
) -> None:
    standin.inject("POST", r"/labels$", status=500)
    standin.inject("POST", r"/labels$", status=502, after=True)
    before = api.post("/labels", json={"name": "a"})
    after = api.post("/labels", json={"name": "b"})
    assert (before.status_code, after.status_code) == (500, 502)
    assert error_body(before)["message"] == "Server Error"
    assert sorted(standin.labels) == ["b"]  # the second did its work before failing

    writes = standin.content_requests()
    assert [(r.method, r.path, r.json(), r.status) for r in writes] == [
        ("POST", "/repos/council/records/labels", {"name": "a"}, 500),
        ("POST", "/repos/council/records/labels", {"name": "b"}, 502),
    ]
    assert all(TOKEN.encode() not in r.body for r in standin.requests)
