"""The MkDocs page of a generated page: MkDocs neither reads nor converts a source for it."""

from __future__ import annotations

import logging

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc


class GeneratedMkDocsPage(Page):
    """A page whose body Yishi inserts in ``on_page_content``.

    MkDocs would parse the stub's front matter and build a Markdown converter with every
    configured extension to convert an empty body, for each of thousands of pages; this page
    holds the same results without that work. Set as ``File.page`` before the navigation is
    built, as Material's blog plugin does for its generated views.
    """

    def __init__(self, title: str, file: File, config: MkDocsConfig) -> None:
        super().__init__(None, file, config)
        #: The title as the stub's front matter gives it (HTML-escaped: themes print it raw).
        self.meta_title = title

    def read_source(self, config: MkDocsConfig) -> None:
        self.markdown, self.meta = "", {"title": self.meta_title}

    def render(self, config: MkDocsConfig, files: Files) -> None:
        # What converting an empty body yields.
        self.content = ""
        self.toc = get_toc([])
        self.present_anchor_ids = set()
        if logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG:
            self.links_to_anchors = {}
