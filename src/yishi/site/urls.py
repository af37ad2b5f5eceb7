"""Relative links between pages, so the site works under any base path (GitHub Pages
project sites live under ``/<repo>/``) and when opened from the file system."""

from __future__ import annotations

import posixpath


def relative_url(from_url: str, to_url: str) -> str:
    """Link from the page at ``from_url`` to ``to_url``; both relative to the site root.

    Directory URLs end with ``/``; a fragment (``#anchor``) on ``to_url`` is kept.
    """
    target, _, fragment = to_url.partition("#")
    base = "/" + from_url
    base_dir = base if base.endswith("/") else posixpath.dirname(base) + "/"
    rel = posixpath.relpath("/" + target, base_dir)
    if target.endswith("/") or target == "":
        rel = rel.rstrip("/") + "/" if rel != "." else "./"
    if rel == "./" and not target:
        rel = "./"
    return rel + (f"#{fragment}" if fragment else "")


def issue_url(issue_id: str) -> str:
    """Permalink of an issue, relative to the site root."""
    return f"issues/{issue_id}/"


def meeting_url(meeting_id: str) -> str:
    """Permalink of a meeting, relative to the site root."""
    return f"meetings/{meeting_id}/"


def decision_url(meeting_id: str, issue_id: str) -> str:
    """Permalink of a decision: the meeting's agenda item, anchored by the issue id."""
    return f"meetings/{meeting_id}/#{issue_id}"
