"""What a receipt number tells a resident about the issue once it is on the main branch:
its status and the timeline so far (public facts, read by the worker's notices pass)."""

from __future__ import annotations

from typing import Any

from ..lifecycle import LABELS, Status
from .store import Entry, Store


def tracking_answer(store: Store, entry: Entry) -> dict[str, Any]:
    """``issue_status``, ``issue_label`` and ``timeline`` for the receipt API, once known."""
    tracked = store.tracking(entry.id)
    if tracked is None:
        return {}
    status, timeline = tracked
    label = LABELS[Status(status)] if status in Status.__members__.values() else status
    return {"issue_status": status, "issue_label": label, "timeline": timeline}


def loggable_path(path: str) -> str:
    """The request path as the access log may show it: a rating link's token is personal."""
    return "/rate/…" if path.startswith("/rate/") else path
