"""Notices to proposers, end to end: residents opt in on the form, moderators move the issue
on the main branch by hand, and ``yishi intake work --once`` sends one notice per public step
to a real SMTP server and a real webhook receiver on loopback."""

from __future__ import annotations

import os
import re
import subprocess
from datetime import date
from pathlib import Path

import httpx

from intake_support import YISHI, form, git, make_records_repo, serve_app
from notices_support import WEBHOOK_SECRET, advance, mail_server, webhook_receiver, write_meeting
from yishi.council import load_council
from yishi.intake.ratings import rating_counts
from yishi.intake.service import ServiceSettings, create_app
from yishi.intake.store import Store

SITE = "https://council.example.org/site"
EMAIL = "fixture-proposer@example.org"
PHONE = "139 0000 1234"
QUIET = "quiet-resident@example.org"


def _submit(client: httpx.Client, base: str, **fields: str) -> str:
    token = client.get(f"{base}/api/token").json()["token"]
    answer = client.post(f"{base}/api/submissions", data={**form(**fields), "token": token},
                         headers={"Accept": "application/json"})
    assert answer.status_code == 202, answer.text
    return str(answer.json()["id"])


def test_notify_without_a_contact_is_refused_naming_contact(tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    app = create_app(Store(tmp_path / "intake.sqlite3"), load_council(repo),
                     settings=ServiceSettings(min_fill_seconds=0))
    with serve_app(app) as base, httpx.Client() as client:
        for contact, expected in (("", "请填写联系方式"), ("微信 wx_only", "电子邮箱或手机号")):
            token = client.get(f"{base}/api/token").json()["token"]
            answer = client.post(f"{base}/api/submissions", headers={"Accept": "application/json"},
                                 data={**form(contact=contact, notify="yes"), "token": token})
            assert answer.status_code == 422
            assert list(answer.json()["errors"]) == ["contact"]
            assert expected in answer.json()["errors"]["contact"]
        # Without JavaScript: the service's own form comes back with the box still ticked.
        token = client.get(f"{base}/api/token").json()["token"]
        page = client.post(f"{base}/api/submissions", data={**form(notify="yes"), "token": token})
        assert page.status_code == 422 and "请填写联系方式" in page.text
        assert re.search(r'name="notify" value="yes" checked', page.text)


def _work(repo: Path, db: Path, smtp_port: int, hook: str, intake: str,
          *extra: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [YISHI, "intake", "work", "--once", "--repo", str(repo), "--db", str(db),
         "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_port),
         "--smtp-from", "议事会 <council@example.org>", "--notify-webhook", hook,
         "--site-url", SITE, "--intake-url", intake, *extra],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "YISHI_NOTIFY_SECRET": WEBHOOK_SECRET})
    assert done.returncode == 0, done.stderr
    return done


def test_a_proposal_walked_from_received_to_done_gets_one_notice_per_step(tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    db = tmp_path / "intake.sqlite3"
    store = Store(db)
    app = create_app(store, load_council(repo), settings=ServiceSettings(min_fill_seconds=0,
                                                                          site_url=SITE))
    logs = ""
    with serve_app(app) as intake, httpx.Client() as client, mail_server() as (mail, port), \
            webhook_receiver() as (hook, hook_url):
        walked = _submit(client, intake, title="东门路灯坏了三盏", contact=EMAIL, notify="yes")
        rejected = _submit(client, intake, title="请帮我家修水管", contact=PHONE, notify="yes")
        quiet = _submit(client, intake, title="北门台阶破损", contact=QUIET)

        def work() -> None:
            nonlocal logs
            done = _work(repo, db, port, hook_url, intake)
            logs += done.stdout + done.stderr

        work()
        for issue_id in (walked, rejected, quiet):
            approved = subprocess.run([YISHI, "review", "approve", issue_id, "--repo", str(repo),
                                       "--db", str(db)], capture_output=True, text=True)
            assert approved.returncode == 0, approved.stderr
        work()
        assert mail.deliveries == [] and hook.deliveries == []  # received is not a step

        today = date.today()
        advance(repo, walked, "accepted")
        advance(repo, rejected, "rejected", note="属于负面清单:个人家庭事务,请联系物业报修")
        advance(repo, quiet, "accepted")
        work()
        assert [m.to for m in mail.deliveries] == [EMAIL]
        assert "已受理" in mail.deliveries[0].subject
        [sms] = hook.deliveries
        assert sms["to"] == "13900001234" and sms["issue_id"] == rejected
        assert "未受理" in sms["text"] and "个人家庭事务,请联系物业报修" in sms["text"]
        assert sms["idempotency_key"] == sms["message_id"]

        write_meeting(repo, "2026-1231-mt01", walked, place="盛业家园党群服务站二楼", on=today)
        advance(repo, walked, "scheduled", meeting="2026-1231-mt01")
        work()
        scheduled = mail.deliveries[-1]
        assert today.isoformat() in scheduled.body and "19:00" in scheduled.body
        assert "盛业家园党群服务站二楼" in scheduled.body

        write_meeting(repo, "2026-1231-mt01", walked, place="盛业家园党群服务站二楼", on=today,
                      outcome="decided", decision="由物业在两周内更换三盏路灯,居委会监督")
        advance(repo, walked, "decided", meeting="2026-1231-mt01")
        work()
        assert "由物业在两周内更换三盏路灯,居委会监督" in mail.deliveries[-1].body

        advance(repo, walked, "in_progress", note="物业已订购灯具")
        work()
        advance(repo, walked, "done", outcome="三盏路灯已全部更换,夜间照明恢复")
        work()
        work()  # nothing new on the main branch: nothing sent again

        steps = ["已受理", "待议事", "已决议", "实施中", "已办结"]
        assert len(mail.deliveries) == len(steps) == len(mail.unique)
        for mail_, label in zip(mail.deliveries, steps, strict=True):
            assert label in mail_.subject and mail_.to == EMAIL
            assert f"{SITE}/issues/{walked}/" in mail_.body
            assert "东门路灯坏了三盏" in mail_.body
            # Nothing about other residents: not their proposals, not their contacts.
            for other in ("请帮我家修水管", "北门台阶破损", PHONE, QUIET, rejected, quiet):
                assert other not in mail_.body
        assert len(hook.deliveries) == 1 and hook.bad_signatures == 0
        assert QUIET not in [m.to for m in mail.deliveries]
        done_mail = mail.deliveries[-1]
        assert "三盏路灯已全部更换,夜间照明恢复" in done_mail.body
        assert re.fullmatch(r"<notice\.[0-9a-z-]+\.\d\d-done@example\.org>", done_mail.message_id)

        # The done notice's personal link rates the outcome once.
        link = re.search(rf"{re.escape(intake)}/rate/\S+", done_mail.body)
        assert link, done_mail.body
        page = client.get(link.group())
        assert page.status_code == 200 and "东门路灯坏了三盏" in page.text and "基本满意" in page.text
        rated = client.post(link.group(), data={"satisfaction": "basically_satisfied",
                                                "resolved": "yes", "comment": "修得很快"})
        assert rated.status_code == 200 and "感谢您的评价" in rated.text
        again = client.post(link.group(), data={"satisfaction": "dissatisfied"})
        assert again.status_code == 409 and "已经使用过" in again.text
        counts = rating_counts(store, walked)
        assert (counts.satisfied, counts.basically_satisfied, counts.dissatisfied) == (0, 1, 0)
        assert counts.feedback_arguments()["from_ratings"] == 1

        # The receipt API and page show the steps so far, read from the main branch.
        answer = client.get(f"{intake}/api/submissions/{walked}").json()
        assert answer["issue_status"] == "done" and answer["public_url"] == f"{SITE}/issues/{walked}/"
        assert [s["status"] for s in answer["timeline"]] == [
            "received", "accepted", "scheduled", "decided", "in_progress", "done"]

    status = subprocess.run([YISHI, "intake", "status", "--db", str(db)], capture_output=True,
                            text=True, timeout=60)
    assert "通知 notices: queued 0, sending 0, retrying 0, sent 6" in status.stdout
    # No notice, contact or rating reaches git or a log line.
    history = git(repo, "log", "-p", "--all")
    for secret in (EMAIL, "13900001234", PHONE, QUIET, "修得很快", "/rate/"):
        assert secret not in history and secret not in logs


def test_without_a_channel_notices_are_kept_unsent_and_status_says_so(tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    db = tmp_path / "intake.sqlite3"
    app = create_app(Store(db), load_council(repo), settings=ServiceSettings(min_fill_seconds=0))
    with serve_app(app) as intake, httpx.Client() as client:
        issue_id = _submit(client, intake, contact=EMAIL, notify="yes")
    common = ["--repo", str(repo), "--db", str(db)]
    for command in (["intake", "work", "--once"], ["review", "approve", issue_id]):
        assert subprocess.run([YISHI, *command, *common], capture_output=True).returncode == 0
    advance(repo, issue_id, "accepted")
    done = subprocess.run([YISHI, "intake", "work", "--once", *common], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    status = subprocess.run([YISHI, "intake", "status", "--db", str(db)], capture_output=True,
                            text=True, timeout=60)
    assert "unsent 1" in status.stdout
    assert f"{issue_id}  01-accepted  unsent" in status.stdout and "未配置邮件服务器" in status.stdout
    # Once the council configures its mail server, the kept notice goes out.
    with mail_server() as (mail, port):
        done = subprocess.run([YISHI, "intake", "work", "--once", *common, "--smtp-host",
                               "127.0.0.1", "--smtp-port", str(port), "--smtp-from",
                               "council@example.org"], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert [m.to for m in mail.deliveries] == [EMAIL]
