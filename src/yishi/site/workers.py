"""Rendering the generated pages and the data files on every core while the generator works.

MkDocs builds one page after another in one process. The pages Yishi generates (records,
lists, facets) depend only on the :class:`SiteContext`, and so do the data files, so worker
processes render the pages ahead, in the order MkDocs asks for them, then make the data
files (the exports); the generator puts each body into its theme and writes it. Workers
are forked: they inherit the loaded records, the index and the history, and are sent
nothing but page names. Where fork is unavailable, the process runs
threads (``mkdocs serve``'s watcher), or one job is asked for, everything is rendered
in-process when asked, as without workers. Pages that name their inputs are read from the
:class:`PageCache` when an earlier build rendered the same.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import NamedTuple

from .context import SiteContext
from .model import DataFile, GeneratedPage
from .page_cache import PageCache, StalePage
from .providers import FileProvider


class Rendered(NamedTuple):
    """One page's HTML, and how the cache took part."""

    html: str
    key: str | None  # the page's cache key; None for pages that do not name their inputs
    cached: bool  # read from the cache rather than rendered


def render_page(pages: Mapping[str, GeneratedPage], uri: str, cache: PageCache | None) -> Rendered:
    """The body of page ``uri``, from the cache when its template and values are those of
    an earlier build (in verify mode, checked against a fresh render)."""
    page = pages[uri]
    key = cached = None
    call = page.template() if page.template is not None else None
    if cache is not None and call is not None:
        key = call.inputs()
        cached = cache.get(key)
    if cached is None or (cache is not None and cache.verify):
        html = call.render() if call is not None else page.render()
        if cached is not None and cached != html:
            raise StalePage(f"页面缓存过期：{uri} 的缓存与重新渲染的结果不同，缓存键漏掉了某个输入 "
                            f"(stale page cache: the cached {uri} differs from a fresh render; "
                            f"its key misses an input)")
        if key is not None and cache is not None and cached is None:
            cache.put(key, html)
    else:
        html = cached
    return Rendered(page.daily(html) if page.daily else html, key, cached is not None)


@dataclass
class CacheUse:
    """What the cache did for one build."""

    keys: set[str] = field(default_factory=set)  # every key this build used
    hits: int = 0

#: Pages per task: enough that a task's overhead (two pickles) is noise, few enough that
#: the first pages are ready soon after the workers start.
CHUNK = 40

# What forked workers read. Set in the parent just before the pool forks them, so each
# worker holds its own copy and nothing but page names crosses the process boundary.
_pages: Mapping[str, GeneratedPage] = {}
_context: SiteContext | None = None
_file_providers: Sequence[FileProvider] = ()
_cache: PageCache | None = None


def _render(uris: Sequence[str]) -> list[Rendered]:
    """In a worker: the HTML of some pages."""
    return [render_page(_pages, uri, _cache) for uri in uris]


def _data_files() -> list[DataFile]:
    """In a worker: every data file, in provider order."""
    assert _context is not None
    return _make_data_files(_context, _file_providers)


def _make_data_files(ctx: SiteContext, providers: Sequence[FileProvider]) -> list[DataFile]:
    return [data_file for provider in providers for data_file in provider(ctx)]


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether workers can inherit this process: fork exists and no other thread runs
    (forking a threaded process can copy a lock held by another thread)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class Renderer:
    """Hands the generator each generated page's HTML and, at the end, the data files."""

    def __init__(
        self,
        ctx: SiteContext,
        pages: Mapping[str, GeneratedPage],
        file_providers: Sequence[FileProvider],
        jobs: int,
        cache: PageCache | None = None,
    ) -> None:
        self.ctx, self.pages, self.file_providers = ctx, pages, file_providers
        self.cache = cache
        self.cache_use = CacheUse()
        self._pool: ProcessPoolExecutor | None = None
        #: Page → (its place in its task's result, the task), until the page is taken.
        self._pending: dict[str, tuple[int, Future[list[Rendered]]]] = {}
        self._files: Future[list[DataFile]] | None = None
        if jobs > 1 and can_fork():
            self._start(jobs)

    @property
    def parallel(self) -> bool:
        """Whether worker processes render (else everything renders in this process)."""
        return self._pool is not None

    def _start(self, jobs: int) -> None:
        global _pages, _context, _file_providers, _cache
        # Compute every fact a page reads before forking: each worker would otherwise
        # compute it again (the history alone is a `git log` over the whole record).
        self.ctx.warm()
        _pages, _context, _file_providers = self.pages, self.ctx, self.file_providers
        _cache = self.cache
        # The collector would walk (and so copy, page by page) every object the workers
        # inherit, in each worker, again and again: leave those out of its reach.
        gc.freeze()
        self._pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
        lazy = [uri for uri, page in self.pages.items() if page.lazy]
        for start in range(0, len(lazy), CHUNK):
            chunk = lazy[start : start + CHUNK]
            task = self._pool.submit(_render, chunk)
            for place, uri in enumerate(chunk):
                self._pending[uri] = (place, task)
        # Submitted last, so a worker makes the files once the pages are done: while the
        # generator spends its time in theme templates.
        self._files = self._pool.submit(_data_files)

    def html(self, uri: str) -> str:
        """The body of the generated page ``uri``."""
        rendered = None
        pending = self._pending.pop(uri, None)
        if pending is not None:
            place, task = pending
            # A worker that died (e.g. out of memory) leaves the page to this process.
            with contextlib.suppress(BrokenProcessPool):
                rendered = task.result()[place]
        if rendered is None:
            rendered = render_page(self.pages, uri, self.cache)
        if rendered.key is not None:
            self.cache_use.keys.add(rendered.key)
            self.cache_use.hits += rendered.cached
        return rendered.html

    def data_files(self) -> list[DataFile]:
        """Every data file, in provider order."""
        if self._files is not None:
            try:
                return self._files.result()
            except BrokenProcessPool:
                pass
        return _make_data_files(self.ctx, self.file_providers)

    def close(self) -> None:
        """Stop the workers (pages never asked for are not waited for)."""
        global _pages, _context, _file_providers, _cache
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            gc.unfreeze()
        self._pending.clear()
        _pages, _context, _file_providers, _cache = {}, None, (), None
