"""``data/publications.json``: the append-only ledger of every publication of the site.

Each publish carries the previous ledger forward unchanged and adds one entry: the commit
published, when, the SHA-256 of that build's ``data/manifest.json``, counts, and the
commits that touched the records since the last entry, each with the records it changed.
Because every published commit is listed with its records, a later rewrite that makes
one vanish can be named, with the records it touched, even when git no longer has it.
Anyone who keeps a copy of an earlier ledger can check the site against it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import LedgerError
from ..history import History

LEDGER_FILE = "data/publications.json"
FORMAT: Literal["yishi-publications/1"] = "yishi-publications/1"
#: Seconds to wait for the live site's copy before the build fails.
FETCH_TIMEOUT = 30.0


class _Open(BaseModel):
    # Fields a later version adds are kept: carrying the ledger forward must not drop them.
    model_config = ConfigDict(extra="allow")


class Change(_Open):
    """A commit that changed records, and which ones (paths like ``content/issues/x.md``)."""

    commit: str
    records: list[str] = Field(default_factory=list)


class Publication(_Open):
    """One publish of the site."""

    #: The commit the site was built from (None outside git).
    commit: str | None
    published_at: str
    #: SHA-256 of that build's data/manifest.json (which lists every data file's SHA-256).
    manifest_sha256: str
    counts: dict[str, int] = Field(default_factory=dict)
    #: False when the build saw a shallow clone: ``changes`` may then be incomplete.
    history_complete: bool = True
    #: Commits that touched the records since the previous entry (all of them in the first).
    changes: list[Change] = Field(default_factory=list)
    #: Published commits first found missing at this publish, declared as rewritten.
    vanished: list[str] = Field(default_factory=list)


class Ledger(_Open):
    """The whole ledger, oldest publication first."""

    format: Literal["yishi-publications/1"] = FORMAT
    publications: list[Publication] = Field(default_factory=list)

    def published_commits(self) -> dict[str, tuple[str, ...]]:
        """Every commit ever published (built, or among the changes), with the records the
        ledger says it touched; in the order they were first published."""
        commits: dict[str, tuple[str, ...]] = {}
        for publication in self.publications:
            for change in publication.changes:
                commits.setdefault(change.commit, tuple(change.records))
            if publication.commit:
                commits.setdefault(publication.commit, ())
        return commits

    def first_published(self, commit: str) -> str | None:
        """When ``commit`` was first part of a publication."""
        for publication in self.publications:
            if publication.commit == commit or any(c.commit == commit
                                                   for c in publication.changes):
                return publication.published_at
        return None

    def disclosed(self) -> set[str]:
        """Commits an earlier publication already declared vanished."""
        return {commit for publication in self.publications for commit in publication.vanished}

    def dumps(self) -> bytes:
        """The ledger as published: UTF-8 JSON, one publication per block."""
        data = self.model_dump(mode="json")
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def parse_ledger(content: bytes, source: str) -> Ledger:
    """A ledger from its JSON, or :class:`LedgerError` naming ``source``."""
    try:
        return Ledger.model_validate(json.loads(content.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LedgerError(f"账本不是有效的 JSON · the ledger is not valid JSON: {source}: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(file)"
        raise LedgerError(f"账本格式不对 · not a {FORMAT} ledger: {source}: {where}: "
                          f"{first['msg']}") from exc


def is_url(source: str) -> bool:
    """Whether ``source`` names the ledger by URL rather than by file."""
    return source.startswith(("http://", "https://"))


def read_ledger(source: str, timeout: float = FETCH_TIMEOUT) -> Ledger | None:
    """The ledger at ``source`` (a file, or an http(s) URL fetched with ``timeout``).

    A URL that answers 404 means the site has no ledger yet: None, and the first publish
    starts one. Any other failure raises :class:`LedgerError`: carrying on without the
    ledger would silently restart it and lose the record of earlier publications.
    """
    if not is_url(source):
        try:
            return parse_ledger(Path(source).read_bytes(), source)
        except OSError as exc:
            raise LedgerError(f"无法读取账本 · cannot read the ledger {source}: "
                              f"{exc.strerror or exc}") from exc
    request = urllib.request.Request(source, headers={"Accept": "application/json",
                                                      "Cache-Control": "no-cache"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content: bytes = response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise LedgerError(f"无法取得上次发布的账本 · cannot fetch the previous ledger "
                          f"{source}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise LedgerError(f"无法取得上次发布的账本 · cannot fetch the previous ledger "
                          f"{source}: {reason}") from exc
    return parse_ledger(content, source)


def _changes(history: History, known: Iterable[str]) -> list[Change]:
    """Commits in ``history`` not yet in the ledger, newest first, with their records."""
    seen = set(known)
    by_commit: dict[str, tuple[dt.datetime, list[str]]] = {}
    for path, commits in history.by_path.items():
        for commit in commits:
            if commit.hash not in seen:
                by_commit.setdefault(commit.hash, (commit.date, []))[1].append(path)
    ordered = sorted(by_commit.items(), key=lambda item: item[1][0], reverse=True)
    return [Change(commit=commit, records=sorted(paths)) for commit, (_, paths) in ordered]


def append_publication(
    previous: Ledger | None,
    *,
    commit: str | None,
    published_at: str,
    manifest: bytes,
    counts: dict[str, int],
    history: History,
    vanished: Iterable[str] = (),
) -> Ledger:
    """``previous`` (unchanged) followed by this publication's entry."""
    previous = previous or Ledger()
    disclosed = previous.disclosed()
    entry: dict[str, Any] = {
        "commit": commit,
        "published_at": published_at,
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "counts": counts,
        "history_complete": history.complete,
        "changes": _changes(history, previous.published_commits()),
        "vanished": sorted(set(vanished) - disclosed),
    }
    return previous.model_copy(
        update={"publications": [*previous.publications, Publication.model_validate(entry)]})
