"""Generated pages put into the theme by the render workers, as MkDocs would put them.

MkDocs renders the theme template of every page in its one process, and for a council's
thousands of records that is most of a build. The pages Yishi generates need nothing from
the build that is not known when the theme's environment is ready (``on_env``): their
bodies, the navigation, the configuration. So forked workers render them whole, and MkDocs
is handed the finished page through a one-line template (``yishi-prerendered.html``, set as
the page's ``template``, as front matter may), still running every plugin's
``on_post_page`` and writing the file itself. The workers use MkDocs' public pieces only:
``get_context`` for the template context and the theme's Jinja environment from
``on_env``; they write no file and set no private attribute.

Only where no other plugin takes part in a page's content or template context
(``on_page_content``, ``on_page_context``): such a plugin would expect to see every page's
content, so then the workers render bodies only and MkDocs renders the theme.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.commands.build import get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..site.page_cache import digest, folder_digest

#: The template MkDocs renders for a page the workers finished: it prints that page.
PRERENDERED_TEMPLATE = "yishi-prerendered.html"
#: Events whose handlers see or change a page's content or template context.
PAGE_EVENTS = ("page_content", "page_context")
#: Settings that say where things are on this machine, not what a page shows.
LOCAL_SETTINGS = frozenset({"config_file_path", "docs_dir", "site_dir", "dev_addr", "watch",
                            "strict", "remote_branch", "remote_name"})


def other_page_handlers(config: MkDocsConfig, ours: object,
                        events: Iterable[str] = PAGE_EVENTS) -> list[str]:
    """Handlers of other plugins (or hooks) for ``events``, by name."""
    names = []
    for event in events:
        for handler in config.plugins.events.get(event, []):
            owner = getattr(handler, "__self__", None)
            if owner is not ours:
                names.append(f"{event}: {getattr(handler, '__qualname__', handler)!r}")
    return names


def _plain(value: Any) -> Any:
    """A JSON stand-in for a setting: mappings and sequences as such, anything else by its
    representation without memory addresses (which differ between runs)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(value, key=repr) if isinstance(value, set | frozenset) else list(value)
    return re.sub(r" at 0x[0-9a-fA-F]+", "", repr(value))


def _nav_entries(items: Iterable[Any]) -> Iterable[str]:
    for item in items:
        yield f"{getattr(item, 'title', '')}\t{getattr(item, 'url', '') or ''}"
        yield from _nav_entries(getattr(item, "children", None) or ())


@cache
def _distribution_versions() -> dict[str, list[str]]:
    """Top-level package → the versions of the installed distributions that provide it."""
    return {package: sorted(f"{name}=={metadata.version(name)}" for name in names)
            for package, names in metadata.packages_distributions().items()}


def _plugin_settings(plugin: Any) -> Any:
    """A plugin's options and the version of the package it comes from (a new version may
    render differently); for a hooks module (``hooks:``), its code."""
    options = getattr(plugin, "config", None)
    if isinstance(options, Mapping):
        package = type(plugin).__module__.split(".", 1)[0]
        return {"options": dict(options), "code": _distribution_versions().get(package, [])}
    source = getattr(plugin, "__file__", None)
    if source:
        try:
            return digest(Path(source).read_bytes())
        except OSError:
            pass
    return type(plugin).__qualname__


def theme_inputs(config: MkDocsConfig, nav: Navigation) -> str:
    """A digest of what the theme shows on every page: settings, theme, plugins, nav."""
    settings = {key: config[key] for key in config if key not in LOCAL_SETTINGS}
    settings["plugins"] = {name: _plugin_settings(plugin) for name, plugin in config.plugins.items()}
    custom_dir = config.theme.custom_dir
    return digest(
        json.dumps(settings, sort_keys=True, default=_plain, ensure_ascii=False),
        json.dumps(dict(config.theme.items()), sort_keys=True, default=_plain),
        folder_digest(Path(custom_dir)) if custom_dir else "",
        *_nav_entries(nav.items),
    )


class ThemePages:
    """Renders the theme around generated pages' bodies (a :class:`PageFinisher`)."""

    def __init__(self, config: MkDocsConfig, nav: Navigation, files: Files,
                 env: Environment) -> None:
        self.config, self.nav, self.env = config, nav, env
        self.doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        self.pages: dict[str, Page] = {
            file.src_uri: file.page for file in self.doc_files if file.page is not None
        }
        # Taken now: the build process points its own copies at PRERENDERED_TEMPLATE.
        self.templates = {uri: page.meta.get("template", "main.html")
                          for uri, page in self.pages.items()}
        self.shared = theme_inputs(config, nav)

    def inputs(self, uri: str) -> str:
        page = self.pages[uri]
        meta = {k: v for k, v in page.meta.items() if k != "template"}
        return digest(self.shared, uri, page.url, page.title or "", self.templates[uri],
                      json.dumps(meta, sort_keys=True, default=_plain, ensure_ascii=False))

    def __call__(self, uri: str, body: str) -> str:
        # The page's template rendered with MkDocs' context for it, the page marked active
        # (the navigation highlights it); MkDocs runs the page events and writes the file.
        page = self.pages[uri]
        page.content = body
        page.active = True
        try:
            context = get_context(self.nav, self.doc_files, self.config, page)
            return self.env.get_template(self.templates[uri]).render(context)
        finally:
            page.active = False
            page.content = ""  # the worker keeps no page it has finished
