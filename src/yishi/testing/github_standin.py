"""A local stand-in for the GitHub REST endpoints the GitHub forge uses, over real HTTP.

It serves one repository from memory and answers as GitHub does: the same JSON shapes
(the fields PyGithub reads), status codes, error bodies ``{"message", "documentation_url",
"status"}``, ``x-ratelimit-*`` headers on every answer, 422 "Reference already exists" and
"A pull request already exists for …", 404s. Faults can be injected per endpoint: a
secondary rate limit (403 with ``Retry-After``), primary-limit exhaustion, 5xx, slow
answers, each before or *after* the request took effect (the case where GitHub did the
work but the client never heard). Every request is recorded (method, path, query, body) so
tests can count content-creating requests and check what was sent.

The repository's endpoints and JSON shapes live in :mod:`yishi.testing.github_repository`;
this module adds ``GET /rate_limit``, authentication, the limits and the faults.

Run it alone with ``python -m yishi.testing.github_standin --port 8322``. Public and
supported: a council deploying the GitHub forge can rehearse its intake and workflows
against it, in its own tests too.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from yishi.git import run as run_git
from yishi.testing.github_repository import ApiError, Json, Label, Pull, RepositoryApi

Clock = Callable[[], float]
SECONDARY_DOCS = (
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits"
)
PRIMARY_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
PRIMARY_MESSAGE = (
    "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, "
    "please include the request ID {request_id}."
)
SERVER_MESSAGES = {
    500: "Server Error",
    502: "Server Error",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
READ_METHODS = frozenset({"GET", "HEAD"})
#: The account the stand-in's token belongs to (``GET /user``).
BOT_LOGIN = "yishi-bot"
BOT_ID = 4242


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the stand-in received it (the Authorization header is not kept)."""

    method: str
    path: str  # below the API prefix, without the query
    query: dict[str, str]
    body: bytes
    status: int
    at: float

    @property
    def content_creating(self) -> bool:
        """Whether GitHub counts it against the content-creation (secondary) limit."""
        return self.method not in READ_METHODS

    def json(self) -> Json:
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None


@dataclass
class Fault:
    """An answer to give instead of (or after) the real one, ``times`` times."""

    method: str
    path: re.Pattern[str]
    status: int | None  # None: answer normally (used with ``delay``)
    times: int
    after: bool  # do the work first, then answer with the fault
    delay: float
    message: str | None
    headers: dict[str, str]

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to ``method path``."""
        return self.times > 0 and method == self.method and bool(self.path.search(path))


class GithubStandin:
    """One in-memory repository behind GitHub's REST shapes, served on loopback."""

    def __init__(
        self,
        repo: str = "council/records",
        *,
        token: str = "standin-token",
        default_branch: str = "main",
        files: dict[str, bytes] | None = None,
        prefix: str = "",
        clock: Clock = time.time,
        rate_limit: int = 5000,
        secondary_per_minute: int | None = None,
        token_can_write: bool = True,
    ) -> None:
        owner, _, name = repo.partition("/")
        self.token = token
        self.prefix = prefix.rstrip("/")
        self.clock = clock
        self.rate_limit = rate_limit
        self.secondary_per_minute = secondary_per_minute
        self.repository = RepositoryApi(
            owner,
            name,
            default_branch=default_branch,
            files=files if files is not None else {"README.md": b"# records\n"},
            clock=lambda: self.clock(),  # follows a clock swapped in later
        )
        self.repository.writable = token_can_write
        self.requests: list[RecordedRequest] = []
        self.faults: list[Fault] = []
        self._rate_remaining = rate_limit
        self._rate_reset = int(clock()) + 3600
        self._request_ids = itertools.count(1)
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ running
    def start(self, port: int = 0) -> GithubStandin:
        """Serve on loopback (an ephemeral port unless ``port``) in a background thread."""
        standin = self

        class Handler(_Handler):
            owner = standin

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns at once
            name="github-standin",
            daemon=True,
        )
        self._thread.start()
        self.repository.server_url = self.server_url
        self.repository.api_url = self.api_url
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GithubStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def server_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        if self._server is None:
            raise RuntimeError("the stand-in is not running: call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """The base URL to give PyGithub (like ``https://api.github.com``)."""
        return f"{self.server_url}{self.prefix}"

    @property
    def repo_url(self) -> str:
        """The repository's API URL."""
        return f"{self.api_url}{self.repository.path}"

    # The repository's state, for tests to read (and, rarely, to arrange).
    @property
    def owner(self) -> str:
        return self.repository.owner

    @property
    def name(self) -> str:
        return self.repository.name

    @property
    def default_branch(self) -> str:
        return self.repository.default_branch

    @property
    def refs(self) -> dict[str, str]:
        return self.repository.refs

    @property
    def pulls(self) -> list[Pull]:
        return self.repository.pulls

    @property
    def labels(self) -> dict[str, Label]:
        return self.repository.labels

    @property
    def token_can_write(self) -> bool:
        return self.repository.writable

    @token_can_write.setter
    def token_can_write(self, value: bool) -> None:
        self.repository.writable = value

    # ------------------------------------------------------------------ faults
    def inject(
        self,
        method: str,
        path: str,
        *,
        status: int | None = 502,
        times: int = 1,
        after: bool = False,
        delay: float = 0.0,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests matching ``method`` and the regex ``path``
        with ``status`` (None: the real answer), after ``delay`` seconds; with ``after``
        the request takes effect first."""
        with self._lock:
            self.faults.append(
                Fault(
                    method.upper(),
                    re.compile(path),
                    status,
                    times,
                    after,
                    delay,
                    message,
                    headers or {},
                )
            )

    def secondary_limit(
        self, method: str = "POST", path: str = "", *, retry_after: int = 60, times: int = 1
    ) -> None:
        """Refuse the next matching requests as GitHub's secondary rate limit does."""
        self.inject(
            method, path, status=403, times=times, headers={"Retry-After": str(retry_after)}
        )

    def exhaust_primary(self, reset_in: float = 60.0) -> None:
        """Spend the primary (hourly) limit: every request gets 403 until ``reset_in`` passes."""
        with self._lock:
            self._rate_remaining = 0
            self._rate_reset = math.ceil(self.clock() + reset_in)

    # ------------------------------------------------------------------ inspection
    def content_requests(self) -> list[RecordedRequest]:
        """Requests GitHub counts as content-creating (every write)."""
        with self._lock:
            return [r for r in self.requests if r.content_creating]

    def branches(self) -> dict[str, str]:
        """Branch name → head commit sha."""
        with self._lock:
            return self.repository.branches()

    def files_on(self, branch: str) -> dict[str, bytes]:
        """Every file on ``branch``: path → content."""
        with self._lock:
            return self.repository.files_on(branch)

    def commits_ahead(self, branch: str) -> int:
        """Commits on ``branch`` that the default branch does not have."""
        with self._lock:
            return self.repository.commits_ahead(branch)

    def merge(self, number: int) -> None:
        """Merge pull request ``number`` with a merge commit, as a moderator would."""
        with self._lock:
            self.repository.merge(number)

    def set_status(self, ref: str, context: str, state: str) -> None:
        """Report a commit status (``success``, ``pending``, ``failure``) on a branch's head
        or a commit, as CI does."""
        with self._lock:
            sha = self.repository._resolve_commit(ref)
            assert sha is not None, ref
            self.repository.statuses.setdefault(sha, {})[context] = state

    def require_checks(self, *contexts: str) -> None:
        """Protect the default branch: merging needs these status contexts green."""
        with self._lock:
            self.repository.required_contexts = list(contexts)

    def close(self, number: int) -> None:
        """Close pull request ``number`` without merging."""
        with self._lock:
            self.repository.close(number)

    def delete_branch(self, branch: str) -> None:
        """Delete ``branch`` (GitHub's "delete branch" button after a merge)."""
        with self._lock:
            self.repository.delete_branch(branch)

    # ------------------------------------------------------------------ serving
    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes, float]:
        """Answer one request: status, headers, body, and a delay to wait before sending."""
        parsed = urllib.parse.urlsplit(raw_path)
        path = parsed.path
        if self.prefix and path.startswith(self.prefix):
            path = path[len(self.prefix) :]
        query = dict(urllib.parse.parse_qsl(parsed.query))
        with self._lock:
            request_id = f"STANDIN:{next(self._request_ids):08X}"
            fault = self._take_fault(method, path)
            delay = fault.delay if fault else 0.0
            status, payload, extra = self._answer(
                method, path, query, headers, body, fault, request_id
            )
            self.requests.append(RecordedRequest(method, path, query, body, status, self.clock()))
            out = {**self._rate_headers(), "X-GitHub-Request-Id": request_id, **extra}
        data = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        if data:
            out["Content-Type"] = "application/json; charset=utf-8"
        return status, out, data, delay

    def _answer(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        headers: dict[str, str],
        body: bytes,
        fault: Fault | None,
        request_id: str,
    ) -> tuple[int, Json, dict[str, str]]:
        """Run the request against the state (under the lock), faults included."""
        try:
            self._authenticate(headers)
            self._check_primary(request_id)
            if fault is not None and fault.status is not None and not fault.after:
                raise self._fault_error(fault, request_id)
            if method not in READ_METHODS:
                self._check_secondary(request_id)
            status, payload, extra = self._route(method, path, query, body)
            if fault is not None and fault.status is not None:
                raise self._fault_error(fault, request_id)
            return status, payload, extra
        except ApiError as error:
            return error.status, error.body, error.headers

    def _take_fault(self, method: str, path: str) -> Fault | None:
        """The first armed fault for this request, spending one of its ``times``."""
        for fault in self.faults:
            if fault.matches(method, path):
                fault.times -= 1
                return fault
        return None

    def _fault_error(self, fault: Fault, request_id: str) -> ApiError:
        """The error answer a fault asks for."""
        status = fault.status or 500
        if status in (403, 429) and "Retry-After" in fault.headers:
            message = fault.message or SECONDARY_MESSAGE.format(request_id=request_id)
            return ApiError(status, message, docs=SECONDARY_DOCS, headers=fault.headers)
        message = fault.message or SERVER_MESSAGES.get(status, "Error")
        return ApiError(status, message, headers=fault.headers)

    def _authenticate(self, headers: dict[str, str]) -> None:
        """Check ``Authorization: token …`` (or ``Bearer …``) as GitHub does."""
        given = headers.get("authorization", "")
        if not given:
            raise ApiError(401, "Requires authentication")
        scheme, _, token = given.partition(" ")
        if scheme.lower() not in ("token", "bearer") or token != self.token:
            raise ApiError(401, "Bad credentials")

    def _check_primary(self, request_id: str) -> None:
        """Count the request against the hourly limit; refuse it when the limit is spent."""
        now = self.clock()
        if now >= self._rate_reset:
            self._rate_remaining = self.rate_limit
            self._rate_reset = math.ceil(now + 3600)
        if self._rate_remaining <= 0:
            raise ApiError(403, PRIMARY_MESSAGE.format(request_id=request_id), docs=PRIMARY_DOCS)
        self._rate_remaining -= 1

    def _check_secondary(self, request_id: str) -> None:
        """Refuse content creation beyond ``secondary_per_minute``, with ``Retry-After``."""
        if self.secondary_per_minute is None:
            return
        now = self.clock()
        recent = [
            r.at for r in self.requests if r.content_creating and r.status < 400 and now - r.at < 60
        ]
        if len(recent) >= self.secondary_per_minute:
            wait = max(1, math.ceil(recent[len(recent) - self.secondary_per_minute] + 60 - now))
            raise ApiError(
                403,
                SECONDARY_MESSAGE.format(request_id=request_id),
                docs=SECONDARY_DOCS,
                headers={"Retry-After": str(wait)},
            )

    def _rate_headers(self) -> dict[str, str]:
        """The primary-limit headers GitHub puts on every answer."""
        remaining = max(self._rate_remaining, 0)
        return {
            "x-ratelimit-limit": str(self.rate_limit),
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-used": str(self.rate_limit - remaining),
            "x-ratelimit-reset": str(self._rate_reset),
            "x-ratelimit-resource": "core",
        }

    def _route(
        self, method: str, path: str, query: dict[str, str], body: bytes
    ) -> tuple[int, Json, dict[str, str]]:
        """Dispatch to the endpoint handler."""
        if method == "GET" and path == "/rate_limit":
            return 200, self._rate_limit_json(), {}
        if method == "GET" and path == "/user":
            return 200, self._user_json(), {}
        return self.repository.dispatch(method, path, query, body)

    def _user_json(self) -> Json:
        """The account the token belongs to: the bot that commits."""
        return {
            "login": BOT_LOGIN,
            "id": BOT_ID,
            "node_id": "U_yishi_bot",
            "type": "User",
            "name": "Yishi bot",
            "email": None,
            "url": f"{self.api_url}/users/{BOT_LOGIN}",
            "html_url": f"{self.server_url}/{BOT_LOGIN}",
            "site_admin": False,
        }

    def _rate_limit_json(self) -> Json:
        core = {
            "limit": self.rate_limit,
            "remaining": max(self._rate_remaining, 0),
            "reset": self._rate_reset,
            "used": self.rate_limit - max(self._rate_remaining, 0),
        }
        return {"resources": {"core": core}, "rate": core}


class _Handler(BaseHTTPRequestHandler):
    """Hands each HTTP request to the owning :class:`GithubStandin`."""

    owner: GithubStandin
    protocol_version = "HTTP/1.1"
    server_version = "GitHub.com"
    # Headers and body go out in two writes; without this, Nagle's algorithm and delayed
    # ACKs add ~40 ms to every answer.
    disable_nagle_algorithm = True
    sys_version = ""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, out, data, delay = self.owner.handle(self.command, self.path, headers, body)
        if delay:
            time.sleep(delay)  # a slow GitHub: the client may time out meanwhile
        try:
            self.send_response(status)
            for name, value in out.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (timeout): nothing to tell it

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet; tests read :attr:`GithubStandin.requests` instead."""


def _seed_from(folder: Path) -> dict[str, bytes]:
    """The files of ``folder`` for the initial commit: git's tracked files in a git
    repository, otherwise every file outside dot-folders."""
    listed = run_git(folder, "ls-files", "-z", check=False)
    if listed.returncode == 0:
        paths = [p for p in listed.stdout.decode().split("\0") if p]
    else:
        paths = [
            p.relative_to(folder).as_posix()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        ]
    return {path: (folder / path).read_bytes() for path in paths if (folder / path).is_file()}


def _iter_lines(standin: GithubStandin) -> Iterator[str]:
    yield f"GitHub stand-in for {standin.owner}/{standin.name} at {standin.api_url}"
    yield f"  export GITHUB_TOKEN={standin.token}"
    yield f"  yishi intake work --forge github --github-repo {standin.owner}/{standin.name} --github-api-url {standin.api_url}"


def main(argv: list[str] | None = None) -> None:
    """Serve a stand-in until interrupted (for demos and manual runs)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=8322, help="loopback port to listen on")
    parser.add_argument("--repo", default="council/records", help="OWNER/NAME served")
    parser.add_argument("--token", default="standin-token", help="the token clients must send")
    parser.add_argument("--seed", type=Path, help="a folder whose files form the default branch")
    parser.add_argument(
        "--secondary-per-minute", type=int, help="enforce this content-creation limit"
    )
    args = parser.parse_args(argv)
    files = _seed_from(args.seed) if args.seed else None
    standin = GithubStandin(
        args.repo, token=args.token, files=files, secondary_per_minute=args.secondary_per_minute
    ).start(args.port)
    for line in _iter_lines(standin):
        print(line, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()


if __name__ == "__main__":
    main()
