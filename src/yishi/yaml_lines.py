"""Where in a YAML text a key is (its line, its dotted name), so every message can name it."""

from __future__ import annotations

from collections.abc import Sequence

import yaml


def line_in(node: yaml.Node | None, loc: Sequence[str | int], first_line: int = 1) -> int:
    """Line of the key at ``loc`` in a composed YAML ``node`` (or of its nearest existing
    parent); ``first_line`` is the file line of the text's first line."""
    line = first_line
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if key.value == part:
                    line = key.start_mark.line + first_line
                    node = value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + first_line
        else:
            return line
    return line


def format_loc(loc: Sequence[str | int]) -> str:
    """``('timeline', 2, 'status')`` → ``timeline[2].status``, as messages name a field."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(file)"
