"""The notice options of ``yishi intake work`` turned into a :class:`Notifier`.

Secrets come from the environment only (``YISHI_SMTP_PASSWORD``, ``YISHI_NOTIFY_SECRET``),
never from options, which other users of the machine can read in the process list.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..council import Council
from .channels import Channel, EmailChannel, SmtpSettings, WebhookChannel
from .mainline import Mainline
from .notifier import Clock, NoticeSettings, Notifier
from .store import Store

DEFAULT_PORTS = {"tls": 465, "starttls": 587, "none": 25}


def build_notifier(
    store: Store, repo: Path, branch: str, council: Council, clock: Clock, *, lease: float,
    smtp_host: str | None, smtp_port: int | None, smtp_from: str | None, smtp_user: str | None,
    smtp_security: str | None, notify_webhook: str | None, site_url: str | None,
    intake_url: str | None,
) -> Notifier:
    """The notifier the options describe; a usage error names the missing option."""
    email: Channel | None = None
    if smtp_host:
        if not smtp_from:
            raise click.UsageError("--smtp-host 需要同时给出发件地址 --smtp-from ADDR "
                                   "(--smtp-host needs --smtp-from)")
        security = smtp_security or "none"
        email = EmailChannel(SmtpSettings(
            host=smtp_host, port=smtp_port or DEFAULT_PORTS[security], sender=smtp_from,
            user=smtp_user, password=os.environ.get("YISHI_SMTP_PASSWORD"),
            security=security))  # type: ignore[arg-type]
    webhook: Channel | None = None
    if notify_webhook:
        secret = os.environ.get("YISHI_NOTIFY_SECRET", "")
        if not secret:
            raise click.UsageError("--notify-webhook 需要在环境变量 YISHI_NOTIFY_SECRET 中设置签名密钥"
                                   " (--notify-webhook needs YISHI_NOTIFY_SECRET)")
        if not notify_webhook.startswith(("https://", "http://")):
            raise click.BadParameter(f"网址应以 https:// 开头,收到 {notify_webhook!r}",
                                     param_hint="--notify-webhook")
        webhook = WebhookChannel(notify_webhook, secret)
    domain = smtp_from.rpartition("@")[2].strip("> ") if smtp_from and "@" in smtp_from else ""
    settings = NoticeSettings(site_url=site_url, intake_url=intake_url,
                              domain=domain or "yishi.invalid", lease=lease)
    return Notifier(store, Mainline(repo, branch, council), council, clock, settings=settings,
                    email=email, webhook=webhook)
