"""A resident submits on the site's /submit/ page in Chromium and gets a receipt number; a
moderator approves it with ``yishi review approve``; the rebuilt site shows the issue."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from conftest import ARTIFACTS
from intake_support import YISHI, git, jpeg_with_gps, make_records_repo, serve_app
from site_support import build
from yishi.council import load_council
from yishi.intake.service import ServiceSettings, create_app
from yishi.intake.store import Store
from yishi.testing.static_site import serve_directory

pytestmark = pytest.mark.browser

TITLE = "东门路灯坏了三盏,晚上很黑"


def test_submit_approve_and_find_on_the_rebuilt_site(tmp_path: Path, browser: Browser) -> None:
    repo = make_records_repo(tmp_path / "records", full=True)
    db = tmp_path / "intake.sqlite3"
    photo = tmp_path / "路灯.jpg"
    photo.write_bytes(jpeg_with_gps())
    site_dir = tmp_path / "site"
    site_dir.mkdir()
    # The site is served first, so the service allows exactly its origin (CORS).
    with serve_directory(site_dir) as url:
        app = create_app(Store(db), load_council(repo), settings=ServiceSettings(
            min_fill_seconds=1, allow_origin=url.rstrip("/")))
        with serve_app(app) as intake:
            config = repo / "mkdocs.yml"
            text = config.read_text(encoding="utf-8")
            config.write_text(re.sub(r"intake_url: \S+", f"intake_url: {intake}", text), encoding="utf-8")
            git(repo, "commit", "-q", "-am", "Point the site at this intake service")
            build(repo, site_dir=site_dir)
            context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url + "submit/")
            expect(page.locator("#proposal-form input[name=token]")).not_to_have_value("", timeout=10_000)
            page.fill("input[name=title]", TITLE)
            page.fill("textarea[name=description]", "从东门到3号楼的路灯坏了三盏,老人晚上出门不方便。<script>x</script>")
            page.select_option("select[name=community]", "shengye")
            page.select_option("select[name=category]", "amenities")
            page.fill("input[name=location]", "盛业家园东门")
            page.fill("input[name=contact]", "wx_browser_private")
            page.set_input_files("input[name=photo]", str(photo))
            page.check("input[name=consent]")
            page.wait_for_timeout(1100)  # a person takes longer than the minimum fill time
            page.click("#proposal-form button[type=submit]")
            receipt = page.locator("#receipt")
            try:
                expect(receipt).to_be_visible(timeout=15_000)
            except AssertionError:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "submit-flow.png"), full_page=True)
                raise
            match = re.search(r"\d{4}-\d{4}-[a-z0-9]{4}", receipt.inner_text())
            assert match, receipt.inner_text()
            issue_id = match.group()
            context.close()
            assert errors == []

            status = httpx.get(f"{intake}/api/submissions/{issue_id}").json()
            assert status["status"] == "queued"
            common = ["--repo", str(repo), "--db", str(db)]
            for command in (["intake", "work", "--once"], ["review", "approve", issue_id],
                            ["intake", "work", "--once"]):
                done = subprocess.run([YISHI, *command, *common], capture_output=True, text=True, timeout=120)
                assert done.returncode == 0, done.stderr
            assert httpx.get(f"{intake}/api/submissions/{issue_id}").json()["status"] == "published"

    check = subprocess.run([YISHI, "check", "--root", str(repo)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    rebuilt = build(repo, site_dir=tmp_path / "rebuilt")
    issue_page = rebuilt / "issues" / issue_id / "index.html"
    assert issue_page.is_file()
    with serve_directory(rebuilt) as url:
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        page.goto(f"{url}issues/{issue_id}/")
        expect(page.locator("h1")).to_contain_text(TITLE)
        assert "wx_browser_private" not in page.content()
        # The resident's markup arrives as text on the page, not as an element.
        expect(page.locator("article")).to_contain_text("老人晚上出门不方便。<script>x</script>")
        context.close()
