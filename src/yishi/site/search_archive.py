"""The full-text archive: what the search engine indexes instead of the record pages.

Pagefind's metadata file, which every search downloads, holds a few bytes per indexed page,
so indexing 20,000 issue pages makes every query pay for all of them. Instead the search
indexes archive volumes: each holds a few dozen issues of one category (or a few meetings),
oldest first so a volume's URL keeps its content as the record grows, each record under an
``<h2 id="<record-id>">``. Pagefind returns one sub-result per heading and the search page
links each to the record's own page. The volumes carry only what residents search for
(title, facts, the resident's own text; for meetings the agenda and decisions), so each
hit's fragment stays small, and they double as a plain archive a resident can read or
search with the browser's find.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from markupsafe import Markup

from ..records import Issue, Meeting
from .context import SiteContext
from .model import GeneratedPage
from .render import TemplateCall, render

#: Issues per volume. A hit downloads its volume's fragment (about 2.3 KB compressed for 20
#: issues) and the metadata pays ~8 bytes per volume; 10 and 50 a volume both cost more
#: per query at 20,000 issues (bench/README.md section 2).
ISSUES_PER_VOLUME = 20
#: Meetings per volume; a meeting carries its agenda, so it weighs more than an issue.
MEETINGS_PER_VOLUME = 10
#: Where the volumes live; the search index reads only these pages.
ARCHIVE = "archive/"
META = {"hide": ["navigation", "toc"]}

T = TypeVar("T")


@dataclass(frozen=True)
class Volume:
    """One archive page: its URL, title and the records it holds."""

    url: str
    title: str
    records: Sequence[Issue] | Sequence[Meeting]
    kind: str  # "issues" or "meetings": where the records' own pages live
    group: str | None  # the category of an issue volume
    number: int
    count: int

    @property
    def src_uri(self) -> str:
        return self.url + "index.md"

    @property
    def previous(self) -> str | None:
        return volume_url(self.kind, self.group, self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return volume_url(self.kind, self.group, self.number + 1) if self.number < self.count else None


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` in consecutive runs of ``size`` (the last may be shorter)."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def volume_url(kind: str, group: str | None, number: int) -> str:
    """``archive/issues/<category>/<n>/`` or ``archive/meetings/<n>/``."""
    return f"{ARCHIVE}{kind}/{group + '/' if group else ''}{number}/"


def volumes(ctx: SiteContext) -> Iterator[Volume]:
    """Every volume: issues by category, then meetings, each run oldest first."""
    names = ctx.council.category_names
    for slug, issues in ctx.index.by_category.items():
        runs = chunks(issues[::-1], ISSUES_PER_VOLUME)  # the index lists newest first
        for number, run in enumerate(runs, start=1):
            title = f"全文档案 · {names.get(slug, slug)} · 第 {number} 卷"
            yield Volume(volume_url("issues", slug, number), title, run, "issues", slug,
                         number, len(runs))
    shelves = chunks(ctx.index.meetings[::-1], MEETINGS_PER_VOLUME)
    for number, shelf in enumerate(shelves, start=1):
        yield Volume(volume_url("meetings", None, number), f"全文档案 · 议事会 · 第 {number} 卷",
                     shelf, "meetings", None, number, len(shelves))


def plain_paragraphs(text: str) -> Markup:
    """A record body as escaped paragraphs, markdown left as typed.

    The record page renders the markdown; here only the words matter, and escaping the
    text whole is both safe and far cheaper than rendering every body a second time.
    """
    blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n")]
    return Markup("").join(Markup("<p>{}</p>\n").format(block) for block in blocks if block)


def archive_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """The archive's table of contents and every volume, unless search is turned off."""
    if ctx.settings.search == "none":
        return
    all_volumes = list(volumes(ctx))
    yield GeneratedPage(f"{ARCHIVE}index.md", "全文档案", partial(_render_contents, ctx, all_volumes),
                        meta=dict(META))
    for volume in all_volumes:
        yield GeneratedPage(volume.src_uri, volume.title, meta=dict(META),
                            template=partial(volume_call, ctx, volume),
                            sources=volume_sources(ctx, volume))


def volume_call(ctx: SiteContext, volume: Volume) -> TemplateCall:
    """A volume: ``archive_volume.html`` and exactly what it shows (its place among the
    volumes, its records and their text, for meetings the titles of their agenda's issues)."""
    records = ctx.repo.issues if volume.kind == "issues" else ctx.repo.meetings
    titles = ctx.index.titles
    agenda_titles = {item.issue: titles[item.issue] for record in volume.records
                     if isinstance(record, Meeting) for item in record.agenda
                     if item.issue in titles}
    return TemplateCall("archive_volume.html", volume.url, {
        "communities": ctx.council.community_names,
        "categories": ctx.council.category_names,
        "volume": volume,
        "bodies": {record.id: plain_paragraphs(records[record.id].body)
                   for record in volume.records},
        "titles": agenda_titles,
    })


def volume_sources(ctx: SiteContext, volume: Volume) -> tuple[str, ...]:
    """The record files a volume shows (as :func:`volume_inputs` names them): its "last
    changed" is theirs, so a merge elsewhere leaves the volume and its cached page alone."""
    paths: list[str] = []
    for record in volume.records:
        if isinstance(record, Meeting):
            loaded_meeting = ctx.repo.meetings.get(record.id)
            paths += [loaded_meeting.path] if loaded_meeting else []
            issues = [ctx.repo.issues.get(item.issue) for item in record.agenda]
            paths += [loaded.path for loaded in issues if loaded is not None]
        else:
            loaded_issue = ctx.repo.issues.get(record.id)
            paths += [loaded_issue.path] if loaded_issue else []
    return tuple(dict.fromkeys(paths))


def _render_contents(ctx: SiteContext, all_volumes: list[Volume]) -> str:
    # One line per shelf (a category, or the meetings) with its first and latest volume,
    # so the contents stay the same size however many volumes there are.
    names = ctx.council.category_names
    shelves = [
        (names.get(v.group, v.group) if v.group else "议事会", v.count, v.url,
         volume_url(v.kind, v.group, v.count))
        for v in all_volumes if v.number == 1
    ]
    return render("archive_contents.html", ctx, ARCHIVE, shelves=shelves)


