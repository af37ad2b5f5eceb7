"""``make demo`` end to end: a resident submits on the site's form, a moderator approves,
the site rebuilds with the new issue, and Ctrl-C stops every process."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from conftest import PROJECT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

YISHI = str(Path(sys.executable).with_name("yishi"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def test_submit_approve_rebuild_and_stop(tmp_path: Path, browser: Browser) -> None:
    site_port, intake_port, desk_port = free_port(), free_port(), free_port()
    env = {**os.environ, "YISHI_DEMO_DIR": str(tmp_path / "demo"), "NO_MKDOCS_2_WARNING": "1",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid"}
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(
        [sys.executable, str(PROJECT / "scripts" / "demo.py"), "--port", str(site_port),
         "--intake-port", str(intake_port), "--desk-port", str(desk_port)],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    site, intake = f"http://127.0.0.1:{site_port}/", f"http://127.0.0.1:{intake_port}"
    try:
        wait_for(site)
        wait_for(f"{intake}/api/token")
        # The desk runs beside them, and the printed demo passwords log in.
        desk = f"http://127.0.0.1:{desk_port}"
        wait_for(f"{desk}/healthz")
        printed = (tmp_path / "demo.log").read_text(encoding="utf-8")
        password = re.search(r"demo-approver\s+密码 password: (\S+)", printed)
        assert password, printed
        desk_page = browser.new_page()
        desk_page.goto(f"{desk}/login")
        desk_page.fill("#username", "demo-approver")
        desk_page.fill("#password", password.group(1))
        desk_page.click("button[type=submit]")
        expect(desk_page.locator("h1")).to_contain_text("待办")
        desk_page.close()
        page = browser.new_page()
        page.goto(site + "submit/")
        # The page's script fetched a token from the intake service (CORS).
        expect(page.locator("input[name=token]")).not_to_have_value("", timeout=10_000)
        page.fill("#f-title", "单元门禁坏了一个月没人修")
        page.fill("#f-description", "3 号楼单元门禁坏了一个月,外人随便进出,希望尽快修好。")
        page.select_option("#f-community", "shengye")
        page.select_option("#f-category", "repairs")
        page.check("input[name=consent]")
        time.sleep(3.2)  # the service refuses forms filled faster than a person can
        page.click("#proposal-form button[type=submit]")
        receipt = page.locator("#receipt")
        expect(receipt).to_be_visible(timeout=15_000)
        match = re.search(r"\d{4}-\d{4}-[a-z0-9]+", receipt.inner_text())
        assert match, receipt.inner_text()
        issue_id = match.group(0)

        repo, db = tmp_path / "demo" / "records", tmp_path / "demo" / "intake.sqlite3"
        deadline = time.monotonic() + 30
        while issue_id not in subprocess.run(
            [YISHI, "review", "list", "--repo", str(repo)],
            capture_output=True, text=True, env=env).stdout:
            assert time.monotonic() < deadline, "the worker never made the proposal"
            time.sleep(0.5)
        subprocess.run([YISHI, "review", "approve", issue_id, "--repo", str(repo), "--db", str(db)],
                       check=True, capture_output=True, env=env)
        wait_for(site + f"issues/{issue_id}/", timeout=60)
        page.goto(site + f"issues/{issue_id}/")
        expect(page.locator("h1")).to_have_text("单元门禁坏了一个月没人修")
        page.close()
    finally:
        demo.send_signal(signal.SIGINT)  # what Ctrl-C sends
        try:
            assert demo.wait(timeout=20) == 0
        finally:
            if demo.poll() is None:
                os.killpg(demo.pid, signal.SIGKILL)
            log.close()
    # Every process is gone: nothing answers on either port.
    for url in (site, f"{intake}/api/token", f"http://127.0.0.1:{desk_port}/healthz"):
        with pytest.raises(httpx.ConnectError):
            httpx.get(url, timeout=2)
