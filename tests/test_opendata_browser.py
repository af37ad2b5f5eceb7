"""The cite block in real headless Chromium: copy buttons, access date, absolute permalink."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from opendata_repo import DONE, build, make_repo
from yishi.testing.static_site import serve_directory

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("opendata-browser")
    site = build(make_repo(base / "repo"), base / "site")
    with serve_directory(site) as url:
        yield url


def test_copy_buttons_copy_the_citation_with_todays_date(served: str, browser: Browser) -> None:
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"{served}issues/{DONE}/")
    permalink = f"{served}issues/{DONE}/"
    today = dt.date.today().isoformat()
    # Without a configured site URL the script fills in the absolute permalink.
    assert page.inner_text("#cite .yi-permalink") == permalink
    text = page.inner_text(f"#cite-text-{DONE}")
    assert f"[{today}]. {permalink}." in text
    button = page.locator(f'button[data-copy="cite-text-{DONE}"]')
    assert button.is_visible()
    button.click()
    page.wait_for_function("document.querySelector('button.yi-copy').textContent === '已复制'")
    assert page.evaluate("navigator.clipboard.readText()") == text
    page.click("#cite details:nth-of-type(2) summary")
    csl = json.loads(page.inner_text(f"#cite-csl-{DONE}"))
    assert csl[0]["URL"] == permalink
    assert csl[0]["accessed"]["date-parts"][0][0] == dt.date.today().year
    context.close()


def test_without_javascript_the_citation_is_selectable_text(served: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{served}issues/{DONE}/")
    assert not page.locator("button.yi-copy").first.is_visible()
    text = page.inner_text(f"#cite-text-{DONE}")
    assert text.startswith("示范街道居民议事协商委员会. ") and f"issues/{DONE}/" in text
    context.close()
