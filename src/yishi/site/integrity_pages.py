"""Integrity on the site: the /data/rewrites/ notice, the notice on the page of a record
whose published version vanished, and ``data/publications.json`` (the ledger).

The checks themselves live in :mod:`yishi.integrity`; this module shows their result.
"""

from __future__ import annotations

from collections.abc import Iterator

from markupsafe import Markup

from ..exports.manifest import MANIFEST_FILE
from ..integrity import LEDGER_FILE, REWRITES_FILE, append_publication
from ..integrity.ancestry import VanishedCommit
from ..integrity.rewrites import Rewrite
from ..permalinks import issue_url, meeting_url
from .context import SiteContext
from .model import DataFile, GeneratedPage
from .render import render

REWRITES_PAGE = "data/rewrites/index.md"
REWRITES_URL = "data/rewrites/"


def record_link(ctx: SiteContext, path: str) -> tuple[str | None, bool]:
    """The page of the file ``path`` (``content/issues/<id>.md``) if it is a record that
    exists, and whether it is a record that no longer does."""
    folder, _, name = path.removeprefix("content/").partition("/")
    record_id = name.removesuffix(".md")
    if "/" in name or not name.endswith(".md"):
        return None, False  # a photo
    if folder == "issues":
        exists, url = record_id in ctx.repo.issues, issue_url(record_id)
    elif folder == "meetings":
        exists, url = record_id in ctx.repo.meetings, meeting_url(record_id)
    else:
        return None, False  # the council registry, the declared rewrites
    return (url, False) if exists else (None, True)


def _declared(ctx: SiteContext) -> list[tuple[Rewrite, list[VanishedCommit]]]:
    """Each declared rewrite with the vanished commits the ledger knows about."""
    vanished = {v.commit: v for v in ctx.integrity.vanished}
    return [(rewrite, [vanished[c] for c in rewrite.commits if c in vanished])
            for rewrite in ctx.integrity.rewrites]


def rewrites_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """Page provider: /data/rewrites/, the public notice of every rewrite of history."""
    integrity = ctx.integrity
    html = render(
        "rewrites.html", ctx, REWRITES_URL,
        rewrites=_declared(ctx),
        verification=integrity.verification,
        ledger_started=integrity.previous is None,
        ledger_file=LEDGER_FILE,
        rewrites_file=REWRITES_FILE,
        record_link=lambda path: record_link(ctx, path),
    )
    yield GeneratedPage(REWRITES_PAGE, "历史改写公告", html, searchable=False)


def rewrite_notice(ctx: SiteContext, path: str, here: str) -> Markup:
    """On a record's page: which of its published versions vanished, and why (or nothing)."""
    vanished = ctx.integrity.vanished_versions(path)
    if not vanished:
        return Markup("")
    return Markup(render("_rewrite_notice.html", ctx, here, vanished=vanished,
                         notice_url=REWRITES_URL))


def publications_file(ctx: SiteContext, files: dict[str, bytes]) -> DataFile:
    """``data/publications.json``: the previous ledger and this publication's entry.

    Written after the other data files because it names the manifest's SHA-256 (so it
    is not itself listed in the manifest).
    """
    ledger = append_publication(
        ctx.integrity.previous,
        commit=ctx.commit,
        published_at=ctx.built_at.astimezone(ctx.tz).isoformat(timespec="seconds"),
        manifest=files.get(MANIFEST_FILE, b""),
        counts={"issues": len(ctx.repo.issues), "meetings": len(ctx.repo.meetings)},
        history=ctx.history,
        vanished=[v.commit for v in ctx.integrity.vanished],
    )
    return DataFile(LEDGER_FILE, ledger.dumps())
