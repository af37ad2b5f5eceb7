"""Bounded photo work: how many photos are decoded at once, and how many pixels they hold.

Decoding is the one expensive thing the service does for an anonymous client. It runs on a
pool of its own, one thread per core, so receipts, tokens and the form (served on the event
loop and the default thread pool) stay fast however many photos arrive; a pixel budget keeps
the decoded images in memory bounded; and when too many submissions with photos are
already waiting, the next is told to retry later instead of queueing without end.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from ..errors import YishiError
from .photos import MAX_PIXELS, Upload, process


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class Busy(YishiError):
    """Too many submissions with photos are waiting; the client should retry shortly."""


class PixelBudget:
    """At most ``limit`` decoded pixels in memory at once (a photo over it waits its turn)."""

    def __init__(self, limit: int) -> None:
        if limit < MAX_PIXELS:
            raise ValueError(f"a pixel budget below one photo's cap ({MAX_PIXELS}) never fits it")
        self.limit = limit
        self.in_use = 0
        #: The most pixels held at once so far (for tests and metrics).
        self.peak = 0
        self._room = threading.Condition()

    @contextmanager
    def reserve(self, pixels: int) -> Iterator[None]:
        """Wait until ``pixels`` fit, hold them inside the ``with`` block."""
        with self._room:
            self._room.wait_for(lambda: self.in_use + pixels <= self.limit)
            self.in_use += pixels
            self.peak = max(self.peak, self.in_use)
        try:
            yield
        finally:
            with self._room:
                self.in_use -= pixels
                self._room.notify_all()


class PhotoWork:
    """The service's photo decoder: ``workers`` threads, a pixel budget, a bounded wait."""

    def __init__(self, *, workers: int | None = None, pixel_budget: int = 48_000_000,
                 max_waiting: int | None = None) -> None:
        self.workers = workers or cores()
        self.budget = PixelBudget(pixel_budget)
        self.max_waiting = max_waiting if max_waiting is not None else 8 * self.workers
        #: Submissions with photos accepted for decoding and not finished yet.
        self.waiting = 0
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="yishi-photos")

    async def process(self, uploads: list[Upload]) -> list[bytes]:
        """Re-encode ``uploads`` on the photo pool; :class:`Busy` when the queue is full."""
        if self.waiting >= self.max_waiting:
            raise Busy
        # Counted on the event loop's thread only, so no lock is needed.
        self.waiting += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, process, uploads, self.budget)
        finally:
            self.waiting -= 1

    def close(self) -> None:
        """Stop the pool once the photos being decoded are done."""
        self._pool.shutdown(wait=True, cancel_futures=True)
