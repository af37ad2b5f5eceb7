"""The MkDocs plugin lives on MkDocs' public events and objects: no copy of its build
internals, no private attribute, no filter on another package's log lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PLUGIN = Path(__file__).resolve().parents[1] / "src" / "yishi" / "mkdocs_plugin"

#: What ties a plugin to MkDocs' internals, and why each is refused.
PRIVATE = {
    r"mkdocs\.commands": "MkDocs' build command module (get_context, _build_page)",
    r"_build_page|_populate_page": "a copy of MkDocs' private page building",
    r"\._current_page": "MkDocs' private config attribute",
    r"\._title_from_render": "a private Page attribute",
    r"addFilter|removeFilter": "a filter on another package's log lines",
}


@pytest.mark.parametrize("pattern", PRIVATE, ids=list(PRIVATE.values()))
def test_the_plugin_uses_no_mkdocs_internals(pattern: str) -> None:
    found = [f"{path.name}:{number}" for path in sorted(PLUGIN.rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(pattern, line)]
    assert found == [], PRIVATE[pattern]
