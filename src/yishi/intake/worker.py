"""The worker: drains the queue into proposals on a forge, and follows them to the end.

Each step is idempotent: forges look before they write (a branch or pull request an earlier
attempt made is found, not made again), so a worker killed at any
point and restarted makes exactly one proposal per submission. Failures are recorded on the
entry (visible in ``yishi intake status``) and retried with exponential backoff, never
sooner than a forge's ``Retry-After``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..council import Council
from ..errors import ForgeError, ForgeRetryable
from ..forges.base import Forge, ProposalState
from .notifier import Notifier
from .proposal import build_proposal
from .store import QueueStatus, Store

log = logging.getLogger("yishi.intake.worker")

Clock = Callable[[], datetime]

STATUS_FOR_STATE = {
    ProposalState.OPEN: QueueStatus.PR_OPEN,
    ProposalState.MERGED: QueueStatus.PUBLISHED,
    ProposalState.CLOSED: QueueStatus.DECLINED,
}


@dataclass(frozen=True)
class Backoff:
    """Seconds to wait after the n-th failure: ``base · factor^(n-1)``, at most ``cap``."""

    base: float = 30.0
    factor: float = 2.0
    cap: float = 3600.0

    def delay(self, failures: int) -> float:
        return float(min(self.cap, self.base * self.factor ** max(failures - 1, 0)))


class Worker:
    """Turns queued submissions into proposals through one forge."""

    def __init__(
        self, store: Store, forge: Forge, council: Council, clock: Clock, *,
        backoff: Backoff | None = None, lease: float = 60.0, notifier: Notifier | None = None,
    ) -> None:
        self.store = store
        self.forge = forge
        self.council = council
        self.clock = clock
        self.backoff = backoff or Backoff()
        # The lease only keeps two workers from doing the same entry at once (wasted work,
        # not a duplicate: forges open proposals idempotently). A worker killed mid-entry
        # leaves it leased, so another picks it up after at most this many seconds.
        self.lease = lease
        #: Until when the forge asked us to send nothing (epoch seconds).
        self.paused_until = 0.0
        #: Follows proposals on the main branch and sends their notices, each round.
        self.notifier = notifier

    def _now(self) -> float:
        return self.clock().timestamp()

    def step(self) -> bool:
        """Process the next due entry; False when none is due."""
        if self._now() < self.paused_until:
            return False
        issue_id = self.store.claim_due(self._now(), self.lease)
        if issue_id is None:
            return False
        self.process(issue_id)
        return True

    def process(self, issue_id: str) -> None:
        """Open (or find) the proposal of one entry and record where it stands."""
        try:
            submission, photos = self.store.content(issue_id)
            proposal = build_proposal(issue_id, submission, photos, self.council)
            # Forges look before they write, so this finds a proposal an earlier (crashed)
            # attempt made, merged or declined ones included, instead of making a second.
            ref = self.forge.open_proposal(proposal)
        except ForgeRetryable as exc:
            if exc.retry_after is not None:
                self._defer(issue_id, exc, exc.retry_after)
            else:
                self._failed(issue_id, exc, permanent=False)
            return
        except ForgeError as exc:
            self._failed(issue_id, exc, permanent=True)
            return
        except (OSError, ValueError, KeyError) as exc:
            self._failed(issue_id, exc, permanent=False)
            return
        status = STATUS_FOR_STATE[ref.state]
        self.store.set_status(issue_id, status, self._now(), pr_url=ref.url)
        log.info("%s: %s (%s)", issue_id, status.value, ref.url)

    def _defer(self, issue_id: str, exc: ForgeRetryable, retry_after: float) -> None:
        # The forge said when to come back (Retry-After, a rate-limit reset, our own budget):
        # nothing failed, so the entry keeps its status and every entry waits, not just this.
        now = self._now()
        self.paused_until = now + retry_after
        self.store.defer(issue_id, f"{type(exc).__name__}: {exc}", now=now, retry_at=now + retry_after)
        log.info("%s: forge asks to wait %.1f s: %s", issue_id, retry_after, exc)

    def _failed(self, issue_id: str, exc: Exception, *, permanent: bool) -> None:
        entry = self.store.get(issue_id)
        failures = (entry.attempts if entry else 0) + 1
        # A refusal for good waits the longest: someone has to fix the configuration first.
        delay = self.backoff.cap if permanent else self.backoff.delay(failures)
        now = self._now()
        message = f"{type(exc).__name__}: {exc}"
        self.store.record_failure(issue_id, message, now=now, retry_at=now + delay,
                                  permanent=permanent)
        log.warning("%s: attempt %d failed, retrying in %.0f s: %s", issue_id, failures, delay, message)

    def sync(self) -> int:
        """Follow open proposals to merged or declined; returns how many changed."""
        changed = 0
        for entry in self.store.entries(QueueStatus.PR_OPEN):
            try:
                ref = self.forge.find_proposal(entry.id)
            except ForgeError as exc:
                log.warning("%s: could not check the proposal: %s", entry.id, exc)
                continue
            if ref is not None and STATUS_FOR_STATE[ref.state] is not entry.status:
                status = STATUS_FOR_STATE[ref.state]
                self.store.set_status(entry.id, status, self._now(), pr_url=ref.url)
                log.info("%s: %s", entry.id, status.value)
                changed += 1
        return changed

    def drain(self) -> int:
        """Process every entry that is due now; returns how many were processed."""
        done = 0
        while self.step():
            done += 1
        return done

    def run(self, *, once: bool, poll: float = 2.0, max_wait: float = 60.0,
            sync_every: float = 30.0, sleep: Callable[[float], None] = time.sleep) -> int:
        """Work until stopped, or with ``once`` until nothing is left; the exit status.

        With ``once``, retries due within ``max_wait`` seconds are waited for; the exit
        status is 1 when entries are still failing after that, else 0.
        """
        synced = float("-inf")
        while True:
            self.drain()
            # Following open proposals asks the forge about each one: not on every poll.
            if once or self._now() - synced >= sync_every:
                self.sync()
                synced = self._now()
            if self.notifier is not None:
                self.notifier.run_pass()
            if not once:
                sleep(poll)
                continue
            due = self.store.next_due()
            if due is None:
                return 0
            wait = max(due, self.paused_until) - self._now()
            if wait > max_wait:
                return 1
            sleep(max(wait, 0.05))
