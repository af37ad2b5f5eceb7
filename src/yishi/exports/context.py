"""What every export reads: the records, their history, the build's time and commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from ..council import Council
from ..history import History, RecordHistory
from ..loading import Repository

#: Where the downloads live, relative to the site root.
DATA_DIR = "data/"


@dataclass
class ExportContext:
    """The input of every export; built once per site build."""

    repo: Repository
    history: History
    generated_at: dt.datetime
    commit: str | None
    #: The site's public URL (``https://example.org/yishi/``); empty for relative links.
    site_url: str = ""

    @property
    def council(self) -> Council:
        return self.repo.require_council()

    @property
    def tz(self) -> dt.tzinfo:
        """The council's time zone (:attr:`yishi.council.Council.tz`)."""
        return self.council.tz

    @cached_property
    def base_url(self) -> str:
        """The site URL with one trailing slash, or empty."""
        return self.site_url.rstrip("/") + "/" if self.site_url else ""

    def link(self, path: str) -> str:
        """A URL for ``path`` (relative to the site root): absolute when the site URL is known."""
        return self.base_url + path

    def record_history(self, source_path: str) -> RecordHistory:
        """The history of a record file (``content/issues/<id>.md``)."""
        return self.history.of(source_path)

    def timestamp(self, when: dt.datetime) -> str:
        """ISO 8601 with the council's offset (``2024-03-12T09:30:00+08:00``)."""
        return when.astimezone(self.tz).isoformat(timespec="seconds")

    def day_start(self, day: dt.date, time: str | None = None) -> dt.datetime:
        """A record's date (and optional ``HH:MM``) as an aware datetime in the council's zone."""
        hour, minute = (int(part) for part in time.split(":")) if time else (0, 0)
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    def envelope(self) -> dict[str, object]:
        """The fields every JSON download starts with."""
        return {
            "generated_at": self.timestamp(self.generated_at),
            "commit": self.commit,
            "council": self.council.name,
            "licence": self.council.licence,
            "site_url": self.site_url or None,
            "history_complete": self.history.complete,
        }
