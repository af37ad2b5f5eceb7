"""What a journalist clicks when a record's history was rewritten, in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from integrity_support import MEETING_FILE, build, edit, ok
from opendata_repo import MEETING, commit, git, make_repo
from yishi.history import read_history
from yishi.integrity import append_publication
from yishi.testing.static_site import serve_directory

pytestmark = pytest.mark.browser

REASON = "决议文本误录了一位居民的手机号,从历史中删除。"


@pytest.fixture(scope="module")
def rewritten(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A site published after a declared rewrite of the meeting's decision; its URL and the
    vanished commit."""
    base = tmp_path_factory.mktemp("integrity-browser")
    work = make_repo(base / "work")
    first = git(work, "rev-parse", "HEAD")
    edit(work, MEETING_FILE, "次日组织志愿者", "次日组织党员和志愿者")
    vanished = commit(work, "Record the decision", "2023-04-19T09:00:00+08:00")
    ledger = base / "publications.json"
    ledger.write_bytes(append_publication(
        None, commit=vanished, published_at="2023-04-19T10:00:00+08:00", manifest=b"{}",
        counts={}, history=read_history(work)).dumps())
    git(work, "reset", "-q", "--hard", first)
    (work / "content/rewrites.yml").write_text(
        f"rewrites:\n  - date: 2023-04-20\n    commits: [{vanished}]\n    reason: {REASON}\n"
        f"    authorised_by: 社区议事会\n    meeting: {MEETING}\n", encoding="utf-8")
    commit(work, "Declare the rewrite", "2023-04-20T10:00:00+08:00")
    ok(build(work, base / "site", str(ledger)))
    with serve_directory(base / "site") as url:
        yield url, vanished


def test_the_record_page_leads_to_the_notice(rewritten: tuple[str, str], page: Page) -> None:
    url, vanished = rewritten
    page.goto(f"{url}meetings/{MEETING}/")
    notice = page.locator(".yi-rewritten")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(vanished[:7])
    notice.locator("a.yi-rewrite-link").click()
    page.wait_for_load_state()
    assert page.url.startswith(f"{url}data/rewrites/#rewrite-2023-04-20-{vanished[:7]}")
    section = page.locator(f"#rewrite-2023-04-20-{vanished[:7]}")
    expect(section.locator(".yi-rewrite-reason")).to_have_text(REASON)
    row = section.locator(f'tr[data-commit="{vanished}"]')
    expect(row).to_contain_text(MEETING_FILE)
    # The record link in the notice goes back to the record's page.
    row.locator("a").click()
    page.wait_for_load_state()
    assert page.url == f"{url}meetings/{MEETING}/"


def test_the_data_page_links_the_notice(rewritten: tuple[str, str], page: Page) -> None:
    url, _ = rewritten
    page.goto(f"{url}data/")
    expect(page.locator("#integrity")).to_be_visible()
    expect(page.locator("pre.yi-verify-command")).to_contain_text("gh attestation verify")
    page.locator("a.yi-rewrites-link").click()
    page.wait_for_load_state()
    assert page.url == f"{url}data/rewrites/"
    expect(page.locator("h1")).to_contain_text("历史改写公告")


def test_without_a_rewrite_the_notice_page_says_so(tmp_path: Path, page: Page) -> None:
    repo = make_repo(tmp_path / "repo")
    ok(build(repo, tmp_path / "site", None))
    with serve_directory(tmp_path / "site") as url:
        page.goto(f"{url}data/rewrites/")
        expect(page.locator(".yi-no-rewrites")).to_contain_text("没有声明过任何历史改写")
        page.goto(f"{url}meetings/{MEETING}/")
        expect(page.locator(".yi-rewritten")).to_have_count(0)
