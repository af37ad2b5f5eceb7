"""``data/manifest.json``: what a complete, current download consists of.

Users compare sizes and SHA-256 digests to tell a complete download from a partial one, and
``generated_at`` and ``commit`` to tell a current one from a stale one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from typing import Any

from .context import ExportContext
from .records_json import dumps

MANIFEST_FILE = "data/manifest.json"

MEDIA_TYPES = {
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".xml": "application/atom+xml",
    ".ics": "text/calendar",
}


def media_type(path: str) -> str:
    """The media type of an export by its extension."""
    for suffix, kind in MEDIA_TYPES.items():
        if path.endswith(suffix):
            return kind
    return "application/octet-stream"


def manifest(ctx: ExportContext, files: Mapping[str, bytes]) -> bytes:
    """The manifest of ``files`` (path relative to the site root → content)."""
    statuses = Counter(loaded.record.status.value for loaded in ctx.repo.issues.values())
    document: dict[str, Any] = {
        **ctx.envelope(),
        "counts": {
            "issues": len(ctx.repo.issues),
            "meetings": len(ctx.repo.meetings),
            "issues_by_status": dict(sorted(statuses.items())),
        },
        "files": [
            {
                "path": path,
                "media_type": media_type(path),
                "bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
            for path, content in sorted(files.items())
        ],
    }
    return dumps(document)
