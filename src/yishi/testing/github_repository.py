"""The repository behind the GitHub stand-in: GitHub's REST semantics and JSON shapes.

One repository in memory (git objects with git's own ids, refs, pull requests, labels),
answering the endpoints the GitHub forge uses as GitHub does: the fields PyGithub reads,
status codes and error bodies ``{"message", "errors"?, "documentation_url", "status"}``.
:mod:`yishi.testing.github_standin` serves it over HTTP with GitHub's limits and faults.

Endpoints, all below ``/repos/{owner}/{repo}``: the repository itself; ``git/ref``,
``git/refs`` (get, create, update); ``git/blobs``, ``git/trees``, ``git/commits`` (get,
create); ``contents/{path}`` (get); ``pulls`` (list, create, get); ``labels`` (list, get,
create); ``issues/{n}/labels`` (list, add).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import math
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from yishi.errors import YishiError
from yishi.testing.gitobjects import BLOB_MODES, TREE_MODE, Commit, ObjectStore, Signature

Clock = Callable[[], float]
Json = Any

DOCS = "https://docs.github.com/rest"


@dataclass
class Label:
    """A repository label."""

    id: int
    name: str
    color: str
    description: str | None


@dataclass
class Pull:
    """A pull request and its issue-side labels."""

    number: int
    title: str
    body: str | None
    head: str  # branch name in this repository
    base: str
    head_sha: str
    created_at: float
    state: str = "open"
    merged_at: float | None = None
    closed_at: float | None = None
    merge_commit_sha: str | None = None
    labels: list[str] = field(default_factory=list)


class ApiError(YishiError):
    """An error answer, shaped like GitHub's."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        docs: str = DOCS,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Json] = {"message": message}
        if errors is not None:
            self.body["errors"] = errors
        self.body["documentation_url"] = docs
        self.body["status"] = str(status)
        self.headers = headers or {}


def _validation_failed(docs: str, *errors: dict[str, str]) -> ApiError:
    """GitHub's 422 with a list of field errors."""
    return ApiError(422, "Validation Failed", errors=list(errors), docs=docs)


Route = tuple[str, re.Pattern[str], Callable[..., tuple[int, Json]]]


class RepositoryApi:
    """One repository's state and the REST endpoints over it (not thread-safe: the
    stand-in calls it under its lock)."""

    def __init__(
        self,
        owner: str,
        name: str,
        *,
        default_branch: str,
        files: dict[str, bytes],
        clock: Clock,
    ) -> None:
        self.owner = owner
        self.name = name
        self.default_branch = default_branch
        self.clock = clock
        self.writable = True  # whether the token may write (for ``permissions``)
        self.server_url = ""  # set when the stand-in starts serving
        self.api_url = ""
        self.store = ObjectStore()
        self.refs: dict[str, str] = {}
        self.pulls: list[Pull] = []
        self.labels: dict[str, Label] = {}  # lower-cased name → label
        #: Commit statuses by commit sha: context → state (success, pending, failure, error).
        self.statuses: dict[str, dict[str, str]] = {}
        #: Status contexts branch protection requires on the default branch before a merge.
        self.required_contexts: list[str] = []
        self._ids = itertools.count(1000)
        self._routes = self._make_routes()
        bot = Signature("yishi-standin", "standin@users.noreply.github.com", int(clock()))
        tree = self.store.build({p: ("100644", self.store.put_blob(d)) for p, d in files.items()})
        self.refs[f"refs/heads/{default_branch}"] = self.store.put_commit(
            tree, [], "Initial commit\n", bot, bot
        )

    @property
    def path(self) -> str:
        """The repository's path below the API root."""
        return f"/repos/{self.owner}/{self.name}"

    @property
    def repo_url(self) -> str:
        """The repository's API URL."""
        return f"{self.api_url}{self.path}"

    def dispatch(
        self, method: str, path: str, query: dict[str, str], body: bytes
    ) -> tuple[int, Json, dict[str, str]]:
        """Answer ``method path`` (below the API root): status, JSON, extra headers.

        Raises :class:`ApiError` for GitHub's error answers.
        """
        if path.lower() != self.path.lower() and not path.lower().startswith(
            self.path.lower() + "/"
        ):
            raise ApiError(404, "Not Found", docs=f"{DOCS}/repos/repos#get-a-repository")
        rest = path[len(self.path) :].rstrip("/")
        data = _parse_body(body)
        known_path = False
        for route_method, pattern, handler in self._routes:
            match = pattern.fullmatch(rest)
            if match is None:
                continue
            known_path = True
            if route_method != method:
                continue
            if method not in ("GET", "HEAD") and not self.writable:
                raise ApiError(403, "Resource not accessible by personal access token")
            params = {k: urllib.parse.unquote(v) for k, v in match.groupdict().items()}
            status, payload = handler(data=data, query=query, **params)
            if isinstance(payload, _Page):
                return status, payload.items, self._link_header(path, query, payload)
            return status, payload, {}
        # GitHub answers 404 both for unknown paths and for methods a path does not take.
        raise ApiError(404, "Not Found", docs=DOCS if not known_path else f"{DOCS}/repos")

    # ------------------------------------------------------------------ state, for tests
    def branches(self) -> dict[str, str]:
        """Branch name → head commit sha."""
        return {
            r.removeprefix("refs/heads/"): s
            for r, s in self.refs.items()
            if r.startswith("refs/heads/")
        }

    def files_on(self, branch: str) -> dict[str, bytes]:
        """Every file on ``branch``: path → content."""
        commit = self.store.commits[self.refs[f"refs/heads/{branch}"]]
        return {p: self.store.blobs[s] for p, (_, s) in self.store.flatten(commit.tree).items()}

    def commits_ahead(self, branch: str) -> int:
        """Commits on ``branch`` that the default branch does not have."""
        heads = self.branches()
        return self.store.count_commits(heads[branch], heads[self.default_branch])

    def merge(self, number: int) -> None:
        """Merge pull request ``number`` with a merge commit, as a moderator would.

        The branch's changes since it left the base are applied to the base's current
        files (no conflict detection: proposals add files of their own).
        """
        pull = self._pull(number)
        base_ref = f"refs/heads/{pull.base}"
        base, head = self.refs[base_ref], self.refs[f"refs/heads/{pull.head}"]
        fork = self._fork_point(head, base)
        before = self.store.flatten(self.store.commits[fork].tree) if fork else {}
        after = self.store.flatten(self.store.commits[head].tree)
        files = self.store.flatten(self.store.commits[base].tree)
        files.update({p: v for p, v in after.items() if before.get(p) != v})
        for gone in before.keys() - after.keys():
            files.pop(gone, None)
        now = int(self.clock())
        bot = Signature("moderator", "moderator@users.noreply.github.com", now)
        merge_sha = self.store.put_commit(
            self.store.build(files), [base, head], f"Merge pull request #{number}\n", bot, bot
        )
        self.refs[base_ref] = merge_sha
        pull.state, pull.merged_at, pull.closed_at = "closed", now, now
        pull.merge_commit_sha = merge_sha

    def _fork_point(self, head: str, base: str) -> str | None:
        """The nearest commit behind ``head`` that ``base`` also has."""
        queue, seen = [head], set()
        while queue:
            sha = queue.pop(0)
            if sha in seen:
                continue
            seen.add(sha)
            if self.store.is_ancestor(sha, base):
                return sha
            queue.extend(self.store.commits[sha].parents)
        return None

    def close(self, number: int) -> None:
        """Close pull request ``number`` without merging."""
        pull = self._pull(number)
        pull.state, pull.closed_at = "closed", self.clock()

    def delete_branch(self, branch: str) -> None:
        """Delete ``branch`` (GitHub's "delete branch" button after a merge)."""
        del self.refs[f"refs/heads/{branch}"]

    def _make_routes(self) -> list[Route]:
        """The endpoints, relative to the repository URL."""

        def r(method: str, pattern: str, handler: Callable[..., tuple[int, Json]]) -> Route:
            return method, re.compile(pattern), handler

        return [
            r("GET", r"", self._get_repo),
            r("GET", r"/git/ref/(?P<ref>.+)", self._get_ref),
            r("GET", r"/git/refs/(?P<ref>.+)", self._get_ref),
            r("PATCH", r"/git/refs/(?P<ref>.+)", self._update_ref),
            r("POST", r"/git/refs", self._create_ref),
            r("POST", r"/git/blobs", self._create_blob),
            r("GET", r"/git/blobs/(?P<sha>[0-9a-f]{40})", self._get_blob),
            r("POST", r"/git/trees", self._create_tree),
            r("GET", r"/git/trees/(?P<sha>[^/]+)", self._get_tree),
            r("POST", r"/git/commits", self._create_commit),
            r("GET", r"/git/commits/(?P<sha>[0-9a-f]{40})", self._get_commit),
            r("GET", r"/contents/?(?P<path>.*)", self._get_contents),
            r("GET", r"/commits", self._list_commits),
            r("GET", r"/commits/(?P<ref>[^/]+)/status", self._combined_status),
            r("GET", r"/commits/(?P<ref>[^/]+)", self._get_listed_commit),
            r("GET", r"/pulls", self._list_pulls),
            r("POST", r"/pulls", self._create_pull),
            r("GET", r"/pulls/(?P<number>\d+)", self._get_pull),
            r("PATCH", r"/pulls/(?P<number>\d+)", self._update_pull),
            r("PUT", r"/pulls/(?P<number>\d+)/merge", self._merge_pull),
            r("GET", r"/labels", self._list_labels),
            r("POST", r"/labels", self._create_label),
            r("GET", r"/labels/(?P<name>[^/]+)", self._get_label),
            r("GET", r"/issues/(?P<number>\d+)/labels", self._list_issue_labels),
            r("POST", r"/issues/(?P<number>\d+)/labels", self._add_issue_labels),
        ]

    # ------------------------------------------------------------------ endpoints: repository
    def _get_repo(self, data: Json, query: dict[str, str]) -> tuple[int, Json]:
        return 200, self._repo_json()

    # ------------------------------------------------------------------ endpoints: git data
    def _get_ref(self, data: Json, query: dict[str, str], ref: str) -> tuple[int, Json]:
        full = f"refs/{ref}"
        if full not in self.refs:
            raise ApiError(404, "Not Found", docs=f"{DOCS}/git/refs#get-a-reference")
        return 200, self._ref_json(full)

    def _create_ref(self, data: Json, query: dict[str, str]) -> tuple[int, Json]:
        docs = f"{DOCS}/git/refs#create-a-reference"
        ref, sha = _field(data, "ref", docs), _field(data, "sha", docs)
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise ApiError(422, "Reference name is invalid", docs=docs)
        if sha not in self.store.commits:
            raise ApiError(422, "Object does not exist", docs=docs)
        if ref in self.refs:
            raise ApiError(422, "Reference already exists", docs=docs)
        self.refs[ref] = sha
        return 201, self._ref_json(ref)

    def _update_ref(self, data: Json, query: dict[str, str], ref: str) -> tuple[int, Json]:
        docs = f"{DOCS}/git/refs#update-a-reference"
        full = f"refs/{ref}"
        sha = _field(data, "sha", docs)
        if full not in self.refs:
            raise ApiError(422, "Reference does not exist", docs=docs)
        if sha not in self.store.commits:
            raise ApiError(422, "Object does not exist", docs=docs)
        if not data.get("force") and not self.store.is_ancestor(self.refs[full], sha):
            raise ApiError(422, "Update is not a fast forward", docs=docs)
        self.refs[full] = sha
        return 200, self._ref_json(full)

    def _create_blob(self, data: Json, query: dict[str, str]) -> tuple[int, Json]:
        docs = f"{DOCS}/git/blobs#create-a-blob"
        content = _field(data, "content", docs)
        encoding = data.get("encoding", "utf-8")
        if encoding == "base64":
            try:
                raw = base64.b64decode(content, validate=True)
            except binascii.Error:
                raise _validation_failed(
                    docs, {"resource": "Blob", "field": "content", "code": "invalid"}
                ) from None
        elif encoding in ("utf-8", "utf8"):
            raw = content.encode()
        else:
            raise _validation_failed(
                docs, {"resource": "Blob", "field": "encoding", "code": "invalid"}
            )
        sha = self.store.put_blob(raw)
        return 201, {"url": f"{self.repo_url}/git/blobs/{sha}", "sha": sha}

    def _get_blob(self, data: Json, query: dict[str, str], sha: str) -> tuple[int, Json]:
        if sha not in self.store.blobs:
            raise ApiError(404, "Not Found", docs=f"{DOCS}/git/blobs#get-a-blob")
        raw = self.store.blobs[sha]
        return 200, {
            "sha": sha,
            "node_id": _node_id("Blob", sha),
            "size": len(raw),
            "url": f"{self.repo_url}/git/blobs/{sha}",
            "content": base64.encodebytes(raw).decode(),
            "encoding": "base64",
        }

    def _create_tree(self, data: Json, query: dict[str, str]) -> tuple[int, Json]:
        docs = f"{DOCS}/git/trees#create-a-tree"
        entries = data.get("tree") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise _validation_failed(
                docs, {"resource": "Tree", "field": "tree", "code": "missing_field"}
            )
        base = data.get("base_tree")
        files: dict[str, tuple[str, str]] = {}
        if base is not None:
            if base not in self.store.trees:
                raise ApiError(422, "Invalid tree info: base_tree is not a tree", docs=docs)
            files = self.store.flatten(base)
        for entry in entries:
            self._apply_tree_entry(files, entry, docs)
        sha = self.store.build(files)
        return 201, self._tree_json(sha, recursive=False)

    def _apply_tree_entry(self, files: dict[str, tuple[str, str]], entry: Json, docs: str) -> None:
        """Apply one ``tree`` item of a create-tree request to the flat file map."""
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise ApiError(422, "Invalid tree info", docs=docs)
        path, mode, kind = entry["path"].strip("/"), entry.get("mode"), entry.get("type", "blob")
        if "content" in entry and entry.get("sha") is not None:
            raise ApiError(422, "Invalid tree info: give either sha or content", docs=docs)
        if "sha" in entry and entry["sha"] is None:  # deletion
            for existing in [p for p in files if p == path or p.startswith(path + "/")]:
                del files[existing]
            return
        if kind == "tree":
            sha = entry.get("sha")
            if mode != TREE_MODE or sha not in self.store.trees:
                raise ApiError(422, f"Invalid tree info: {path} is not a valid tree", docs=docs)
            for existing in [p for p in files if p == path or p.startswith(path + "/")]:
                del files[existing]
            files.update({f"{path}/{p}": v for p, v in self.store.flatten(sha).items()})
            return
        if mode not in BLOB_MODES:
            raise ApiError(422, f"Invalid tree info: mode {mode!r} for {path}", docs=docs)
        if "content" in entry:
            files[path] = (mode, self.store.put_blob(str(entry["content"]).encode()))
        elif entry.get("sha") in self.store.blobs:
            files[path] = (mode, entry["sha"])
        else:
            raise ApiError(422, f"Invalid tree info: sha of {path} is not a blob", docs=docs)

    def _get_tree(self, data: Json, query: dict[str, str], sha: str) -> tuple[int, Json]:
        tree = sha if sha in self.store.trees else self._resolve_tree(sha)
        if tree is None:
            raise ApiError(404, "Not Found", docs=f"{DOCS}/git/trees#get-a-tree")
        return 200, self._tree_json(
            tree, recursive=query.get("recursive") not in (None, "", "0", "false")
        )

    def _create_commit(self, data: Json, query: dict[str, str]) -> tuple[int, Json]:
        docs = f"{DOCS}/git/commits#create-a-commit"
        message, tree = _field(data, "message", docs), _field(data, "tree", docs)
        parents = data.get("parents", [])
        if tree not in self.store.trees:
            raise ApiError(422, "Tree SHA does not exist", docs=docs)
        if not isinstance(parents, list) or any(p not in self.store.commits for p in parents):
            raise ApiError(422, "Parent SHA does not exist or is not a commit object", docs=docs)
        now = int(self.clock())
        author = _signature(data.get("author"), now)
        committer = _signature(data.get("committer"), now) if data.get("committer") else author
        sha = self.store.put_commit(tree, parents, message, author, committer)
        return 201, self._commit_json(sha)

    def _get_commit(self, data: Json, query: dict[str, str], sha: str) -> tuple[int, Json]:
        if sha not in self.store.commits:
            raise ApiError(404, "Not Found", docs=f"{DOCS}/git/commits#get-a-commit-object")
        return 200, self._commit_json(sha)

    def _get_contents(self, data: Json, query: dict[str, str], path: str) -> tuple[int, Json]:
        docs = f"{DOCS}/repos/contents#get-repository-content"
        ref = query.get("ref", self.default_branch)
        commit = self._resolve_commit(ref)
        if commit is None:
            raise ApiError(404, f"No commit found for the ref {ref}", docs=docs)
        root = self.store.commits[commit].tree
        if not path.strip("/"):
            return 200, [
                self._content_json(name, e, ref) for name, e in self.store.walk(root, False)
            ]
        entry = self.store.lookup(root, path)
        if entry is None:
            raise ApiError(404, "Not Found", docs=docs)
        if entry.type == "tree":
            prefix = path.strip("/") + "/"
            return 200, [
                self._content_json(prefix + n, e, ref) for n, e in self.store.walk(entry.sha, False)
            ]
        return 200, self._content_json(path.strip("/"), entry, ref, with_content=True)

    def _list_commits(self, data: Json, query: dict[str, str]) -> tuple[int, Json]:
        """Commits reachable from ``sha`` (default branch), newest first; with ``path``, only
        those that changed it against their first parent (merges that bring it are left
        out, as GitHub's history simplification does)."""
        docs = f"{DOCS}/commits/commits#list-commits"
        ref = query.get("sha", self.default_branch)
        head = self._resolve_commit(ref)
        if head is None:
            raise ApiError(404, f"No commit found for SHA: {ref}", docs=docs)
        path = query.get("path", "").strip("/")
        listed = []
        for commit in self._newest_first(head):
            if path:
                if len(commit.parents) > 1:
                    continue
                parent = commit.parents[0] if commit.parents else None
                before = self.store.lookup(self.store.commits[parent].tree, path) if parent else None
                after = self.store.lookup(commit.tree, path)
                if (before and before.sha) == (after and after.sha):
                    continue
            listed.append(commit)
        return 200, _paginate([self._listed_commit_json(c.sha) for c in listed], query)

    def _get_listed_commit(self, data: Json, query: dict[str, str], ref: str) -> tuple[int, Json]:
        sha = self._resolve_commit(ref)
        if sha is None:
            raise ApiError(422, f"No commit found for SHA: {ref}",
                           docs=f"{DOCS}/commits/commits#get-a-commit")
        return 200, self._listed_commit_json(sha)

    def _combined_status(self, data: Json, query: dict[str, str], ref: str) -> tuple[int, Json]:
        """GitHub's combined status: failure if any context failed, pending while any is
        pending or none is reported, else success."""
        sha = self._resolve_commit(ref)
        if sha is None:
            raise ApiError(404, f"No commit found for SHA: {ref}",
                           docs=f"{DOCS}/commits/statuses#get-the-combined-status-for-a-specific-reference")
        states = self.statuses.get(sha, {})
        values = set(states.values())
        state = ("failure" if values & {"failure", "error"} else
                 "pending" if not values or "pending" in values else "success")
        return 200, {
            "state": state, "sha": sha, "total_count": len(states),
            "statuses": [{"state": v, "context": k, "description": None, "target_url": None}
                         for k, v in sorted(states.items())],
            "commit_url": f"{self.repo_url}/commits/{sha}",
            "url": f"{self.repo_url}/commits/{sha}/status",
        }

    def _merge_pull(self, data: Json, query: dict[str, str], number: str) -> tuple[int, Json]:
        """Merge as GitHub's merge button does, refusing as a protected branch would."""
        docs = f"{DOCS}/pulls/pulls#merge-a-pull-request"
        pull = self._pull(int(number), docs=docs)
        head = self.refs.get(f"refs/heads/{pull.head}", pull.head_sha)
        if pull.state != "open":
            raise ApiError(405, "Pull Request is not mergeable", docs=docs)
        wanted = data.get("sha") if isinstance(data, dict) else None
        if wanted and wanted != head:
            raise ApiError(409, "Head branch was modified. Review and try the merge again.",
                           docs=docs)
        if pull.base == self.default_branch:
            states = self.statuses.get(head, {})
            for context in self.required_contexts:
                if states.get(context) != "success":
                    raise ApiError(405, f'Required status check "{context}" is '
                                        f'{"expected" if context not in states else "failing"}.',
                                   docs=docs)
        self.merge(int(number))
        return 200, {"sha": pull.merge_commit_sha, "merged": True,
                     "message": "Pull Request successfully merged"}

    def _newest_first(self, head: str) -> list[Commit]:
        """Commits reachable from ``head``, children always before their parents, then the
        most recently committed first (``git log``'s order)."""
        reachable = self.store.reachable(head)
        children = {sha: 0 for sha in reachable}
        for sha in reachable:
            for parent in self.store.commits[sha].parents:
                if parent in children:
                    children[parent] += 1
        ready = [head]
        ordered = []
        while ready:
            ready.sort(key=lambda sha: self.store.commits[sha].committer.timestamp)
            commit = self.store.commits[ready.pop()]
            ordered.append(commit)
            for parent in commit.parents:
                children[parent] -= 1
                if children[parent] == 0:
                    ready.append(parent)
        return ordered

    def _listed_commit_json(self, sha: str) -> Json:
        """A commit as ``GET /commits`` lists it: the git commit nested under ``commit``."""
        git_commit = self._commit_json(sha)
        return {
            "sha": sha,
            "node_id": git_commit["node_id"],
            "url": f"{self.repo_url}/commits/{sha}",
            "html_url": git_commit["html_url"],
            "commit": {key: git_commit[key] for key in ("author", "committer", "message", "tree")}
            | {"url": git_commit["url"], "comment_count": 0},
            "author": None,  # no GitHub account matched to the commit's email
            "committer": None,
            "parents": git_commit["parents"],
        }

    # ------------------------------------------------------------------ endpoints: pulls
    def _list_pulls(self, data: Json, query: dict[str, str]) -> tuple[int, Json]:
        state = query.get("state", "open")
        head = query.get("head")
        base = query.get("base")
        pulls = [
            p
            for p in self.pulls
            if (state == "all" or p.state == state)
            and (head is None or head in (f"{self.owner}:{p.head}", p.head))
            and (base is None or p.base == base)
        ]
        ascending = query.get("direction", "desc") == "asc"
        pulls.sort(key=lambda p: p.number, reverse=not ascending)
        return 200, _paginate([self._pull_json(p, full=False) for p in pulls], query)

    def _create_pull(self, data: Json, query: dict[str, str]) -> tuple[int, Json]:
        docs = f"{DOCS}/pulls/pulls#create-a-pull-request"
        head, base = _field(data, "head", docs), _field(data, "base", docs)
        title = data.get("title")
        if not isinstance(title, str) or not title.strip():
            raise _validation_failed(
                docs, {"resource": "PullRequest", "field": "title", "code": "missing_field"}
            )
        branch = head.split(":", 1)[1] if ":" in head else head
        if f"refs/heads/{base}" not in self.refs:
            raise _validation_failed(
                docs, {"resource": "PullRequest", "field": "base", "code": "invalid"}
            )
        if f"refs/heads/{branch}" not in self.refs:
            raise _validation_failed(
                docs, {"resource": "PullRequest", "field": "head", "code": "invalid"}
            )
        if any(p.head == branch and p.base == base and p.state == "open" for p in self.pulls):
            raise _validation_failed(
                docs,
                {
                    "resource": "PullRequest",
                    "code": "custom",
                    "message": f"A pull request already exists for {self.owner}:{branch}.",
                },
            )
        head_sha = self.refs[f"refs/heads/{branch}"]
        if self.store.count_commits(head_sha, self.refs[f"refs/heads/{base}"]) == 0:
            raise _validation_failed(
                docs,
                {
                    "resource": "PullRequest",
                    "code": "custom",
                    "message": f"No commits between {base} and {branch}",
                },
            )
        pull = Pull(
            len(self.pulls) + 1, title, data.get("body"), branch, base, head_sha, self.clock()
        )
        self.pulls.append(pull)
        return 201, self._pull_json(pull, full=True)

    def _get_pull(self, data: Json, query: dict[str, str], number: str) -> tuple[int, Json]:
        pull = self._pull(int(number), docs=f"{DOCS}/pulls/pulls#get-a-pull-request")
        return 200, self._pull_json(pull, full=True)

    def _update_pull(self, data: Json, query: dict[str, str], number: str) -> tuple[int, Json]:
        """Close (or reopen) a pull request, as its close button does."""
        pull = self._pull(int(number), docs=f"{DOCS}/pulls/pulls#update-a-pull-request")
        state = data.get("state") if isinstance(data, dict) else None
        if state == "closed" and pull.state == "open":
            pull.state, pull.closed_at = "closed", self.clock()
        elif state == "open" and pull.state == "closed" and pull.merged_at is None:
            pull.state, pull.closed_at = "open", None
        return 200, self._pull_json(pull, full=True)

    # ------------------------------------------------------------------ endpoints: labels
    def _list_labels(self, data: Json, query: dict[str, str]) -> tuple[int, Json]:
        return 200, _paginate([self._label_json(label) for label in self.labels.values()], query)

    def _get_label(self, data: Json, query: dict[str, str], name: str) -> tuple[int, Json]:
        label = self.labels.get(name.lower())
        if label is None:
            raise ApiError(404, "Not Found", docs=f"{DOCS}/issues/labels#get-a-label")
        return 200, self._label_json(label)

    def _create_label(self, data: Json, query: dict[str, str]) -> tuple[int, Json]:
        docs = f"{DOCS}/issues/labels#create-a-label"
        name = _field(data, "name", docs)
        color = str(data.get("color") or "ededed").lstrip("#")
        if not re.fullmatch(r"[0-9a-fA-F]{6}", color):
            raise _validation_failed(
                docs, {"resource": "Label", "code": "invalid", "field": "color"}
            )
        if name.lower() in self.labels:
            raise _validation_failed(
                docs, {"resource": "Label", "code": "already_exists", "field": "name"}
            )
        label = Label(next(self._ids), name, color.lower(), data.get("description"))
        self.labels[name.lower()] = label
        return 201, self._label_json(label)

    def _list_issue_labels(
        self, data: Json, query: dict[str, str], number: str
    ) -> tuple[int, Json]:
        pull = self._pull(int(number), docs=f"{DOCS}/issues/labels#list-labels-for-an-issue")
        return 200, _paginate(
            [self._label_json(self.labels[n.lower()]) for n in pull.labels], query
        )

    def _add_issue_labels(self, data: Json, query: dict[str, str], number: str) -> tuple[int, Json]:
        docs = f"{DOCS}/issues/labels#add-labels-to-an-issue"
        pull = self._pull(int(number), docs=docs)
        names = data.get("labels") if isinstance(data, dict) else data
        if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
            raise _validation_failed(
                docs, {"resource": "Label", "field": "labels", "code": "invalid"}
            )
        for name in names:
            if name.lower() not in self.labels:  # GitHub creates unknown labels on the fly
                self.labels[name.lower()] = Label(next(self._ids), name, "ededed", None)
            canonical = self.labels[name.lower()].name
            if canonical not in pull.labels:
                pull.labels.append(canonical)
        return 200, [self._label_json(self.labels[n.lower()]) for n in pull.labels]

    # ------------------------------------------------------------------ JSON shapes
    def _owner_json(self) -> Json:
        return {
            "login": self.owner,
            "id": 1,
            "node_id": _node_id("User", self.owner),
            "type": "Organization",
            "url": f"{self.api_url}/users/{self.owner}",
            "html_url": f"{self.server_url}/{self.owner}",
            "site_admin": False,
        }

    def _repo_json(self) -> Json:
        return {
            "id": 1,
            "node_id": _node_id("Repository", f"{self.owner}/{self.name}"),
            "name": self.name,
            "full_name": f"{self.owner}/{self.name}",
            "private": False,
            "owner": self._owner_json(),
            "html_url": f"{self.server_url}/{self.owner}/{self.name}",
            "description": None,
            "fork": False,
            "url": self.repo_url,
            "pulls_url": f"{self.repo_url}/pulls{{/number}}",
            "git_refs_url": f"{self.repo_url}/git/refs{{/sha}}",
            "labels_url": f"{self.repo_url}/labels{{/name}}",
            "default_branch": self.default_branch,
            "visibility": "public",
            "archived": False,
            "disabled": False,
            "permissions": {
                "admin": False,
                "maintain": False,
                "push": self.writable,
                "triage": self.writable,
                "pull": True,
            },
        }

    def _ref_json(self, ref: str) -> Json:
        sha = self.refs[ref]
        return {
            "ref": ref,
            "node_id": _node_id("Ref", ref),
            "url": f"{self.repo_url}/git/{ref}",
            "object": {"sha": sha, "type": "commit", "url": f"{self.repo_url}/git/commits/{sha}"},
        }

    def _tree_json(self, sha: str, recursive: bool) -> Json:
        items = []
        for path, entry in self.store.walk(sha, recursive):
            item: dict[str, Json] = {
                "path": path,
                "mode": entry.mode,
                "type": entry.type,
                "sha": entry.sha,
            }
            if entry.type == "blob":
                item["size"] = len(self.store.blobs[entry.sha])
            item["url"] = f"{self.repo_url}/git/{entry.type}s/{entry.sha}"
            items.append(item)
        return {
            "sha": sha,
            "url": f"{self.repo_url}/git/trees/{sha}",
            "tree": items,
            "truncated": False,
        }

    def _commit_json(self, sha: str) -> Json:
        commit = self.store.commits[sha]
        return {
            "sha": sha,
            "node_id": _node_id("Commit", sha),
            "url": f"{self.repo_url}/git/commits/{sha}",
            "html_url": f"{self.server_url}/{self.owner}/{self.name}/commit/{sha}",
            "author": _signature_json(commit.author),
            "committer": _signature_json(commit.committer),
            "tree": {"sha": commit.tree, "url": f"{self.repo_url}/git/trees/{commit.tree}"},
            "message": commit.message,
            "parents": [
                {
                    "sha": p,
                    "url": f"{self.repo_url}/git/commits/{p}",
                    "html_url": f"{self.server_url}/{self.owner}/{self.name}/commit/{p}",
                }
                for p in commit.parents
            ],
            "verification": {
                "verified": False,
                "reason": "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        }

    def _content_json(self, path: str, entry: Any, ref: str, with_content: bool = False) -> Json:
        quoted = urllib.parse.quote(path)
        kind = "dir" if entry.type == "tree" else "file"
        item: dict[str, Json] = {
            "type": kind,
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": entry.sha,
            "size": len(self.store.blobs[entry.sha]) if kind == "file" else 0,
            "url": f"{self.repo_url}/contents/{quoted}?ref={urllib.parse.quote(ref)}",
            "html_url": f"{self.server_url}/{self.owner}/{self.name}/{'tree' if kind == 'dir' else 'blob'}/{ref}/{quoted}",
            "git_url": f"{self.repo_url}/git/{'trees' if kind == 'dir' else 'blobs'}/{entry.sha}",
            "download_url": None,
        }
        if with_content:
            item["content"] = base64.encodebytes(self.store.blobs[entry.sha]).decode()
            item["encoding"] = "base64"
        item["_links"] = {"self": item["url"], "git": item["git_url"], "html": item["html_url"]}
        return item

    def _pull_json(self, pull: Pull, full: bool) -> Json:
        branch_sha = self.refs.get(f"refs/heads/{pull.head}")
        if branch_sha is not None and pull.state == "open":
            pull.head_sha = branch_sha
        html = f"{self.server_url}/{self.owner}/{self.name}/pull/{pull.number}"
        data: dict[str, Json] = {
            "url": f"{self.repo_url}/pulls/{pull.number}",
            "id": 5000 + pull.number,
            "node_id": _node_id("PullRequest", str(pull.number)),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": f"{self.repo_url}/issues/{pull.number}",
            "commits_url": f"{self.repo_url}/pulls/{pull.number}/commits",
            "number": pull.number,
            "state": pull.state,
            "locked": False,
            "title": pull.title,
            "user": self._owner_json(),
            "body": pull.body,
            "labels": [self._label_json(self.labels[n.lower()]) for n in pull.labels],
            "created_at": _iso(pull.created_at),
            "updated_at": _iso(pull.closed_at or pull.created_at),
            "closed_at": _iso(pull.closed_at) if pull.closed_at else None,
            "merged_at": _iso(pull.merged_at) if pull.merged_at else None,
            "merge_commit_sha": pull.merge_commit_sha,
            "draft": False,
            "head": self._pull_part(pull.head, pull.head_sha),
            "base": self._pull_part(pull.base, self.refs.get(f"refs/heads/{pull.base}", "")),
            "author_association": "OWNER",
        }
        if full:  # only the single-pull answer carries the merge state
            data["merged"] = pull.merged_at is not None
            data["mergeable"] = None if pull.state == "closed" else True
            data["commits"] = 1
        return data

    def _pull_part(self, branch: str, sha: str) -> Json:
        return {
            "label": f"{self.owner}:{branch}",
            "ref": branch,
            "sha": sha,
            "user": self._owner_json(),
            "repo": self._repo_json(),
        }

    def _label_json(self, label: Label) -> Json:
        return {
            "id": label.id,
            "node_id": _node_id("Label", str(label.id)),
            "url": f"{self.repo_url}/labels/{urllib.parse.quote(label.name, safe='')}",
            "name": label.name,
            "color": label.color,
            "default": False,
            "description": label.description,
        }

    def _link_header(self, path: str, query: dict[str, str], page: _Page) -> dict[str, str]:
        """``Link`` with rel next/last/first/prev, as GitHub paginates lists."""
        links = []
        for rel, number in (
            ("prev", page.number - 1),
            ("next", page.number + 1),
            ("first", 1),
            ("last", page.last),
        ):
            if (rel in ("prev", "first") and page.number > 1) or (
                rel in ("next", "last") and page.number < page.last
            ):
                params = urllib.parse.urlencode({**query, "page": str(number)})
                links.append(f'<{self.api_url}{path}?{params}>; rel="{rel}"')
        return {"Link": ", ".join(links)} if links else {}

    # ------------------------------------------------------------------ helpers
    def _pull(self, number: int, docs: str = DOCS) -> Pull:
        if not 1 <= number <= len(self.pulls):
            raise ApiError(404, "Not Found", docs=docs)
        return self.pulls[number - 1]

    def _resolve_commit(self, ref: str) -> str | None:
        """A branch name, ``heads/…`` or a commit sha → commit sha."""
        for candidate in (f"refs/heads/{ref}", f"refs/{ref}", ref):
            if candidate in self.refs:
                return self.refs[candidate]
        return ref if ref in self.store.commits else None

    def _resolve_tree(self, ref: str) -> str | None:
        """A commit sha or branch name → its tree sha."""
        commit = self._resolve_commit(ref)
        return self.store.commits[commit].tree if commit else None


@dataclass(frozen=True)
class _Page:
    """One page of a list answer (the handler adds the ``Link`` header)."""

    items: list[Json]
    number: int
    last: int


def _paginate(items: list[Json], query: dict[str, str]) -> _Page:
    """Slice ``items`` by ``page`` and ``per_page`` (default 30, at most 100) as GitHub does."""
    try:
        per_page = min(max(int(query.get("per_page", "30")), 1), 100)
        number = max(int(query.get("page", "1")), 1)
    except ValueError:
        per_page, number = 30, 1
    last = max(1, math.ceil(len(items) / per_page))
    return _Page(items[(number - 1) * per_page : number * per_page], number, last)


def _parse_body(body: bytes) -> Json:
    """The JSON request body (``{}`` when empty)."""
    if not body:
        return {}
    try:
        return json.loads(body)
    except ValueError:
        raise ApiError(400, "Problems parsing JSON") from None


def _field(data: Json, name: str, docs: str) -> str:
    """A required string field of the request body, or GitHub's 422."""
    value = data.get(name) if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        raise ApiError(422, f'Invalid request.\n\n"{name}" wasn\'t supplied.', docs=docs)
    return value


def _signature(given: Json, now: int) -> Signature:
    """Author/committer from the request, or the token's user (as GitHub fills it in)."""
    if isinstance(given, dict) and given.get("name") and given.get("email"):
        when = now
        if isinstance(given.get("date"), str):
            try:
                when = int(datetime.fromisoformat(given["date"].replace("Z", "+00:00")).timestamp())
            except ValueError:
                raise ApiError(422, f"Invalid date: {given['date']}") from None
        return Signature(str(given["name"]), str(given["email"]), when)
    return Signature("yishi-bot", "yishi-bot@users.noreply.github.com", now)


def _signature_json(who: Signature) -> Json:
    return {"name": who.name, "email": who.email, "date": _iso(who.timestamp)}


def _iso(timestamp: float) -> str:
    """GitHub's timestamps: ``2024-03-12T08:00:00Z``."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _node_id(kind: str, key: str) -> str:
    """An opaque GraphQL-style node id."""
    return base64.b64encode(f"{kind}:{key}".encode()).decode().rstrip("=")
