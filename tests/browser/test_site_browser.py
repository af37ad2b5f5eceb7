"""What residents click, in real headless Chromium against the built demo site."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from conftest import ARTIFACTS, Served

pytestmark = pytest.mark.browser


def issues_mentioning(served: Served, word: str) -> set[str]:
    return {
        issue_id for issue_id, loaded in served.repo.issues.items()
        if word in loaded.record.title or word in loaded.body
    }


@pytest.mark.parametrize("word", ["小广告", "电梯", "垃圾房"])
def test_search_finds_the_issue_and_opens_it(served: Served, page: Page, word: str) -> None:
    expected = issues_mentioning(served, word)
    assert expected, f"the demo has no issue about {word}"
    page.goto(served.url + "search/")
    page.fill("#search-input", word)
    results = page.locator(".yi-search-hit > a")
    expect(results.first).to_be_visible(timeout=15_000)
    # The live region announces how many records were found.
    expect(page.locator("#search-status[role=status]")).to_contain_text("找到")
    found = {
        m.group(1) for href in results.evaluate_all("links => links.map(a => a.href)")
        if (m := re.search(r"/issues/([^/]+)/", href))
    }
    assert found & expected
    results.first.click()
    page.wait_for_load_state()
    match = re.search(r"/(issues|meetings)/([^/]+)/", page.url)
    assert match is not None
    assert word in page.locator("article").inner_text()


def test_header_search_link_opens_the_search_page(served: Served, page: Page) -> None:
    page.goto(served.url)
    page.click("a.md-header__button[aria-label=搜索]")
    expect(page.locator("#search-input")).to_be_visible()


def test_filter_the_issue_list_by_community(served: Served, page: Page) -> None:
    community = "shengye"
    expected = {i for i, loaded in served.repo.issues.items() if loaded.record.community == community}
    assert 0 < len(expected) < len(served.repo.issues)
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(served.url + "issues/")
    rows = page.locator("table.yi-issues tbody tr[data-id]")
    expect(rows).to_have_count(len(served.repo.issues))
    page.select_option("form.yi-filter select[name=community]", community)
    expect(rows).to_have_count(len(expected))
    assert set(rows.evaluate_all("rs => rs.map(r => r.dataset.id)")) == expected
    expect(page.locator(".yi-filter-count")).to_contain_text(str(len(expected)))
    # Only the community's share of the record was downloaded.
    assert [u for u in fetched if "/assets/issues" in u] == [
        served.url + f"assets/issues/{community}.json"]
    # A second facet narrows the same rows further.
    category = next(iter({served.repo.issues[i].record.category for i in expected}))
    both = {i for i in expected if served.repo.issues[i].record.category == category}
    page.select_option("form.yi-filter select[name=category]", category)
    expect(rows).to_have_count(len(both))
    # The row links lead to the issue pages.
    rows.first.locator("a").click()
    assert re.search(r"/issues/[^/]+/$", page.url)


def test_filter_works_without_javascript_through_facet_pages(served: Served, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(served.url + "issues/")
    assert page.locator("form.yi-filter").is_hidden()
    page.click(".yi-facet a.yi-chip:has-text('盛业家园社区')")
    ids = set(page.locator("table.yi-issues tbody tr[data-id]").evaluate_all(
        "rs => rs.map(r => r.dataset.id)"))
    assert ids == {i for i, rec in served.repo.issues.items() if rec.record.community == "shengye"}
    context.close()


def test_decision_link_leads_to_the_agenda_item(served: Served, page: Page) -> None:
    issue_id = next(i for i in sorted(served.repo.issues) if served.repo.decision(i))
    ref = served.repo.decision(issue_id)
    assert ref is not None
    page.goto(served.url + f"issues/{issue_id}/")
    page.click("a.yi-decision-link")
    assert page.url.endswith(f"/meetings/{ref.meeting.id}/#{issue_id}")
    item = page.locator(f"section[id='{issue_id}']")
    expect(item).to_be_in_viewport()
    assert ref.item.decision and ref.item.decision in item.inner_text()
    assert page.evaluate("document.querySelector(':target').id") == issue_id


def phone_pages(served: Served) -> list[str]:
    issue = max(served.repo.issues.values(), key=lambda rec: len(rec.source.text)).record.id
    meeting = max(served.repo.meetings.values(), key=lambda m: len(m.record.agenda)).record.id
    return ["", "issues/", f"issues/{issue}/", f"meetings/{meeting}/", "meetings/", "lists/",
            "lists/projects/", "communities/shengye/", "categories/ads/", "stats/", "submit/",
            "about/", "search/"]


def test_no_page_scrolls_sideways_on_a_375px_phone(served: Served, phone: Page) -> None:
    wide = []
    for url in phone_pages(served):
        phone.goto(served.url + url)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            wide.append((url, width))
    assert wide == []


def test_screenshots(served: Served, phone: Page, page: Page) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    issue = next(i for i in sorted(served.repo.issues) if served.repo.decision(i))
    meeting = served.repo.decision(issue).meeting.id  # type: ignore[union-attr]
    shots = {"home": "", "issue": f"issues/{issue}/", "meeting": f"meetings/{meeting}/",
             "stats": "stats/"}
    for name, url in shots.items():
        for label, tab in (("phone", phone), ("desktop", page)):
            tab.goto(served.url + url)
            path = ARTIFACTS / f"site-{name}-{label}.png"
            tab.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 10_000
