"""How a notice leaves: e-mail over SMTP, or a signed webhook a council connects to its SMS
or WeChat gateway. Each channel sends one message and says whether a failure is for good.

Both carry the notice's stable message id (``Message-ID``; ``Idempotency-Key``) so a notice
sent again after a crash can be recognised by the receiver and dropped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Literal, Protocol

from ..errors import YishiError

#: Header carrying the webhook body's HMAC-SHA256, as ``sha256=<hex>``.
SIGNATURE_HEADER = "X-Yishi-Signature"


class ChannelError(YishiError):
    """A send failed; ``permanent`` when trying again cannot help (a refused address)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """One notice to one contact."""

    message_id: str
    to: str
    subject: str
    body: str
    issue_id: str
    step: str


class Channel(Protocol):
    """Sends one message or raises :class:`ChannelError`."""

    def send(self, message: Outgoing) -> None: ...


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail goes: ``security`` is ``starttls``, ``tls`` (port 465) or ``none``."""

    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    security: Literal["none", "starttls", "tls"] = "none"
    timeout: float = 30.0


class EmailChannel:
    """Plain-text UTF-8 mail through the council's SMTP server, one connection a message."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def message(self, outgoing: Outgoing) -> EmailMessage:
        """The mail as it is sent (its ``Message-ID`` is the notice's stable id)."""
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = outgoing.to
        mail["Subject"] = outgoing.subject
        mail["Date"] = formatdate(localtime=False, usegmt=True)
        mail["Message-ID"] = outgoing.message_id
        mail.set_content(outgoing.body, charset="utf-8")
        return mail

    def send(self, message: Outgoing) -> None:
        s = self.settings
        try:
            smtp: smtplib.SMTP
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            try:
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if s.user:
                    smtp.login(s.user, s.password or "")
                smtp.send_message(self.message(message))
            finally:
                _quit(smtp)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise ChannelError(f"SMTP refused the recipient ({codes})",
                               permanent=all(500 <= c < 600 for c in codes)) from exc
        except smtplib.SMTPResponseException as exc:
            # 5xx on the message itself is for good; on the login it is the council's
            # configuration, which may be fixed: retried with backoff.
            permanent = 500 <= exc.smtp_code < 600 and not isinstance(
                exc, smtplib.SMTPAuthenticationError)
            raise ChannelError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
                               permanent=permanent) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ChannelError(f"SMTP {s.host}:{s.port}: {type(exc).__name__}: {exc}") from exc


def _quit(smtp: smtplib.SMTP) -> None:
    """Say goodbye; once the server accepted the message, a failure here changes nothing."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def signature(secret: str, body: bytes) -> str:
    """The value of :data:`SIGNATURE_HEADER` for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookChannel:
    """A JSON POST, signed with HMAC-SHA256, to the council's SMS/WeChat gateway."""

    def __init__(self, url: str, secret: str, *, timeout: float = 30.0) -> None:
        self.url = url
        self.secret = secret
        self.timeout = timeout

    def payload(self, message: Outgoing) -> bytes:
        """The JSON body: the phone number, the text and the ids to de-duplicate by."""
        return json.dumps({
            "message_id": message.message_id, "to": message.to, "subject": message.subject,
            "text": message.body, "issue_id": message.issue_id, "step": message.step,
        }, ensure_ascii=False).encode()

    def send(self, message: Outgoing) -> None:
        body = self.payload(message)
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.message_id,
            SIGNATURE_HEADER: signature(self.secret, body),
            "User-Agent": "yishi-notices",
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            exc.close()
            # 4xx other than a timeout or a rate limit: the gateway refuses this message.
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 425, 429)
            raise ChannelError(f"webhook answered {exc.code}", permanent=permanent) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise ChannelError(f"webhook unreachable: {exc}") from exc
