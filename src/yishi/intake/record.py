"""A submission → the issue's record: front matter serialised from the ``Issue`` model,
and the description as inert markdown.

Nothing the resident typed is pasted into YAML or markup: the front matter is
``yaml.safe_dump`` of validated data, and the body is escaped so that no HTML, script,
front matter, link, attribute list or template syntax survives as anything but text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import yaml

from ..council import Council
from ..lifecycle import INITIAL
from ..records import Channel, Issue
from .submission import Submission

ANONYMOUS = "居民"
TIMELINE_NOTE = "网上提交"

# Characters that are markup wherever they stand. Entities for the HTML and template ones
# (so the *rendered* page holds no `<`, `{{` or `{%` either); a backslash for markdown's own.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "{": "&#123;", "}": "&#125;"}
_BACKSLASHED = set("\\`*_[]")
# Characters that are markup only at the start of a line: headings, lists, rules, setext
# underlines (`---` also closes front matter), admonitions, tables and ordered lists.
_LINE_START = {"#": "\\#", "-": "\\-", "+": "\\+", "=": "&#61;", "!": "\\!", "|": "&#124;",
               ":": "&#58;", "~": "&#126;"}
_ORDERED = re.compile(r"^(\d+)([.)])")


def escape_markdown(text: str) -> str:
    """Plain text → markdown that renders as that same text and nothing else."""
    lines = []
    for line in text.split("\n"):
        # Leading spaces would make an indented code block; cleaning already stripped them.
        out = "".join(_ENTITIES.get(ch) or (f"\\{ch}" if ch in _BACKSLASHED else ch) for ch in line)
        if out and out[0] in _LINE_START:
            out = _LINE_START[out[0]] + out[1:]
        out = _ORDERED.sub(lambda m: m[1] + "\\" + m[2], out)
        lines.append(out)
    return "\n".join(lines)


def photo_paths(issue_id: str, count: int) -> list[str]:
    """Where a submission's photos live, relative to ``content/`` (as the record names them)."""
    return [f"photos/{issue_id}/{n}.jpg" for n in range(1, count + 1)]


class _Dumper(yaml.SafeDumper):
    """``yaml.safe_dump`` without anchors: equal dates stay written out, as people write them."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def build_issue(
    issue_id: str, submission: Submission, submitted: dt.date, council: Council,
    photo_count: int = 0,
) -> Issue:
    """The issue record of a new submission, validated against the council's registry."""
    data: dict[str, Any] = {
        "id": issue_id,
        "title": submission.title,
        "community": submission.community,
        "category": submission.category,
        "kind": submission.kind,
        "cosigners": submission.cosigners,
        "organization": submission.organization,
        "proposer": submission.name or ANONYMOUS,
        "submitted": submitted,
        "channel": Channel.WEB,
        "location": submission.location,
        "status": INITIAL,
        "timeline": [{"date": submitted, "status": INITIAL, "note": TIMELINE_NOTE}],
        "photos": photo_paths(issue_id, photo_count),
    }
    return Issue.model_validate(data, context={"council": council})


def render_record(issue: Issue, description: str) -> str:
    """The text of ``content/issues/<id>.md``."""
    data = issue.model_dump(mode="json", by_alias=True, exclude_none=True)
    data = {k: v for k, v in data.items() if v != []}
    # The date fields become dates again so YAML shows them unquoted, like hand-written
    # records; JSON mode is what turns every enum into a plain string safe_dump accepts.
    data["submitted"] = issue.submitted
    for entry, original in zip(data["timeline"], issue.timeline, strict=True):
        entry["date"] = original.date
    front = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{escape_markdown(description)}\n"
