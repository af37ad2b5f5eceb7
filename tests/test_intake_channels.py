"""The two channels against real servers on loopback: SMTP with STARTTLS or TLS and a login
(the password from the environment), and a webhook gateway that checks the signature."""

from __future__ import annotations

import os
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from intake_support import YISHI, free_port, make_records_repo
from notices_support import MailServer, webhook_receiver
from yishi.council import load_council
from yishi.intake.channels import ChannelError, EmailChannel, Outgoing, WebhookChannel
from yishi.intake.notice_options import build_notifier
from yishi.intake.service import system_clock
from yishi.intake.store import Store

MESSAGE = Outgoing("<notice.2024-0312-abcd.01-accepted@example.org>", "resident@example.org",
                   "【示范议事会】您的提案已受理", "您好:\n提案已受理。", "2024-0312-abcd", "01-accepted")


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted by this test's TLS clients."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    return cert, key


def _authenticator(logins: list[tuple[str, str]]) -> Any:
    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login, password = auth_data.login.decode(), auth_data.password.decode()
        logins.append((login, password))
        return AuthResult(success=password == "s3cret-from-env")
    return authenticate


@pytest.fixture(params=["starttls", "tls"])
def secure_server(request: pytest.FixtureRequest,
                  certificate: tuple[Path, Path]) -> Iterator[tuple[str, MailServer, int, list]]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    handler, logins = MailServer(), []
    port = free_port()
    if request.param == "starttls":
        controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context,
                                require_starttls=True, authenticator=_authenticator(logins))
    else:
        # The whole connection is TLS, which aiosmtpd's AUTH check does not see: allow it.
        controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=context,
                                authenticator=_authenticator(logins), auth_require_tls=False)
    controller.start()
    try:
        yield request.param, handler, port, logins
    finally:
        controller.stop()


def test_mail_goes_over_starttls_or_tls_with_a_login(
    tmp_path: Path, secure_server: tuple[str, MailServer, int, list],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    security, mail, port, logins = secure_server
    repo = make_records_repo(tmp_path / "records")
    monkeypatch.setenv("YISHI_SMTP_PASSWORD", "s3cret-from-env")
    notifier = build_notifier(
        Store(tmp_path / "intake.sqlite3"), repo, "main", load_council(repo), system_clock,
        lease=60, smtp_host="127.0.0.1", smtp_port=port, smtp_from="notices@example.org",
        smtp_user="notices", smtp_security=security, notify_webhook=None, site_url=None,
        intake_url=None)
    assert isinstance(notifier.email, EmailChannel)
    notifier.email.send(MESSAGE)
    assert logins == [("notices", "s3cret-from-env")]
    [delivered] = mail.deliveries
    assert delivered.message_id == MESSAGE.message_id and "提案已受理" in delivered.body

    monkeypatch.setenv("YISHI_SMTP_PASSWORD", "wrong")
    wrong = build_notifier(
        Store(tmp_path / "intake.sqlite3"), repo, "main", load_council(repo), system_clock,
        lease=60, smtp_host="127.0.0.1", smtp_port=port, smtp_from="notices@example.org",
        smtp_user="notices", smtp_security=security, notify_webhook=None, site_url=None,
        intake_url=None)
    assert isinstance(wrong.email, EmailChannel)
    # aiosmtpd stalls after a failed AUTH (real servers answer 535 at once): a short timeout.
    with pytest.raises(ChannelError) as refused:
        EmailChannel(replace(wrong.email.settings, timeout=3)).send(MESSAGE)
    # A wrong password is the council's configuration: retried, not given up.
    assert not refused.value.permanent and len(mail.deliveries) == 1
    assert logins[1:] and {password for _, password in logins[1:]} == {"wrong"}


def test_a_gateway_refuses_a_wrongly_signed_webhook_for_good() -> None:
    with webhook_receiver() as (hook, url):
        WebhookChannel(url, "test-webhook-secret").send(MESSAGE)
        with pytest.raises(ChannelError) as refused:
            WebhookChannel(url, "not-the-secret").send(MESSAGE)
    assert refused.value.permanent and hook.bad_signatures == 1
    [delivered] = hook.deliveries
    assert delivered["idempotency_key"] == MESSAGE.message_id
    assert delivered["to"] == "resident@example.org" and delivered["text"] == MESSAGE.body


def test_work_refuses_a_webhook_without_its_secret(tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    env = {k: v for k, v in os.environ.items() if k != "YISHI_NOTIFY_SECRET"}
    done = subprocess.run([YISHI, "intake", "work", "--once", "--repo", str(repo), "--db",
                           str(tmp_path / "intake.sqlite3"), "--notify-webhook",
                           "http://127.0.0.1:9/hook"], capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.returncode == 2 and "YISHI_NOTIFY_SECRET" in done.stderr
    assert "Traceback" not in done.stderr
    missing_from = subprocess.run([YISHI, "intake", "work", "--once", "--repo", str(repo),
                                   "--db", str(tmp_path / "intake.sqlite3"), "--smtp-host",
                                   "127.0.0.1"], capture_output=True, text=True, timeout=60)
    assert missing_from.returncode == 2 and "--smtp-from" in missing_from.stderr
