"""The demo site, built once per test session, served on loopback, and a headless Chromium."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from site_support import PROJECT, build, copy_demo
from yishi.loading import Repository, load_repository
from yishi.testing.static_site import serve_directory

ARTIFACTS = PROJECT / "test-artifacts"


@dataclass(frozen=True)
class Served:
    """The built demo: its records, its folder and its loopback URL."""

    repo: Repository
    site: Path
    url: str


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = copy_demo(tmp_path_factory.mktemp("browser-demo"))
    site = build(root)
    with serve_directory(site) as url:
        yield Served(load_repository(root), site, url)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    # A script error on any page is a failure, even when the test's own assertions pass.
    assert errors == []


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN",
                                  is_mobile=True, has_touch=True)
    tab = context.new_page()
    yield tab
    context.close()
