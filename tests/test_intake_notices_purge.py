"""Retention for proposers who asked for notices: their contact is kept while the issue is
open, and purged (with its notices and the rating comments) once the issue has been closed
for the retention period — gone from the store's file bytes, not only from its tables."""

from __future__ import annotations

import subprocess
from pathlib import Path

from intake_support import YISHI
from yishi.intake.abuse import RateLimit
from yishi.intake.notices import Notice
from yishi.intake.outbox import Outbox
from yishi.intake.ratings import Ratings, Satisfaction, rating_counts
from yishi.intake.store import QueueStatus, Store
from yishi.intake.submission import Submission

DAY = 86400.0
NOTIFIED = "purge-notified@example.org"
PLAIN = "wx_purge_plain_contact"
COMMENT = "私下说一句:施工队很吵"
NOTICE_TEXT = "通知正文-只在发件箱里"


def _file_bytes(db: Path) -> bytes:
    wal = Path(f"{db}-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_contacts_of_opted_in_proposers_are_kept_until_closing_plus_retention(
    tmp_path: Path,
) -> None:
    db = tmp_path / "intake.sqlite3"
    start = 1_700_000_000.0
    with Store(db) as store:
        for issue_id, contact, notify in (("2023-1114-note", NOTIFIED, True),
                                          ("2023-1114-plan", PLAIN, False)):
            store.admit(Submission("东门路灯坏了", "很黑。", "shengye", "amenities", contact=contact,
                                   notify=notify), [], client=issue_id, now=start,
                        new_id=lambda issue_id=issue_id: issue_id, limit=RateLimit())
            store.set_status(issue_id, QueueStatus.PUBLISHED, start)
        Outbox(store).queue("2023-1114-note", [Notice("01-done", "已办结", NOTICE_TEXT)],
                            domain="example.org", now=start)
        ratings = Ratings(store)
        token = ratings.invite("2023-1114-note", "2023-1114-note", now=start)
        ratings.rate(token, Satisfaction.SATISFIED, True, COMMENT, now=start)

        # 40 days on, the issue still open: the plain contact goes, the notified one stays.
        assert store.purge(start + 40 * DAY - 30 * DAY) == 1
        assert store.contact("2023-1114-plan") is None
        assert store.contact("2023-1114-note") == NOTIFIED
        # Closed on day 50; on day 70 it has been closed for 20 days only: kept.
        store.set_tracking("2023-1114-note", blob="b", status="done", timeline=[], closed=True,
                           now=start + 50 * DAY)
        store.set_tracking("2023-1114-note", blob="c", status="done", timeline=[], closed=True,
                           now=start + 60 * DAY)  # a later edit does not move the closing
        assert store.purge(start + 70 * DAY - 30 * DAY) == 0
        assert store.contact("2023-1114-note") == NOTIFIED
        assert NOTIFIED.encode() in _file_bytes(db)

    # Today (years later) with a 30-day retention, through the command moderators run.
    purged = subprocess.run([YISHI, "intake", "purge", "--db", str(db), "--older-than", "30"],
                            capture_output=True, text=True, timeout=60)
    assert purged.returncode == 0, purged.stderr
    leftovers = _file_bytes(db)
    for secret in (NOTIFIED, PLAIN, COMMENT, NOTICE_TEXT, "notice.2023-1114-note.01-done"):
        assert secret.encode() not in leftovers, secret
    with Store(db) as store:
        assert Outbox(store).rows() == []
        # The counts stay: they are the published feedback.
        assert rating_counts(store, "2023-1114-note").satisfied == 1
