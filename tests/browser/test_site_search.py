"""The search page in real headless Chromium: its own UI over Pagefind's index of the archive."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from conftest import Served

pytestmark = pytest.mark.browser


def containing(served: Served, word: str) -> set[str]:
    """Ids of the demo issues whose title or text holds ``word``."""
    return {i for i, loaded in served.repo.issues.items()
            if word in loaded.record.title or word in loaded.body}


def hit_targets(page: Page) -> list[str]:
    """The record pages the results link to, as ``issues/<id>`` or ``meetings/<id>``."""
    page.locator(".yi-search-hit > a").first.wait_for(timeout=15_000)
    hrefs = page.locator(".yi-search-hit > a").evaluate_all("links => links.map(a => a.href)")
    return [m.group(1) for href in hrefs if (m := re.search(r"/((?:issues|meetings)/[^/]+)/$", href))]


def test_a_word_the_browser_splits_differently_from_the_index_is_found(
    served: Served, page: Page
) -> None:
    # The browser's segmenter splits 清运 into 清|运 while the index (jieba) keeps it whole;
    # single characters find nothing, so without our own query terms this finds no issue.
    expected = containing(served, "清运")
    assert expected
    page.goto(served.url + "search/")
    page.fill("#search-input", "清运")
    found = {t.removeprefix("issues/") for t in hit_targets(page) if t.startswith("issues/")}
    assert expected <= found


def test_every_hit_links_to_a_record_page_that_exists(served: Served, page: Page) -> None:
    # A shared link (?q=) runs its search on load; hits from the meeting volumes lead to
    # the meetings' pages, the others to the issues' pages, never to the archive.
    page.goto(served.url + "search/?q=" + "小广告")
    targets = hit_targets(page)
    kinds = {t.split("/")[0] for t in targets}
    assert kinds == {"issues", "meetings"}
    for target in targets:
        kind, record_id = target.split("/")
        assert record_id in (served.repo.issues if kind == "issues" else served.repo.meetings)
    assert len(targets) == len(set(targets))
    expect(page.locator("#search-input")).to_have_value("小广告")
    # Matched words are marked in the excerpts, as elements, not as escaped markup.
    expect(page.locator(".yi-search-hit mark").first).to_be_visible()
    assert "&lt;mark" not in page.locator("#search-results").inner_html()


def test_typing_updates_the_address_and_a_miss_is_announced(served: Served, page: Page) -> None:
    page.goto(served.url + "search/")
    page.fill("#search-input", "电梯")
    expect(page.locator(".yi-search-hit").first).to_be_visible(timeout=15_000)
    assert "q=%E7%94%B5%E6%A2%AF" in page.url
    page.fill("#search-input", "zzzqqq")
    expect(page.locator("#search-status")).to_contain_text("没有找到", timeout=15_000)
    expect(page.locator(".yi-search-hit")).to_have_count(0)


def test_more_results_load_the_next_volumes(served: Served, page: Page) -> None:
    page.goto(served.url + "search/?q=" + "社区")
    hits = page.locator(".yi-search-hit")
    expect(hits.first).to_be_visible(timeout=15_000)
    before = hits.count()
    more = page.locator("#search-more")
    expect(more).to_be_visible()
    more.click()
    expect(hits).not_to_have_count(before)
    assert hits.count() > before


def test_search_page_with_results_has_no_serious_accessibility_violation(
    served: Served, page: Page
) -> None:
    page.goto(served.url + "search/?q=" + "小广告")
    page.locator(".yi-search-hit").first.wait_for(timeout=15_000)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert violations == []
    # The field has a visible label and the result count is announced.
    assert page.locator("label[for=search-input]").is_visible()
    assert page.locator("#search-status").get_attribute("aria-live") == "polite"
