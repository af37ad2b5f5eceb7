"""The whole loop in Chromium: a resident submits on the intake's form; approver B approves
the new proposal on the desk; moderator A (on a 375 px phone) screens it, plans a meeting,
records it with a vote and an action; A cannot approve; approver B approves each change; the rebuilt site shows the decision on the issue
page and at the meeting's anchor; A marks the action done, closes the issue and records the
feedback, B approving each. Along the way axe-core checks the desk's pages, no page
scrolls sideways, and the 待办 page and the meeting form are saved as screenshots."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from conftest import ARTIFACTS
from desk_support import PASSWORD, Clock, new_desk
from intake_support import YISHI, make_records_repo, serve_app
from site_support import build
from yishi.council import load_council
from yishi.desk.app import create_app as desk_app
from yishi.intake.service import ServiceSettings
from yishi.intake.service import create_app as intake_app
from yishi.intake.store import Store
from yishi.testing.static_site import serve_directory

pytestmark = pytest.mark.browser

TITLE = "三号楼前的路灯坏了,晚上看不见台阶"
DECISION = '<script>alert("desk")</script>物业一周内修好三号楼前的路灯'


def accessible(page: Page) -> None:
    """No serious or critical axe violation."""
    results = Axe().run(page)
    violations = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
                  for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]
    assert violations == [], page.url


def accessible_and_narrow(page: Page) -> None:
    """No serious or critical axe violation, and nothing wider than the phone's screen."""
    accessible(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} px wide"


def login(page: Page, base: str, name: str, check: bool = False) -> None:
    page.goto(base + "/login")
    if check:
        accessible_and_narrow(page)
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(base + "/")


def send(page: Page) -> str:
    """Preview the form on the page, confirm it, and return the change's id."""
    page.click("button[value=preview]")
    expect(page.locator("div.preview")).to_be_visible()
    page.click("button[value=confirm]")
    expect(page.locator("#change-state")).to_have_text("等待审核")
    return page.url.rsplit("/", 1)[-1]


def approve(page: Page, base: str, change_id: str) -> None:
    page.goto(f"{base}/changes/{change_id}")
    page.click("text=批准并合并")
    expect(page.locator("#change-state")).to_have_text("已批准并合并")


def test_the_moderators_loop_from_submission_to_feedback(tmp_path: Path, browser: Browser) -> None:
    started = time.monotonic()
    root = make_records_repo(tmp_path / "records", full=True)
    intake_db = tmp_path / "intake.sqlite3"
    intake = intake_app(Store(intake_db), load_council(root),
                        settings=ServiceSettings(min_fill_seconds=0))
    desk = new_desk(tmp_path, root)
    desk.settings.intake_db = intake_db
    assert isinstance(desk.clock, Clock)
    desk.clock.now = time.time()
    resident = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740})
    a_context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740},
                                    is_mobile=True, has_touch=True)
    b_context = browser.new_context(locale="zh-CN", viewport={"width": 1200, "height": 900})
    dialogs: list[str] = []
    for context in (a_context, b_context):
        context.on("page", lambda p: p.on("dialog", lambda d: (dialogs.append(d.message),
                                                                  d.dismiss())))
    with serve_app(intake) as intake_url, serve_app(desk_app(desk)) as base:
        # A resident submits on the intake's form.
        page = resident.new_page()
        page.goto(intake_url + "/submit")
        page.fill("#title", TITLE)
        page.fill("#description", "三号楼前两盏路灯都不亮,老人晚上出门容易踩空。")
        page.select_option("#community", "shengye")
        page.select_option("#category", "amenities")
        page.fill("#contact", "wx_resident_private")
        page.check("input[name=consent]")
        page.click("button[type=submit]")
        issue_id = re.search(r"\d{4}-\d{4}-[a-z0-9]{4}", page.inner_text("main")).group()  # type: ignore[union-attr]
        resident.close()
        done = subprocess.run([YISHI, "intake", "work", "--once", "--repo", str(root),
                               "--db", str(intake_db)], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr

        a, b = a_context.new_page(), b_context.new_page()
        login(a, base, "amy", check=True)
        login(b, base, "bo")
        # The new proposal waits on 待办; A may read it, approver B approves it on the desk.
        expect(a.locator("#proposals + ul")).to_contain_text(TITLE)
        a.click(f"#proposals + ul >> text={TITLE}")
        expect(a.locator("#check-ok")).to_be_visible()
        expect(a.locator("text=批准提案")).to_have_count(0)
        accessible_and_narrow(a)
        b.click(f"#proposals + ul >> text={TITLE}")
        expect(b.locator("#proposal-body")).to_contain_text("老人晚上出门容易踩空")
        accessible(b)
        b.click("text=批准提案")
        expect(b.locator("#proposal-state")).to_contain_text("已批准")
        assert Store(intake_db).get(issue_id).status.value == "published"  # type: ignore[union-attr]
        a.goto(base + "/")
        # 待办 shows the new proposal with its days against the 15-day promise.
        expect(a.locator("#screening + ul")).to_contain_text(TITLE)
        expect(a.locator("#screening + ul")).to_contain_text("还剩 15 天")
        ARTIFACTS.mkdir(exist_ok=True)
        a.screenshot(path=str(ARTIFACTS / "desk-todo.png"))
        accessible_and_narrow(a)

        # Screen: accept (the four criteria are ticked by default).
        a.click(f"text={TITLE}")
        accessible_and_narrow(a)
        a.click("text=筛选(受理 / 不予受理 / 合并 / 撤回)")
        accessible_and_narrow(a)
        a.check("input[name=decision][value=accept]")
        a.click("button[value=preview]")
        expect(a.locator("div.preview")).to_contain_text("已受理")
        accessible_and_narrow(a)  # the preview page
        a.click("button[value=edit]")  # back to the form, the choice kept
        expect(a.locator("input[name=decision][value=accept]")).to_be_checked()
        screening = send(a)
        accessible_and_narrow(a)
        # A cannot approve A's own change.
        expect(a.locator("text=批准并合并")).to_have_count(0)
        expect(a.locator("main")).to_contain_text("四眼原则")
        b.goto(f"{base}/changes/{screening}")
        accessible(b)  # the approver's view of a change
        approve(b, base, screening)
        b.goto(f"{base}/audit")
        accessible(b)

        # Plan a meeting today with the proposal on the agenda.
        a.goto(f"{base}/issues/{issue_id}")
        a.click("text=列入议事会议程")
        expect(a.locator(f"input[name=agenda][value='{issue_id}']")).to_be_checked()
        today = desk.today().isoformat()
        a.fill("#date", today)
        a.fill("#time", "19:30")
        a.fill("#place", "盛业家园活动室")
        a.select_option("#community", "shengye")
        a.fill("#convener", "社区居委会")
        accessible_and_narrow(a)
        plan = send(a)
        approve(b, base, plan)
        meeting_id = desk.changes.get(plan).subject  # type: ignore[union-attr]

        # Record it: parties, the decision, a vote checked as it is typed, an action.
        a.goto(f"{base}/meetings/{meeting_id}")
        a.click("text=记录会议结果")
        a.fill("[id='party.residents_committee']", "2")
        a.fill("[id='party.resident_reps']", "9")
        a.select_option("[id='agenda0.outcome']", "decided")
        a.fill("[id='agenda0.decision']", "物业一周内修好三号楼前的路灯")
        a.fill("[id='agenda0.vote.for']", "9")
        a.fill("[id='agenda0.vote.against']", "3")
        a.fill("[id='agenda0.vote.abstain']", "1")
        a.fill("[id='agenda0.vote.eligible']", "11")
        expect(a.locator(".vote-check")).to_contain_text("多于有表决权的 11 人")
        a.fill("[id='agenda0.vote.against']", "1")
        expect(a.locator(".vote-check")).to_contain_text("通过")
        a.fill("[id='agenda0.action0.what']", "更换三号楼前的两盏路灯")
        a.select_option("[id='agenda0.action0.responsible']", "property")
        a.fill("[id='agenda0.action0.due']", today)
        a.fill("#minutes", "居民代表反映路灯问题,物业当场承诺一周内修好。")
        a.locator("[id='agenda0']").scroll_into_view_if_needed()
        a.evaluate("document.getElementById('agenda0').scrollIntoView()")
        a.screenshot(path=str(ARTIFACTS / "desk-meeting-form.png"))
        accessible_and_narrow(a)
        a.fill("[id='agenda0.decision']", DECISION)  # script typed into the decision
        record = send(a)
        expect(a.locator("main div.preview")).to_contain_text("物业一周内修好三号楼前的路灯")
        expect(a.locator("main script")).to_have_count(0)  # text, never markup
        approve(b, base, record)

        # The rebuilt site shows the decision on the issue page and at the meeting's anchor.
        site = build(root, site_dir=tmp_path / "site")
        with serve_directory(site) as site_url:
            b.goto(f"{site_url}issues/{issue_id}/")
            expect(b.locator("article")).to_contain_text(DECISION)
            b.goto(f"{site_url}meetings/{meeting_id}/#{issue_id}")
            expect(b.locator(f"[id='{issue_id}']")).to_contain_text(DECISION)
        assert dialogs == []  # the script typed into the decision never ran

        # A marks the action done, closes the issue and records the feedback.
        a.goto(f"{base}/issues/{issue_id}/follow-up")
        a.check("input[name=kind][value=done]")
        a.select_option("#action", "1")
        a.fill("#done", today)
        approve(b, base, send(a))
        a.goto(f"{base}/issues/{issue_id}/close")
        a.fill("#outcome", "两盏路灯已更换,居民晚上出行安全了。")
        approve(b, base, send(a))
        a.goto(f"{base}/issues/{issue_id}/feedback")
        a.fill("#satisfied", "8")
        a.fill("#basically_satisfied", "2")
        a.fill("#dissatisfied", "0")
        a.check("input[name=resolved][value=yes]")
        approve(b, base, send(a))
        a.goto(f"{base}/issues/{issue_id}")
        expect(a.locator("main")).to_contain_text("已办结")
        expect(a.locator("main")).to_contain_text("两盏路灯已更换")
        expect(a.locator("main")).to_contain_text("满意 8")
        accessible_and_narrow(a)
        # Contacts: only the approver, only on request.
        assert "wx_resident_private" not in a.content()
        b.goto(f"{base}/issues/{issue_id}")
        b.click("text=查看联系方式")
        expect(b.locator("main")).to_contain_text("wx_resident_private")
    a_context.close()
    b_context.close()
    assert time.monotonic() - started < 60
