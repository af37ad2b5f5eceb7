"""GitHub's refusals translated into our errors, with the wait GitHub asked for.

    403/429 + Retry-After            → ForgeRetryable(retry_after=Retry-After)   secondary limit
    403/429 + x-ratelimit-remaining 0 → ForgeRetryable(until x-ratelimit-reset)   primary limit
    403 "secondary rate limit", no header → ForgeRetryable(60 s, GitHub's advice)
    5xx, timeouts, refused connections → ForgeRetryable(retry_after=backoff)
    401                               → ForgeError: the token is wrong or expired
    403 otherwise                     → ForgeError: the token lacks a permission
    404 on the repository             → ForgeError: wrong name, or the token cannot see it
    anything else                     → ForgeError quoting GitHub's message

Messages name the step, the repository and what to do; they never hold the token.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from yishi.errors import ForgeError, ForgeRetryable

#: GitHub: "if the retry-after header is not present, wait for at least one minute".
SECONDARY_DEFAULT_WAIT = 60.0
TOKEN_ADVICE = (
    "the token needs read and write access to contents, pull requests and issues "
    "(fine-grained token) or the repo scope (classic token)"
)


@dataclass(frozen=True)
class GithubAnswer:
    """The parts of an error answer that decide what we do next."""

    status: int
    headers: Mapping[str, Any]
    data: Any  # the JSON body, a string, or None

    @property
    def message(self) -> str:
        """GitHub's ``message`` plus any field errors, in one line."""
        if not isinstance(self.data, dict):
            return str(self.data or "").strip()[:200]
        text = str(self.data.get("message") or "")
        details = [
            str(e.get("message") or f"{e.get('field', '?')} {e.get('code', '?')}")
            for e in self.data.get("errors") or []
            if isinstance(e, dict)
        ]
        return "; ".join([text, *details]) if details else text

    def header(self, name: str) -> str | None:
        """A response header, whatever its case."""
        wanted = name.lower()
        return next((str(v) for k, v in self.headers.items() if k.lower() == wanted), None)


def classify(
    answer: GithubAnswer, *, step: str, repo: str, now: float, backoff: float
) -> ForgeError:
    """The error to raise for GitHub's ``answer`` to ``step`` on ``repo`` at ``now``."""
    message = answer.message
    lowered = message.lower()
    if answer.status in (403, 429):
        retry_after = _seconds(answer.header("retry-after"))
        if retry_after is not None:
            return ForgeRetryable(
                f"GitHub's secondary rate limit stopped {step} on {repo}: retry in {retry_after:.0f}s",
                retry_after=retry_after,
            )
        if answer.header("x-ratelimit-remaining") == "0":
            reset = _seconds(answer.header("x-ratelimit-reset"))
            wait = max(1.0, reset - now) if reset is not None else SECONDARY_DEFAULT_WAIT
            when = datetime.fromtimestamp(now + wait, UTC).strftime("%H:%M:%S UTC")
            return ForgeRetryable(
                f"GitHub's API limit is spent ({step} on {repo}): retry after {when}, in {wait:.0f}s",
                retry_after=wait,
            )
        if "secondary rate limit" in lowered or answer.status == 429:
            return ForgeRetryable(
                f"GitHub's secondary rate limit stopped {step} on {repo}: "
                f"retry in {SECONDARY_DEFAULT_WAIT:.0f}s",
                retry_after=SECONDARY_DEFAULT_WAIT,
            )
        return ForgeError(f"GitHub refused {step} on {repo} (403: {message}): {TOKEN_ADVICE}")
    if answer.status >= 500:
        return ForgeRetryable(
            f"GitHub failed {step} on {repo} ({answer.status}: {message or 'server error'}): "
            f"retry in {backoff:.0f}s",
            retry_after=backoff,
        )
    if answer.status == 401:
        return ForgeError(
            f"GitHub rejected the token (401: {message or 'Bad credentials'}) while {step}: "
            f"set GITHUB_TOKEN to a valid, unexpired token; {TOKEN_ADVICE} on {repo}"
        )
    if answer.status == 404 and step == "reading the repository":
        return ForgeError(
            f"GitHub repository {repo} not found (404): check --github-repo OWNER/NAME, "
            "and that the token can see it (private repositories need the token to be granted access)"
        )
    return ForgeError(f"GitHub refused {step} on {repo} ({answer.status}: {message})")


def unreachable(exc: Exception, *, step: str, api_url: str, backoff: float) -> ForgeRetryable:
    """A timeout or a failed connection, worth retrying after ``backoff`` seconds."""
    kind = "timed out" if "timeout" in type(exc).__name__.lower() else "could not be reached"
    return ForgeRetryable(
        f"GitHub ({api_url}) {kind} while {step} ({type(exc).__name__}): retry in {backoff:.0f}s",
        retry_after=backoff,
    )


def _seconds(value: str | None) -> float | None:
    """A header holding a number of seconds (or an epoch), or None."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None
