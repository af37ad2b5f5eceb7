"""/track/ in Chromium: a resident types the receipt number and sees where the proposal
stands — a queued one, one published and done on the main branch, an unknown number — with
and without JavaScript."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from intake_support import git, make_records_repo, serve_app
from site_support import build
from yishi.council import load_council
from yishi.intake.abuse import RateLimit
from yishi.intake.mainline import Mainline
from yishi.intake.notifier import Notifier
from yishi.intake.service import ServiceSettings, create_app, system_clock
from yishi.intake.store import QueueStatus, Store
from yishi.intake.submission import Submission
from yishi.testing.static_site import serve_directory

pytestmark = pytest.mark.browser

QUEUED = "2026-1130-wait"
PUBLISHED = "2018-0115-ev7n"  # a demo issue that went all the way to done


def test_track_a_receipt_number_with_and_without_javascript(tmp_path: Path,
                                                           browser: Browser) -> None:
    repo = make_records_repo(tmp_path / "records", full=True)
    council = load_council(repo)
    store = Store(tmp_path / "intake.sqlite3")
    for number, title in ((QUEUED, "北门台阶破损"), (PUBLISHED, "老电梯更换大修")):
        store.admit(Submission(title, "说明。", "shengye", "elevators", contact="t@example.org"),
                    [], client=number, now=time.time(), new_id=lambda n=number: n,
                    limit=RateLimit())
    store.set_status(PUBLISHED, QueueStatus.PUBLISHED, time.time())
    # The worker's pass reads the main branch and notes where each proposal stands.
    Notifier(store, Mainline(repo, "main", council), council, system_clock).run_pass()

    # The site is served first (from the folder the build then fills): the intake only
    # answers scripts from the site's origin (CORS).
    site = tmp_path / "site"
    site.mkdir()
    with serve_directory(site) as url:
        app = create_app(store, council, settings=ServiceSettings(
            min_fill_seconds=0, allow_origin=url.rstrip("/")))
        with serve_app(app) as intake:
            config = repo / "mkdocs.yml"
            text = config.read_text(encoding="utf-8")
            config.write_text(re.sub(r"intake_url: \S+", f"intake_url: {intake}", text),
                              encoding="utf-8")
            git(repo, "commit", "-q", "-am", "Point the site at this intake service")
            build(repo, site_dir=site)
            context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url + "track/")
            expect(page.locator("h1")).to_have_text("查询办理进度")
            status = page.locator("#track-status")

            page.fill("#t-id", QUEUED)
            page.click("#track-form button[type=submit]")
            expect(status).to_contain_text("已收到,正在登记")
            expect(page.locator("#track-timeline")).to_be_hidden()
            expect(page.locator("#track-link")).to_be_hidden()

            page.fill("#t-id", f" {PUBLISHED.upper()} ")
            page.click("#track-form button[type=submit]")
            expect(status).to_contain_text("已办结")
            steps = page.locator("#track-timeline li")
            expect(steps).to_have_count(8)
            expect(steps.first).to_contain_text("2018-01-15 已收到")
            expect(steps.last).to_contain_text("已办结:12 部更换、8 部大修全部通过验收")
            page.click("#track-link a")
            expect(page.locator("h1")).to_contain_text("20 部老电梯")

            for unknown in ("2024-0101-zzzz", "不是编号"):
                page.goto(url + "track/")
                page.fill("#t-id", unknown)
                page.click("#track-form button[type=submit]")
                expect(status).to_contain_text("没有找到这个受理编号")
            assert page.url == url + "track/"
            context.close()
            assert errors == []

            # Without JavaScript the form goes to the intake service's own receipt page.
            plain = browser.new_context(locale="zh-CN", java_script_enabled=False)
            page = plain.new_page()
            page.goto(url + "track/")
            page.fill("#t-id", PUBLISHED)
            page.click("#track-form button[type=submit]")
            assert page.url.startswith(f"{intake}/receipt?id=")
            expect(page.locator("#receipt")).to_have_text(PUBLISHED)
            expect(page.locator("#timeline li")).to_have_count(8)
            page.goto(url + "track/")
            page.fill("#t-id", "2024-0101-zzzz")
            page.click("#track-form button[type=submit]")
            expect(page.locator("#message")).to_contain_text("没有找到这个回执编号")
            expect(page.locator("input[name=id]")).to_have_value("2024-0101-zzzz")
            plain.close()
