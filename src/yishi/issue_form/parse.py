"""Parse an issue body as GitHub renders an issue form into the web form's fields.

GitHub writes each field as ``### <label>``, a blank line and the value; a blank optional
field as ``_No response_``; a checkbox as ``- [X] <option>`` (``- [ ]`` unticked). Authors
may edit the body afterwards, so the parser tolerates CRLF, missing blank lines, extra
spaces and a field's heading removed.

Only the description is multi-line; it comes first, and every field after it is one line.
So the headings are searched from the end: a resident who types ``### 所在社区`` into the
description cannot forge the community, because the real heading comes later.
"""

from __future__ import annotations

import re

from ..council import Council
from .fields import FIELDS, KIND_OPTIONS, TITLE_PREFIX

NO_RESPONSE = "_No response_"
_CHECKED = re.compile(r"^\s*[-*]\s*\[[xX]\]\s+", re.M)


def _heading(label: str) -> re.Pattern[str]:
    return re.compile(rf"^[ \t]*###[ \t]+{re.escape(label)}[ \t]*$", re.M)


def split_fields(body: str) -> dict[str, str]:
    """Field id → the raw text under its heading (absent headings are left out)."""
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    raw: dict[str, str] = {}
    end = len(text)
    for field in reversed(FIELDS):
        matches = list(_heading(field.label).finditer(text, 0, end))
        if not matches:
            continue
        last = matches[-1]
        raw[field.id] = text[last.end() : end]
        end = last.start()
    return raw


def _value(raw: str) -> str:
    value = raw.strip()
    return "" if value == NO_RESPONSE else value


def _choice(value: str, names: dict[str, str]) -> str:
    """A dropdown's shown name → its slug; a slug stays as it is; anything else is kept so
    that validation reports it."""
    by_name = {name: slug for slug, name in names.items()}
    return by_name.get(value, value)


def parse_title(title: str) -> str:
    """The proposal's title: the issue's, without the form's ``[提案]`` prefix."""
    title = title.strip()
    prefix = TITLE_PREFIX.strip()
    return title.removeprefix(prefix).strip() if title.startswith(prefix) else title


def parse_issue(title: str, body: str, council: Council) -> dict[str, str]:
    """The web form's fields, as a browser would post them, from an issue's title and body."""
    raw = split_fields(body or "")
    form = {field.id: _value(raw.get(field.id, "")) for field in FIELDS}
    form["title"] = parse_title(title)
    form["community"] = _choice(form["community"], council.community_names)
    form["category"] = _choice(form["category"], council.category_names)
    form["kind"] = KIND_OPTIONS.get(form["kind"], form["kind"])
    form["consent"] = "yes" if _CHECKED.search(raw.get("consent", "")) else ""
    return form
