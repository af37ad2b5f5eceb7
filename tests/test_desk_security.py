"""The desk's login, sessions, CSRF, lockout, roles and audit log, over real HTTP."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_support import PASSWORD, LiveDesk, csrf_of, live_desk, login, try_login
from yishi.desk.messages import AUDIT_ACTIONS


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveDesk]:
    with live_desk(tmp_path) as served:
        yield served


def test_health_answers_without_a_session_and_pages_need_one(live: LiveDesk) -> None:
    anonymous = live.client()
    assert anonymous.get("/healthz").status_code == 200
    for path in ("/", "/changes", "/audit", "/issues/2026-1118-cd9p", "/meetings/x"):
        answer = anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    form = anonymous.get("/login")
    assert form.status_code == 200
    for field in ('name="username"', 'name="password"', 'name="csrf"'):
        assert field in form.text


def test_login_redirects_to_the_todo_page_with_a_strict_http_only_cookie(live: LiveDesk) -> None:
    client = live.client()
    token = csrf_of(client.get("/login").text)
    answer = client.post("/login", data={"username": "amy", "password": PASSWORD, "csrf": token})
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "max-age=" in cookie
    home = client.get("/")
    assert home.status_code == 200 and "待办" in home.text and "待筛选的提案" in home.text


def test_post_without_the_csrf_token_is_refused(live: LiveDesk) -> None:
    anonymous = live.client()
    anonymous.get("/login")  # has the login cookie, but posts no token
    refused = anonymous.post("/login", data={"username": "amy", "password": PASSWORD})
    assert refused.status_code == 403 and "安全令牌" in refused.text
    forged = anonymous.post("/login", data={"username": "amy", "password": PASSWORD,
                                            "csrf": "forged"})
    assert forged.status_code == 403
    client = login(live, "amy")
    assert client.post("/logout", data={}).status_code == 403
    assert client.post("/logout", data={"csrf": "not-the-token"}).status_code == 403
    # Still logged in: the refused POSTs did nothing.
    assert client.get("/").status_code == 200


def test_six_wrong_passwords_lock_the_account_with_a_chinese_message(live: LiveDesk) -> None:
    client = live.client()
    for _ in range(5):
        answer = try_login(client, "amy", "wrong password!")
        assert answer.status_code == 401 and "用户名或密码错误" in answer.text
    sixth = try_login(client, "amy", "wrong password!")
    assert sixth.status_code == 429 and "已暂时锁定" in sixth.text and "amy" in sixth.text
    # The right password does not get in while locked, from this or another client...
    assert "已暂时锁定" in try_login(client, "amy", PASSWORD).text
    # ...until the window has passed.
    live.clock.advance(15 * 60 + 1)
    assert try_login(client, "amy", PASSWORD).status_code == 303
    # Another account was never locked by amy's failures.
    assert login(live, "ben").get("/").status_code == 200


def test_a_client_guessing_many_names_is_stopped(live: LiveDesk) -> None:
    live.desk.throttle.limits = type(live.desk.throttle.limits)(per_account=6, per_client=4)
    client = live.client()
    for n in range(4):
        try_login(client, f"nobody{n}", "wrong password!")
    answer = try_login(client, "amy", PASSWORD)
    assert answer.status_code == 429 and "此设备" in answer.text


def test_disabling_or_resetting_a_user_ends_their_session(live: LiveDesk) -> None:
    amy = login(live, "amy")
    ben = login(live, "ben")
    live.desk.accounts.disable("amy")
    assert amy.get("/").headers["location"] == "/login"
    assert try_login(live.client(), "amy", PASSWORD).status_code == 401
    live.desk.accounts.reset("ben", "a brand new password")
    assert ben.get("/").headers["location"] == "/login"
    assert login(live, "ben", "a brand new password").get("/").status_code == 200


def test_an_expired_session_goes_back_to_login(live: LiveDesk) -> None:
    amy = login(live, "amy")
    live.clock.advance(8 * 3600 - 10)
    assert amy.get("/").status_code == 200
    live.clock.advance(20)
    answer = amy.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_logout_ends_the_session_even_for_a_copied_cookie(live: LiveDesk) -> None:
    amy = login(live, "amy")
    stolen = live.client(cookies=dict(amy.cookies))
    assert stolen.get("/").status_code == 200
    out = amy.post("/logout", data={"csrf": csrf_of(amy.get("/").text)})
    assert out.status_code == 200 and "已退出登录" in out.text
    assert stolen.get("/").headers["location"] == "/login"


def test_a_moderator_cannot_reach_an_approvers_page_by_url(live: LiveDesk) -> None:
    amy = login(live, "amy")
    refused = amy.get("/audit")
    assert refused.status_code == 403 and "只对审核人开放" in refused.text
    bo = login(live, "bo")
    audit = bo.get("/audit")
    assert audit.status_code == 200 and "login" in audit.text and "amy" in audit.text
    # Nothing a user typed as a password reaches the log, even in the name box.
    try_login(live.client(), "hunter2-secret-pass", PASSWORD)
    audit = bo.get("/audit")
    assert PASSWORD not in audit.text and "hunter2-secret-pass" not in audit.text
    assert "(未知用户)" in audit.text


def test_records_outside_the_council_are_not_found(live: LiveDesk) -> None:
    amy = login(live, "amy")
    for path in ("/issues/..%2F..%2Fetc%2Fpasswd", "/issues/2099-0101-zzzz",
                 "/meetings/%2e%2e", "/issues/2026-1118-cd9p/../../x"):
        assert amy.get(path).status_code == 404, path
    assert amy.get("/issues/2026-1118-cd9p").status_code == 200


def test_pages_carry_a_strict_content_security_policy(live: LiveDesk) -> None:
    page = login(live, "amy").get("/")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert page.headers["cache-control"] == "no-store"


def test_errors_are_pages_in_chinese_never_tracebacks(live: LiveDesk) -> None:
    amy = login(live, "amy")
    missing = amy.get("/no/such/page")
    assert missing.status_code == 404 and "没有找到" in missing.text
    # The records repository breaks under the running desk: a page, not a traceback.
    live.desk.records.main_branch = "no-such-branch"
    live.desk.records._snapshot = None
    broken = amy.get("/")
    assert broken.status_code == 500 and "议事台出了点问题" in broken.text
    assert "Traceback" not in broken.text and "no-such-branch" not in broken.text


def test_reset_unlocks_a_locked_account(live: LiveDesk) -> None:
    client = live.client()
    for _ in range(6):
        try_login(client, "ben", "wrong password!")
    assert "已暂时锁定" in try_login(client, "ben", PASSWORD).text
    stored = [row[0] for row in live.desk.db.conn.execute("SELECT key FROM login_failures")]
    assert stored and not any("ben" in key for key in stored)  # names are kept hashed
    live.desk.accounts.reset("ben", "a brand new password")
    assert try_login(client, "ben", "a brand new password").status_code == 303


def _login_page_after(client: httpx.Client, answer: httpx.Response) -> str:
    """The login page a browser shows after following a redirect to it (same cookies)."""
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    return client.get("/login").text


def test_the_login_page_says_why_a_session_ended(live: LiveDesk) -> None:
    amy, ben, cat = login(live, "amy"), login(live, "ben"), login(live, "amy")
    stolen = live.client(cookies=dict(cat.cookies))
    cat.post("/logout", data={"csrf": csrf_of(cat.get("/").text)})
    assert "已在别处退出登录" in _login_page_after(stolen, stolen.get("/"))
    live.desk.accounts.disable("amy")
    page = _login_page_after(amy, amy.get("/"))
    assert "账号已被停用" in page and "登录已过期" not in page
    live.desk.accounts.reset("ben", "a brand new password")
    assert "密码已被重设" in _login_page_after(ben, ben.get("/"))
    # Shown once: the stale cookie is dropped with the message.
    assert "密码已被重设" not in ben.get("/login").text
    dan = login(live, "ben", "a brand new password")
    live.clock.advance(8 * 3600 + 10)
    login(live, "ben", "a brand new password")  # a new login prunes expired sessions
    page = _login_page_after(dan, dan.get("/"))
    assert "登录已过期,请重新登录" in page and "停用" not in page


def test_a_visitor_without_a_session_learns_nothing_about_accounts(live: LiveDesk) -> None:
    amy = login(live, "amy")
    live.desk.accounts.disable("amy")
    forged = dict(amy.cookies)
    forged["yishi_desk"] = forged["yishi_desk"][:-3] + "xyz"
    for visitor in (live.client(), live.client(cookies=forged)):
        page = visitor.get("/login").text
        assert "停用" not in page and "过期" not in page and "重设" not in page
    assert "停用" not in live.client().get("/login?reason=disabled").text


def _recorded_actions() -> set[str]:
    """Every action word the desk's code passes to ``AuditLog.record`` (change_* expanded)."""
    source = "\n".join(p.read_text(encoding="utf-8")
                       for p in (Path(__file__).parents[1] / "src/yishi/desk").glob("*.py"))
    words = set(re.findall(r'audit\.record\([^\n]*?"([a-z_]+)"', source))
    operations = set(re.findall(r'operation="([a-z_]+)"', "\n".join(
        p.read_text(encoding="utf-8")
        for p in (Path(__file__).parents[1] / "src/yishi/operations").glob("*.py"))))
    assert operations and "f\"change_{sent.operation}\"" in source
    return words | {f"change_{op}" for op in operations}


def test_the_audit_log_names_each_action_in_chinese_beside_its_raw_word(
        live: LiveDesk) -> None:
    actions = _recorded_actions()
    assert {"login", "contact_view", "proposal_approve", "change_record"} <= actions
    assert actions - AUDIT_ACTIONS.keys() == set()
    for action in sorted(actions):
        live.desk.audit.record(live.clock(), "amy", action, "2026-1118-cd9p")
    page = login(live, "bo").get("/audit").text
    for action in ("contact_view", "proposal_approve", "change_record", "login_failed"):
        label = AUDIT_ACTIONS[action]
        assert any(ch >= "\u4e00" for ch in label)
        assert f'<td title="{action}">{label} <code class="hint">{action}</code></td>' in page
