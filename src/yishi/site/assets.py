"""The site's own stylesheet and script, and the compact issue data the filter reads."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from importlib.resources import files

from ..lifecycle import LABELS, STAGES
from ..records import Issue
from .context import SiteContext
from .model import DataFile

#: Added to every page by the generator adapter (MkDocs: ``extra_css``/``extra_javascript``).
STYLESHEETS = ("assets/yishi.css",)
SCRIPTS = ("assets/yishi.js",)


def asset_files(ctx: SiteContext) -> Iterator[DataFile]:
    """The stylesheet and script, copied from the package."""
    folder = files("yishi.site") / "assets"
    for path in (*STYLESHEETS, *SCRIPTS):
        yield DataFile(path, (folder / path.removeprefix("assets/")).read_bytes())


def filter_data(ctx: SiteContext) -> Iterator[DataFile]:
    """One short row per issue for the filter form, fetched only when a reader filters.

    Pages stay the same size however many issues there are; these files grow with them
    (about 150 bytes an issue). ``assets/issues.json`` holds every issue and
    ``assets/issues/<community>.json`` one community's, so a resident filtering their own
    community downloads only its share of a large record.
    """
    council = ctx.council
    labels = {
        "status": {s.value: LABELS[s] for s in LABELS},
        "stage": {s.value: STAGES[s].value for s in STAGES},
        "community": council.community_names,
        "category": council.category_names,
    }
    yield _rows_file("assets/issues.json", labels, ctx.index.issues)
    for community in council.communities:
        yield _rows_file(f"assets/issues/{community.slug}.json", labels,
                         ctx.index.by_community.get(community.slug, []))


def _rows_file(path: str, labels: dict[str, dict[str, str]], issues: Sequence[Issue]) -> DataFile:
    rows = [
        [i.id, i.title, i.status.value, i.community, i.category, i.submitted.isoformat(),
         i.timeline[-1].date.isoformat()]
        for i in issues
    ]
    text = json.dumps({**labels, "rows": rows}, ensure_ascii=False, separators=(",", ":"))
    return DataFile(path, text.encode("utf-8"))
