"""Open data on the site: the /data/ page, the download files, and on every record page
the "cite this record" block and the record's history.

The files themselves are made by :mod:`yishi.exports` (no generator involved); this module
only connects them to the site's providers and templates.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..exports import ExportContext, export_files
from ..exports.atom import FEED_FILE, community_feed_file
from ..exports.citation import Citation
from ..exports.fields import (
    ENVELOPE_FIELDS,
    ISSUE_FIELDS,
    MEETING_FIELDS,
    OPEN311_REQUEST_FIELDS,
)
from ..exports.ical import CALENDAR_FILE
from ..exports.manifest import MANIFEST_FILE
from ..exports.open311 import REQUESTS_FILE, SERVICES_FILE
from ..exports.records_json import ISSUES_FILE, MEETINGS_FILE
from ..exports.schema import ISSUE_SCHEMA_FILE, MEETING_SCHEMA_FILE
from ..exports.tables import ISSUE_COLUMNS, ISSUES_CSV, MEETING_COLUMNS, MEETINGS_CSV
from ..history import Commit
from ..integrity import LEDGER_FILE
from ..permalinks import issue_url, meeting_url
from .context import SiteContext
from .integrity_pages import REWRITES_URL
from .model import DataFile, GeneratedPage
from .render import render

DATA_PAGE = "data/index.md"
DATA_URL = "data/"


@dataclass(frozen=True)
class Download:
    """A file on the /data/ page."""

    path: str
    format: str
    zh: str
    en: str


DOWNLOADS: list[Download] = [
    Download(ISSUES_FILE, "JSON", "全部提案,含解析后的关联和修改记录", "Every issue, cross-references resolved, with history"),
    Download(MEETINGS_FILE, "JSON", "全部议事会,含议程、表决和修改记录", "Every meeting with agenda, votes and history"),
    Download(ISSUES_CSV, "CSV", "全部提案,一行一条(UTF-8 带 BOM,Excel 可直接打开)",
             "Every issue, one row each (UTF-8 with BOM, opens in Excel)"),
    Download(MEETINGS_CSV, "CSV", "全部议事会,一行一次", "Every meeting, one row each"),
    Download(ISSUE_SCHEMA_FILE, "JSON Schema", "issues.json 的结构说明", "Schema of issues.json"),
    Download(MEETING_SCHEMA_FILE, "JSON Schema", "meetings.json 的结构说明", "Schema of meetings.json"),
    Download(FEED_FILE, "Atom", "公开动态:新提案、状态变化、决议、新议事会(最近 100 条)",
             "Public changes: new issues, status changes, decisions, new meetings (latest 100)"),
    Download(CALENDAR_FILE, "iCalendar", "即将召开的议事会,可订阅到日历", "Upcoming meetings, to subscribe in a calendar"),
    Download(SERVICES_FILE, "Open311 GeoReport v2", "服务列表:每个类别一项", "Service list: one service per category"),
    Download(REQUESTS_FILE, "Open311 GeoReport v2", "服务请求:每个提案一项", "Service requests: one per issue"),
    Download(MANIFEST_FILE, "JSON", "清单:生成时间、提交、条数、许可,每个文件的大小和 SHA-256",
             "Manifest: generated_at, commit, counts, licence, each file's size and SHA-256"),
    Download(LEDGER_FILE, "JSON", "发布账本:历次发布的提交、时间、清单的 SHA-256(只追加;不在清单中,因为它记录清单的摘要)",
             "Ledger of publications: each publish's commit, time and manifest SHA-256 (append-only; "
             "not in the manifest, since it names the manifest's digest)"),
]


def github_repo(repo_url: str) -> str | None:
    """``OWNER/NAME`` of a repository on github.com (what ``gh attestation verify`` takes)."""
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?/?", repo_url.strip())
    return match[1] if match else None


def export_context(ctx: SiteContext) -> ExportContext:
    """The exports' view of a site build."""
    return ExportContext(
        repo=ctx.repo, history=ctx.history, generated_at=ctx.built_at, commit=ctx.commit,
        site_url=ctx.settings.site_url,
    )


def opendata_files(ctx: SiteContext) -> Iterator[DataFile]:
    """File provider: every download, feed, calendar and Open311 file, and the manifest."""
    for path, content in export_files(export_context(ctx)).items():
        yield DataFile(path, content)


def data_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """Page provider: the /data/ page documenting every file and field."""
    html = render(
        "opendata.html", ctx, DATA_URL,
        downloads=DOWNLOADS,
        feeds=[(c.name, community_feed_file(c.slug)) for c in ctx.council.communities],
        feed_file=FEED_FILE,
        envelope_fields=ENVELOPE_FIELDS,
        issue_fields=ISSUE_FIELDS,
        meeting_fields=MEETING_FIELDS,
        open311_fields=OPEN311_REQUEST_FIELDS,
        issue_columns=ISSUE_COLUMNS,
        meeting_columns=MEETING_COLUMNS,
        history=ctx.history,
        generated_at=ctx.built_at.astimezone(ctx.tz),
        issue_count=len(ctx.repo.issues),
        meeting_count=len(ctx.repo.meetings),
        github_repo=github_repo(ctx.settings.repo_url),
        ledger_file=LEDGER_FILE,
        manifest_file=MANIFEST_FILE,
        rewrites_url=REWRITES_URL,
        rewrites=len(ctx.integrity.rewrites),
    )
    yield GeneratedPage(DATA_PAGE, "开放数据", html, in_nav=True, searchable=False)


@dataclass(frozen=True)
class _Record:
    path: str  # the record file, relative to the repository root
    url: str  # the page, relative to the site root
    title: str
    date: dt.date


def _record(ctx: SiteContext, kind: str, record_id: str) -> _Record:
    if kind == "issue":
        issue = ctx.repo.issues[record_id]
        return _Record(issue.path, issue_url(record_id), issue.record.title, issue.record.submitted)
    meeting = ctx.repo.meetings[record_id]
    return _Record(meeting.path, meeting_url(record_id), meeting.record.title, meeting.record.date)


def commit_url(ctx: SiteContext, commit: str) -> str | None:
    """Where a commit can be read, when the records' repository is known."""
    repo_url = ctx.settings.repo_url.rstrip("/")
    return f"{repo_url}/commit/{commit}" if repo_url else None


def citation(ctx: SiteContext, kind: str, record_id: str) -> Citation:
    """The citation of a record at the version this build shows."""
    record = _record(ctx, kind, record_id)
    last = ctx.history.of(record.path).last_changed
    base = ctx.settings.site_url.rstrip("/")
    return Citation(
        record_id=record_id, kind=kind, title=record.title, council=ctx.council.name,
        date=record.date,
        permalink=f"{base}/{record.url}" if base else record.url,
        accessed=ctx.today,
        # The version shown is the commit that last changed the record; without history,
        # the commit the site was built from still names a version that contains it.
        commit=last.hash if last else ctx.commit,
    )


def cite_section(ctx: SiteContext, kind: str, record_id: str) -> str:
    """Record section: the "cite this record" block."""
    record = _record(ctx, kind, record_id)
    cite = citation(ctx, kind, record_id)
    return render(
        "_cite.html", ctx, record.url, cite=cite, page_url=record.url,
        absolute=bool(ctx.settings.site_url),
        commit_link=commit_url(ctx, cite.commit) if cite.commit else None,
    )


def history_section(ctx: SiteContext, kind: str, record_id: str) -> str:
    """Record section: the commits that changed the record, newest first."""
    record = _record(ctx, kind, record_id)
    history = ctx.history.of(record.path)
    return render(
        "_history.html", ctx, record.url, available=ctx.history.available,
        complete=history.complete,
        commits=[
            (c, c.date.astimezone(ctx.tz), commit_url(ctx, c.hash)) for c in history.commits
        ],
    )


def last_changed(ctx: SiteContext, src_uri: str) -> Commit | None:
    """The last change behind a page: its own file's (records are ``content/<src_uri>``),
    else the newest change to the records (lists, stats and the like derive from them all)."""
    return ctx.history.of(f"content/{src_uri}").last_changed or ctx.history.latest


def revision_date(ctx: SiteContext, src_uri: str, sources: tuple[str, ...] = ()) -> str | None:
    """"Last changed" of a page as the theme shows it (``最后修改 2024-03-12 09:30``); for a
    page showing only the records ``sources``, the newest change among them."""
    if sources:
        changes = [c for path in sources if (c := ctx.history.of(path).last_changed)]
        commit = max(changes, key=lambda c: c.date, default=None)
    else:
        commit = last_changed(ctx, src_uri)
    if commit is None:
        return None
    return commit.date.astimezone(ctx.tz).strftime("最后修改 %Y-%m-%d %H:%M")
