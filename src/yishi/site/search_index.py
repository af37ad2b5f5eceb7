"""The search index: Pagefind's extended build over the finished site (segments Chinese).

Pagefind writes a chunked index under ``pagefind/``; a browser fetches only the chunks a
query needs, so what a phone downloads stays small as the record grows (see the README's
search section for the measurements that chose it over Material's single-file index).
It indexes the full-text archive's volumes (:mod:`.search_archive`), not the record pages:
its metadata file, which every query downloads whole, costs a few bytes per indexed page.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ..errors import YishiError


class SearchIndexError(YishiError):
    """Pagefind could not index the site."""


#: The pages Pagefind reads: the archive's volumes (the archive's contents page has no
#: ``data-pagefind-body`` and is skipped). Reading only these spares it parsing every page.
ARCHIVE_PAGES = "archive/**/index.html"


def build_search_index(site_dir: Path, glob: str = ARCHIVE_PAGES) -> None:
    """Index ``site_dir`` in place, writing ``site_dir/pagefind/``."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--glob", glob,
               "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise SearchIndexError(f"cannot run Pagefind ({exc}); install pagefind[extended]") from exc
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexError(
            "Pagefind failed to index the site: " + (detail[-1] if detail else "no output")
        )
