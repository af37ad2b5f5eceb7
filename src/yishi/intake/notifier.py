"""One pass of closing the loop: read the main branch, note where each proposal stands,
queue the notices that became due, and send what the outbox holds.

The worker runs a pass after each round of its queue (``--once`` included). Log lines name
the proposal, the step and the message id, never the contact, the notice's text or a
server's answer (which can quote the address).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..council import Council
from ..git import GitError
from ..lifecycle import is_closed
from .channels import Channel, ChannelError, Outgoing
from .contacts import ContactKind, contact_kind, phone_number
from .mainline import Mainline, Snapshot
from .notices import due_notices, tracking_timeline
from .outbox import NoticeState, Outbox, OutboxRow
from .ratings import Ratings
from .store import Store

log = logging.getLogger("yishi.intake.notices")

Clock = Callable[[], datetime]

#: After this many failed sends a notice is given up (and shown as failed).
MAX_ATTEMPTS = 10

NO_EMAIL = "未配置邮件服务器(--smtp-host),通知未发送 / no SMTP server configured"
NO_WEBHOOK = "未配置短信网关(--notify-webhook),通知未发送 / no webhook configured"
NO_CHANNEL = "联系方式不是电子邮箱或手机号,无法通知 / contact is neither e-mail nor phone"
NO_CONTACT = "联系方式已删除,通知未发送 / the contact was purged"


@dataclass(frozen=True)
class NoticeSettings:
    """Where links point and how sends are retried."""

    site_url: str | None = None
    #: Public URL of the intake service, for rating links (none: the notice has no link).
    intake_url: str | None = None
    #: Right-hand side of message ids (the sender's mail domain).
    domain: str = "yishi.invalid"
    #: Seconds a notice being sent stays claimed (see :meth:`Outbox.begin`).
    lease: float = 60.0
    backoff_base: float = 60.0
    backoff_cap: float = 6 * 3600.0


class Notifier:
    """Follows proposals on the main branch and sends their notices."""

    def __init__(
        self, store: Store, mainline: Mainline, council: Council, clock: Clock, *,
        settings: NoticeSettings | None = None, email: Channel | None = None,
        webhook: Channel | None = None,
    ) -> None:
        self.store = store
        self.mainline = mainline
        self.council = council
        self.clock = clock
        self.settings = settings or NoticeSettings()
        self.email = email
        self.webhook = webhook
        self.outbox = Outbox(store)
        self.ratings = Ratings(store)
        self._followed: str | None = None
        self._mainline_error: str | None = None

    def _now(self) -> float:
        return self.clock().timestamp()

    def run_pass(self) -> None:
        """Follow the main branch if it moved, then send every notice that is due."""
        try:
            snapshot = self.mainline.snapshot()
        except GitError as exc:
            if str(exc) != self._mainline_error:  # said once, not on every poll
                log.warning("cannot read the main branch: %s", exc)
            self._mainline_error = str(exc)
        else:
            self._mainline_error = None
            if snapshot.commit != self._followed:
                self.follow(snapshot)
                self._followed = snapshot.commit
        self.send_due()

    def follow(self, snapshot: Snapshot) -> int:
        """Record each proposal's public state and queue its new notices; how many queued."""
        queued = 0
        now = self._now()
        # Only proposals whose record is on the branch and changed since the last pass.
        changed = [issue_id for issue_id, blob in self.store.tracked()
                   if snapshot.issue_blobs.get(issue_id) not in (None, blob)]
        self.mainline.load_issues(snapshot, changed)
        for issue_id in changed:
            issue = snapshot.issues.get(issue_id)
            if issue is None:
                continue  # a broken record: `yishi check` reports it
            if self.store.notify_wanted(issue_id):
                # Queued before the blob is noted: a crash between the two queues nothing
                # twice (one row per proposal and step) and skips nothing.
                known = self.outbox.steps(issue_id)
                notices = [n for n in due_notices(
                    snapshot, issue_id, self.council, site_url=self.settings.site_url,
                    rating_link=self._rating_link(issue_id)) if n.step not in known]
                queued += self.outbox.queue(issue_id, notices, domain=self.settings.domain,
                                            now=now)
            self.store.set_tracking(issue_id, blob=snapshot.issue_blobs[issue_id],
                                    status=issue.status.value,
                                    timeline=tracking_timeline(issue),
                                    closed=is_closed(issue.status), now=now)
        if queued:
            log.info("%d notice(s) queued from %s", queued, snapshot.commit[:10])
        return queued

    def _rating_link(self, submission_id: str) -> Callable[[str], str | None]:
        def link(issue_id: str) -> str | None:
            if not self.settings.intake_url:
                return None
            token = self.ratings.invite(submission_id, issue_id, now=self._now())
            return f"{self.settings.intake_url.rstrip('/')}/rate/{token}"
        return link

    def send_due(self) -> int:
        """Send every notice that is due; returns how many went out."""
        sent = 0
        for row in self.outbox.due(self._now()):
            sent += self._send(row)
        return sent

    def _channel(self, contact: str | None) -> tuple[Channel | None, str, str]:
        """The channel for a contact, the address on it, and why not when there is none."""
        kind = contact_kind(contact)
        if contact is None:
            return None, "", NO_CONTACT
        if kind is ContactKind.EMAIL:
            return self.email, contact.strip(), NO_EMAIL
        if kind is ContactKind.PHONE:
            return self.webhook, phone_number(contact), NO_WEBHOOK
        return None, "", NO_CHANNEL

    def _send(self, row: OutboxRow) -> int:
        contact = self.store.contact(row.submission_id)
        channel, address, why_not = self._channel(contact)
        if channel is None:
            if row.state is not NoticeState.UNSENT or row.last_error != why_not:
                self.outbox.unsent(row.message_id, why_not)
                log.warning("%s %s: not sent: %s", row.submission_id, row.step, why_not)
            return 0
        if not self.outbox.begin(row.message_id, now=self._now(), lease=self.settings.lease):
            return 0
        try:
            channel.send(Outgoing(row.message_id, address, row.subject, row.body,
                                  row.submission_id, row.step))
        except ChannelError as exc:
            attempts = row.attempts + 1
            permanent = exc.permanent or attempts >= MAX_ATTEMPTS
            delay = min(self.settings.backoff_cap,
                        self.settings.backoff_base * 2 ** (attempts - 1))
            # The server's words may quote the address: the stored error never holds it.
            error = str(exc).replace(address, "<contact>") if address else str(exc)
            self.outbox.retry(row.message_id, error, retry_at=self._now() + delay,
                              permanent=permanent)
            log.warning("%s %s: send failed (attempt %d)%s", row.submission_id, row.step,
                        attempts, ", giving up" if permanent else f", retrying in {delay:.0f} s")
            return 0
        self.outbox.sent(row.message_id, self._now())
        log.info("%s %s: notice %s sent", row.submission_id, row.step, row.message_id)
        return 1
