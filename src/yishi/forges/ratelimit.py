"""A budget for content-creating requests, so the forge stays under GitHub's secondary limits.

GitHub allows at most 80 content-generating requests a minute and 500 an hour, and asks
clients to stop altogether until ``Retry-After`` or ``x-ratelimit-reset`` when it says so.
The budget refuses a request it cannot afford by raising :class:`ForgeRetryable` with the
wait, instead of sleeping, so the worker can do other work meanwhile.

Spent requests are remembered as wall-clock timestamps (sliding windows). With
``state_file`` the budget is shared by every process on the machine and survives restarts:
the file is locked, read and rewritten on each spend (a few kilobytes at most).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from yishi.errors import ForgeError, ForgeRetryable

#: Seconds since the epoch; a seam so tests move time without sleeping.
Clock = Callable[[], float]

MINUTE = 60.0
HOUR = 3600.0


@dataclass(frozen=True)
class Window:
    """At most ``requests`` requests in any ``seconds``-long sliding window."""

    requests: int
    seconds: float


@dataclass
class _State:
    """What the budget remembers: spent timestamps and a pause ordered by GitHub."""

    spent: list[float] = field(default_factory=list)
    paused_until: float = 0.0


class RequestBudget:
    """Sliding-window limits on content-creating requests, plus pauses ordered by GitHub."""

    def __init__(
        self,
        per_minute: int = 80,
        per_hour: int = 500,
        *,
        clock: Clock = time.time,
        state_file: Path | None = None,
    ) -> None:
        if per_minute < 1 or per_hour < 1:
            raise ValueError(
                f"budget limits must be at least 1, got {per_minute}/min and {per_hour}/h"
            )
        self.windows = (Window(per_minute, MINUTE), Window(per_hour, HOUR))
        self._clock = clock
        self._state_file = state_file
        self._lock = threading.Lock()
        self._state = _State()

    def spend(self) -> None:
        """Record one content-creating request, or raise ForgeRetryable if it must wait."""
        with self._locked() as state:
            now = self._clock()
            wait = self._wait(state, now)
            if wait > 0:
                raise ForgeRetryable(
                    f"content-creation budget exhausted ({self._describe()}): retry in {wait:.0f}s",
                    retry_after=wait,
                )
            state.spent.append(now)

    def check(self, count: int) -> None:
        """Raise ForgeRetryable unless ``count`` requests could be spent now.

        A forge calls this before a run of requests whose partial completion would be
        wasted (blobs, tree and commit are orphans without the ref that follows them).
        """
        if any(count > w.requests for w in self.windows):
            raise ForgeError(f"{count} requests can never fit a budget of {self._describe()}")
        with self._locked(write=False) as state:
            wait = self._wait(state, self._clock(), count)
        if wait > 0:
            raise ForgeRetryable(
                f"content-creation budget too low for {count} requests ({self._describe()}): "
                f"retry in {wait:.0f}s",
                retry_after=wait,
            )

    def wait_time(self, count: int = 1) -> float:
        """Seconds until ``count`` more content-creating requests are allowed (0: now)."""
        with self._locked(write=False) as state:
            return self._wait(state, self._clock(), count)

    def pause_until(self, when: float) -> None:
        """Hold every request until ``when`` (epoch seconds), as GitHub asked; never shortens."""
        with self._locked() as state:
            state.paused_until = max(state.paused_until, when)

    def paused_for(self) -> float:
        """Seconds left of a pause ordered by GitHub (0 when none)."""
        with self._locked(write=False) as state:
            return max(0.0, state.paused_until - self._clock())

    def spent_in(self, seconds: float) -> int:
        """How many requests were spent in the last ``seconds``."""
        with self._locked(write=False) as state:
            now = self._clock()
            return sum(1 for t in state.spent if now - t < seconds)

    def _wait(self, state: _State, now: float, count: int = 1) -> float:
        """The longest wait any window or pause imposes on ``count`` requests at ``now``."""
        longest = max(self.windows, key=lambda w: w.seconds).seconds
        state.spent = sorted(t for t in state.spent if now - t < longest)
        wait = max(0.0, state.paused_until - now)
        for window in self.windows:
            recent = [t for t in state.spent if now - t < window.seconds]
            excess = len(recent) + count - window.requests
            if excess > 0:
                # Room appears when the ``excess`` oldest requests age out of the window.
                wait = max(wait, recent[excess - 1] + window.seconds - now)
        return wait

    def _describe(self) -> str:
        """The limits in words, for error messages."""
        return ", ".join(f"{w.requests} per {_span(w.seconds)}" for w in self.windows)

    @contextlib.contextmanager
    def _locked(self, write: bool = True) -> Iterator[_State]:
        """The state, locked within this process and, with a state file, across processes."""
        with self._lock:
            if self._state_file is None:
                yield self._state
                return
            with _file_lock(self._state_file) as handle:
                state = _read_state(handle.read(), self._state_file)
                yield state
                if write:
                    handle.seek(0)
                    handle.truncate()
                    handle.write(
                        json.dumps({"spent": state.spent, "paused_until": state.paused_until})
                    )
                    handle.flush()
                    os.fsync(handle.fileno())


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[TextIO]:
    """Open ``path`` for reading and writing under an exclusive advisory lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _read_state(text: str, path: Path) -> _State:
    """Parse the state file; an empty file is a fresh budget."""
    if not text.strip():
        return _State()
    try:
        data = json.loads(text)
        spent = [float(t) for t in data.get("spent", [])]
        paused_until = float(data.get("paused_until", 0.0))
    except (ValueError, TypeError, AttributeError) as exc:
        raise ForgeError(
            f"{path}: the request-budget file is damaged ({exc}); delete it to start afresh"
        ) from exc
    return _State(spent=spent, paused_until=paused_until)


def _span(seconds: float) -> str:
    """``60`` → ``minute``, ``3600`` → ``hour``, otherwise ``N s``."""
    names = {MINUTE: "minute", HOUR: "hour"}
    return names.get(seconds, f"{math.ceil(seconds)} s")
