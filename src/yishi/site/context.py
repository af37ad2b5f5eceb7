"""Everything a page provider may read: the records, the site settings, and build facts."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from functools import cached_property
from pathlib import Path

from ..council import Council
from ..history import History, read_history
from ..integrity import Integrity
from ..loading import Repository
from ..metrics import Metrics, compute_metrics
from .indexes import SiteIndex, build_index


@dataclass(frozen=True)
class SiteSettings:
    """Options of the site that are not records (set in ``mkdocs.yml``)."""

    site_url: str = ""
    intake_url: str = "http://127.0.0.1:8321"
    repo_url: str = ""
    per_page: int = 50
    search: str = "pagefind"


def git_head(root: Path) -> str | None:
    """The commit the records were read at, or None outside a git work tree."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


def build_time(tz: tzinfo) -> datetime:
    """Now, unless ``SOURCE_DATE_EPOCH`` names the build's time (seconds since 1970)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz)
    return datetime.now(tz)


@dataclass
class SiteContext:
    """The input of every provider; built once per site build."""

    repo: Repository
    settings: SiteSettings = field(default_factory=SiteSettings)
    built_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    commit: str | None = None
    #: The previous ledger, declared rewrites and the ancestry check of this publish.
    integrity: Integrity = field(default_factory=Integrity)

    @property
    def council(self) -> Council:
        return self.repo.require_council()

    @cached_property
    def index(self) -> SiteIndex:
        """The records sorted and grouped once for every page of the build."""
        return build_index(self.repo)

    @cached_property
    def metrics(self) -> Metrics:
        """The published metrics as of the build's date, computed once per build."""
        return compute_metrics(self.repo, self.today)

    @cached_property
    def history(self) -> History:
        """Every record's git history, read once per build (empty outside git)."""
        return read_history(self.repo.root)

    def warm(self) -> None:
        """Compute every per-build fact now (before worker processes copy the context)."""
        _ = self.repo.agenda_index, self.index, self.metrics, self.history

    @property
    def today(self) -> date:
        """The build's date in the council's time zone (for overdue actions, upcoming meetings)."""
        return self.council.today(self.built_at)

    @property
    def tz(self) -> tzinfo:
        """The council's time zone (:attr:`yishi.council.Council.tz`)."""
        return self.council.tz

    @classmethod
    def for_root(cls, repo: Repository, settings: SiteSettings | None = None,
                 integrity: Integrity | None = None) -> SiteContext:
        """A context for a build of ``repo`` now (or at ``SOURCE_DATE_EPOCH``, the
        reproducible-builds convention MkDocs follows too), at the repository's commit."""
        return cls(repo, settings or SiteSettings(), build_time(repo.require_council().tz),
                   git_head(repo.root), integrity or Integrity())
