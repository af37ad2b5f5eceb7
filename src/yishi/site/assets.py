"""The site's own stylesheet and script, and the compact issue data the filter reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib.resources import files

from ..lifecycle import LABELS, STAGES
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
    """``assets/issues.json``: one short row per issue, fetched only when a reader filters.

    Pages stay the same size however many issues there are; this file grows with them
    (about 100 bytes an issue) and is downloaded on the first use of the filter form.
    """
    council = ctx.council
    data = {
        "status": {s.value: LABELS[s] for s in LABELS},
        "stage": {s.value: STAGES[s].value for s in STAGES},
        "community": council.community_names,
        "category": council.category_names,
        "rows": [
            [i.id, i.title, i.status.value, i.community, i.category, i.submitted.isoformat(),
             i.timeline[-1].date.isoformat()]
            for i in ctx.index.issues
        ],
    }
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    yield DataFile("assets/issues.json", text.encode("utf-8"))
