"""Group commit: one writer thread admits the submissions that arrive together in one
transaction, so a single sync to disk makes a whole burst durable before any is answered.

Each request handler hands its :class:`~.store.Admission` to the writer and waits for the
outcome; the writer takes everything queued since its last commit (up to ``max_batch``),
admits it with :meth:`~.store.Store.admit_all` and only then answers each waiting handler.
No delay is added to gather a group: while one commit syncs, the next group forms by itself.
The SQLite work stays off the event loop, and the write lock is taken once per group
instead of once per request, by the one thread that writes.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future

from .store import Admission, Admitted, Limited, Store, StoreError

log = logging.getLogger("yishi.intake.groupcommit")

Outcome = Admitted | Limited
#: What the writer's queue holds: an admission and the future to answer, or None to stop.
_Item = tuple[Admission, "Future[Outcome]"] | None


class GroupCommitter:
    """The service's single writer of admissions (started on first use, stopped by close)."""

    def __init__(self, store: Store, *, max_batch: int = 256) -> None:
        self.store = store
        self.max_batch = max_batch
        #: Transactions committed so far, and admissions in them (for tests and metrics).
        self.commits = 0
        self.admissions = 0
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False

    def submit(self, admission: Admission) -> Future[Outcome]:
        """Queue ``admission``; the future resolves once its transaction has committed."""
        future: Future[Outcome] = Future()
        with self._start_lock:
            if self._closed:
                raise StoreError("the intake store's writer is stopped")
            if self._thread is None:
                # Daemon: a service stopped without its shutdown hook must still exit. An
                # interrupted transaction is rolled back by SQLite and was never answered.
                self._thread = threading.Thread(
                    target=self._run, name="yishi-intake-writer", daemon=True)
                self._thread.start()
            self._queue.put((admission, future))
        return future

    async def admit(self, admission: Admission) -> Outcome:
        """Admit ``admission`` and wait, without blocking the event loop, until it is durable."""
        return await asyncio.wrap_future(self.submit(admission))

    def close(self) -> None:
        """Admit what is already queued, then stop the writer thread."""
        with self._start_lock:
            self._closed = True
            thread = self._thread
            self._queue.put(None)
        if thread is not None:
            thread.join()

    def _take(self) -> tuple[list[tuple[Admission, Future[Outcome]]], bool]:
        """The next group (blocking for its first item), and whether to stop after it."""
        group: list[tuple[Admission, Future[Outcome]]] = []
        item = self._queue.get()
        while True:
            if item is None:
                return group, True
            admission, future = item
            # A handler that gave up before its turn (its client went away) is skipped;
            # once running, a future can no longer be cancelled, so its answer is sure.
            if future.set_running_or_notify_cancel():
                group.append((admission, future))
            if len(group) >= self.max_batch:
                return group, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return group, False

    def _run(self) -> None:
        stop = False
        while not stop:
            group, stop = self._take()
            if group:
                self._commit(group)

    def _commit(self, group: list[tuple[Admission, Future[Outcome]]]) -> None:
        try:
            outcomes = self.store.admit_all([admission for admission, _ in group])
        except Exception as exc:  # the thread must live on; each waiting handler is told
            log.error("admitting %d submission(s) failed: %s", len(group), exc)
            for _, future in group:
                future.set_exception(exc)
            return
        self.commits += 1
        self.admissions += len(group)
        for (_, future), outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
