"""Permalinks of records: part of the open-data contract, shared by the site and the exports.

Relative links between pages keep the site working under any base path (GitHub Pages
project sites live under ``/<repo>/``) and when opened from the file system. The module
lives outside ``yishi.site`` so that ``yishi.exports`` never imports the site.
"""

from __future__ import annotations


def relative_url(from_url: str, to_url: str) -> str:
    """Link from the page at ``from_url`` to ``to_url``; both relative to the site root.

    Directory URLs end with ``/``; a fragment (``#anchor``) on ``to_url`` is kept. The link
    climbs to the root and descends (``../../issues/x/``): cheaper than the shortest path,
    and a page renders thousands of links.
    """
    if to_url.startswith("#"):
        return to_url
    return "../" * from_url.count("/") + to_url or "./"


def issue_url(issue_id: str) -> str:
    """Permalink of an issue, relative to the site root."""
    return f"issues/{issue_id}/"


def meeting_url(meeting_id: str) -> str:
    """Permalink of a meeting, relative to the site root."""
    return f"meetings/{meeting_id}/"


def decision_url(meeting_id: str, issue_id: str) -> str:
    """Permalink of a decision: the meeting's agenda item, anchored by the issue id."""
    return f"meetings/{meeting_id}/#{issue_id}"
