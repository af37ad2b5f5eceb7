"""MkDocs event handlers, and nothing else: the work happens in :mod:`yishi.site`."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..checks import run_checks
from ..errors import IntegrityError
from ..integrity import PREVIOUS_LEDGER_ENV, Integrity, check_publication
from ..loading import load_repository
from ..site.assets import SCRIPTS, STYLESHEETS
from ..site.context import SiteContext, SiteSettings
from ..site.integrity_pages import publications_file
from ..site.model import GeneratedPage
from ..site.opendata_pages import revision_date
from ..site.page_cache import VERIFY_ENV, PageCache, StalePage
from ..site.providers import file_providers, page_providers
from ..site.search_index import SearchIndexError, build_search_index
from ..site.workers import Renderer, default_jobs
from .config import YishiConfig
from .pages import GeneratedMkDocsPage
from .shared_blocks import SharedBlocks

log = logging.getLogger("mkdocs.plugins.yishi")

RECORD_FOLDERS = ("issues/", "meetings/")
#: Theme overrides shipped with the plugin (the header's search link).
OVERRIDES = Path(__file__).parent / "overrides"
#: Records that are data, not pages: the council registry and the declared rewrites.
DATA_RECORDS = frozenset({"council.yml", "rewrites.yml"})
#: Page metadata Material reads and a record must never set (``status`` is a nav badge).
FORBIDDEN_META = frozenset({"status", "template"})


class YishiPlugin(BasePlugin[YishiConfig]):
    """Turns the records under ``docs_dir`` into the transparency site."""

    def __init__(self) -> None:
        self.context: SiteContext | None = None
        self.generated: dict[str, GeneratedPage] = {}
        self.renderer: Renderer | None = None
        self.nav: Navigation | None = None
        self.cache: PageCache | None = None
        self.jobs = 1

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Records are read from the repository root that holds mkdocs.yml, so builds from
        # another working directory (tests, CI) read the right content.
        self.root = Path(config.docs_dir).parent
        for path in STYLESHEETS:
            if path not in config.extra_css:
                config.extra_css.append(path)
        for path in SCRIPTS:
            if path not in [str(script) for script in config.extra_javascript]:
                config.extra_javascript.append(path)
        # After a user's custom_dir, before Material's own templates.
        dirs = config.theme.dirs
        if str(OVERRIDES) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(OVERRIDES))
        if self.config.search == "pagefind":
            config.extra["yishi_search_url"] = "search/"
        return config

    # Run late so that other plugins' files are in place before records replace theirs.
    @event_priority(-50)
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        cache_dir = self.root / self.config.cache_dir
        repo = load_repository(
            self.root, cache_dir / "front-matter.marshal" if self.config.cache else None
        )
        if repo.council is None:
            raise PluginError("content/council.yml is missing or invalid: run `yishi check`")
        for problem in run_checks(repo):
            # A warning, so `mkdocs build --strict` refuses to publish broken records.
            log.warning("%s", problem)
        integrity = self._check_integrity()
        settings = SiteSettings(
            site_url=config.site_url or "",
            intake_url=self.config.intake_url,
            repo_url=self.config.repo_url or config.repo_url or "",
            per_page=self.config.per_page,
            search=self.config.search,
        )
        self.context = SiteContext.for_root(repo, settings, integrity)
        for file in list(files):
            # Record files are sources of data, not pages; council.yml and rewrites.yml are
            # not published raw.
            if (file.src_uri.startswith(RECORD_FOLDERS) and file.src_uri.endswith(".md")) or file.src_uri in DATA_RECORDS:
                files.remove(file)
        self.generated = {}
        nav: list[dict[str, str]] = []
        for provider in page_providers():
            for page in provider(self.context):
                self.generated[page.src_uri] = page
                existing = files.get_file_from_path(page.src_uri)
                if existing is not None:
                    files.remove(existing)
                inclusion = InclusionLevel.INCLUDED if page.in_nav else InclusionLevel.NOT_IN_NAV
                if page.in_nav:
                    nav.append({page.nav_title or page.title: page.src_uri})
                # The stub carries only the title, HTML-escaped because the theme prints
                # titles unescaped (JSON is valid YAML, so no title can break the stub);
                # the body is inserted after markdown, in on_page_content.
                title = str(escape(page.title))
                stub = f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n"
                file = File.generated(config, page.src_uri, content=stub, inclusion=inclusion)
                files.append(file)
                if not page.in_nav:
                    # Pages in the navigation take their title from it, so only the others
                    # (records, facets: nearly all) skip MkDocs' reading of the stub.
                    GeneratedMkDocsPage(title, file, config)
        # A small, constant navigation made of the pages that ask for a place in it, unless
        # mkdocs.yml spells out its own.
        if not config.nav:
            config.nav = nav
        self._close_renderer()
        self.jobs = self.config.jobs or default_jobs()
        verify = self.config.cache_verify or os.environ.get(VERIFY_ENV) == "1"
        self.cache = PageCache(cache_dir, verify=verify) if self.config.cache else None
        # Worker processes render the bodies from here on, while MkDocs reads and renders
        # its own pages; on_page_content hands them to MkDocs, which puts them into the
        # theme and writes them as any page (bench/README.md 4c: rendering the theme in the
        # workers too, through MkDocs' build internals, did not pay for itself).
        self._start_renderer()
        return files

    def _check_integrity(self) -> Integrity:
        """Stop the build when a published commit vanished from the history undeclared."""
        source = os.environ.get(PREVIOUS_LEDGER_ENV, "").strip() or None
        try:
            integrity = check_publication(self.root, source)
        except IntegrityError as exc:
            raise PluginError(str(exc)) from exc
        verification = integrity.verification
        if verification is not None:
            log.info("History checked: %d published commits are ancestors of %s%s%s",
                     verification.checked, verification.head[:12],
                     " (fetched the full history of a shallow clone)" if verification.fetched else "",
                     f"; {len(verification.vanished)} declared vanished" if verification.vanished else "")
        elif source is None:
            log.info("No previous ledger (%s): this publish starts data/publications.json",
                     PREVIOUS_LEDGER_ENV)
        return integrity

    def _start_renderer(self) -> None:
        assert self.context is not None
        self.renderer = Renderer(self.context, self.generated, file_providers(), self.jobs,
                                 cache=self.cache)
        if self.renderer.parallel:
            log.info("Rendering generated pages on %d worker processes", self.jobs)

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        # overrides/main.html renders the tabs and navigation once for pages that share them.
        assert self.nav is not None  # on_nav runs first
        env.globals["yishi_blocks"] = SharedBlocks(self.nav)
        return env

    def _generated_html(self, page: Page) -> str:
        """A generated page from the renderer; a stale cache entry fails the build."""
        assert self.renderer is not None
        try:
            return self.renderer.html(page.file.src_uri)
        except StalePage as exc:
            raise PluginError(str(exc)) from exc

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self.nav = nav
        return nav

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        generated = self.generated.get(page.file.src_uri)
        # "Last changed" on every page, from git; Material shows it under the content.
        sources = generated.sources if generated is not None else ()
        changed = revision_date(self.context, page.file.src_uri, sources) if self.context else None
        if changed:
            page.meta.setdefault("revision_date", changed)
        if generated is not None:
            page.meta.update(
                {k: v for k, v in generated.meta.items() if k not in FORBIDDEN_META}
            )
            if not generated.searchable:
                page.meta.setdefault("search", {"exclude": True})
        return markdown

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if page.file.src_uri not in self.generated:
            return html
        return self._generated_html(page)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        assert self.renderer is not None and self.context is not None
        site_dir = Path(config.site_dir)
        data_files = self.renderer.data_files()
        use = self.renderer.cache_use
        self._close_renderer()
        if self.cache is not None and use.keys:
            removed = self.cache.prune(use.keys)
            log.info("Page cache: %d of %d pages unchanged since an earlier build "
                     "(%d old entries removed)", use.hits, len(use.keys), removed)
        # The ledger names the manifest's digest, so it is made once the manifest exists.
        data_files.append(publications_file(self.context, {f.path: f.content for f in data_files}))
        for data_file in data_files:
            target = site_dir / data_file.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data_file.content)
        if self.config.search == "pagefind":
            try:
                build_search_index(site_dir)
            except SearchIndexError as exc:
                raise PluginError(str(exc)) from exc

    def on_build_error(self, *, error: Exception) -> None:
        self._close_renderer()

    def on_serve(self, server: Any, *, config: MkDocsConfig, builder: Any) -> Any:
        return server

    def _close_renderer(self) -> None:
        if self.renderer is not None:
            self.renderer.close()
            self.renderer = None
