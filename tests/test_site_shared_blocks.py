"""The theme's tabs and navigation, rendered once and shared by the generated pages that
would render them alike, are byte for byte what rendering them on every page gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from site_support import copy_demo, site_files
from yishi.mkdocs_plugin.shared_blocks import Key, SharedBlocks


def _build(root: Path, site: Path) -> dict[str, bytes]:
    cwd = Path.cwd()
    os.chdir(root)
    try:
        build(load_config(str(root / "mkdocs.yml"), site_dir=str(site)))
    finally:
        os.chdir(cwd)
    return site_files(site)


def test_shared_blocks_change_no_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # In this process and without the page cache, so the spy sees every block rendered.
    root = copy_demo(tmp_path / "repo", per_page=5, jobs="1", cache="false")
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    stored: list[Key] = []
    put = SharedBlocks.put

    def spy(self: SharedBlocks, key: Key | None, html: str) -> str:
        if key is not None:
            stored.append(key)
        return put(self, key, html)

    monkeypatch.setattr(SharedBlocks, "put", spy)
    shared = _build(root, tmp_path / "shared")
    pages = sum(1 for path in shared if path.endswith(".html"))
    # Two blocks per kind of page (issues, meetings, list pages at each depth ...), not per page.
    assert 0 < len(stored) < pages / 4, (len(stored), pages)
    assert {key[0] for key in stored} == {"tabs", "site_nav"}

    monkeypatch.setattr(SharedBlocks, "get", lambda self, key: None)
    every_page = _build(root, tmp_path / "every-page")
    assert shared.keys() == every_page.keys()
    assert [path for path in shared if shared[path] != every_page[path]] == []
    assert b'class="md-tabs"' in shared["issues/2023-0403-k7qm/index.html"]
