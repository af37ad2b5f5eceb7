"""Round-trip editing of a record file: change some keys, keep every other byte as it was.

Records are written by hand too, so an operation must touch only the lines it means to.
The front matter is read and written with ruamel.yaml in round-trip mode, which keeps
comments, key order, quoting and flow style; the markdown body is kept as text and replaced
only when an operation is about it (the minutes). Three things ruamel would otherwise get
wrong for us are handled here:

- flow mappings are written with inner spaces, ``{ date: 2023-04-06, status: accepted }``,
  as every record in ``content/`` writes them (ruamel's emitter writes ``{date: …}``), unless
  the file's first flow mapping is written without them;
- lines are never wrapped (a long Chinese note stays on its line);
- a new string that PyYAML (the project's loader, YAML 1.1) would read as something else
  (``no``, ``yes``, ``10:00``, ``2024-01-01``, ``null``) is quoted, so the value written is
  the value every reader gets back.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.events import MappingEndEvent
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from ..errors import RecordError
from ..loading import RecordLoader

# The closing line may be the file's last line without a newline.
_FRONT_MATTER = re.compile(r"\A(---[ \t]*\n)(.*?\n)?(---[ \t]*(?:\n|\Z))", re.S)


class _SpacedFlowEmitter(Emitter):
    """ruamel's emitter, writing ``{ a: 1 }`` instead of ``{a: 1}`` (empty maps stay ``{}``)."""

    _pad_next_open = False

    def expect_flow_mapping(
        self, single: bool | None = False, force_flow_indent: bool | None = False
    ) -> None:
        # The emitter looks ahead: the next event tells whether the mapping is empty.
        self._pad_next_open = not (self.events and isinstance(self.events[0], MappingEndEvent))
        super().expect_flow_mapping(single, force_flow_indent)

    def write_indicator(
        self, indicator: Any, need_whitespace: Any, whitespace: bool = False,
        indention: bool = False,
    ) -> None:
        if isinstance(indicator, str):
            if indicator.endswith("{") and self._pad_next_open:
                indicator += " "
                self._pad_next_open = False
            elif indicator == "}" and not self.whitespace:
                indicator = " }"
        super().write_indicator(indicator, need_whitespace, whitespace, indention)


def _yaml(spaced: bool) -> YAML:
    rt = YAML(typ="rt")
    rt.Emitter = _SpacedFlowEmitter if spaced else Emitter
    rt.preserve_quotes = True
    rt.width = 1_000_000  # never fold a line
    rt.indent(mapping=2, sequence=4, offset=2)  # "timeline:\n  - { … }" as the records have it
    rt.allow_unicode = True
    # Equal dates are written out each time, as people write them, never as &id001 / *id001.
    rt.representer.ignore_aliases = lambda data: True
    return rt


# The first flow mapping of a file shows how it writes them: `{ a: 1 }` (ours) or `{a: 1}`.
_FIRST_FLOW_MAP = re.compile(r"(?:^|[:\-\[,]\s*)\{(\s?)[^\s}]", re.M)


def _style_of(front_matter: str) -> YAML:
    # A new instance per file: a ruamel YAML object keeps parser and emitter state, and one
    # left half-way by an error would garble the next file it writes.
    match = _FIRST_FLOW_MAP.search(front_matter)
    return _yaml(spaced=match is None or bool(match.group(1)))


def reads_back_as_string(text: str) -> bool:
    """Whether the project's loader reads ``text``, written plain, as that same string."""
    try:
        return bool(yaml.load(text, Loader=RecordLoader) == text)
    except yaml.YAMLError:
        return False


def scalar(value: Any) -> Any:
    """A Python value as the ruamel node to write: strings quoted where a plain scalar would
    be misread, multi-line text as a literal block, dates and numbers as they are."""
    if isinstance(value, str):
        if "\n" in value:
            return LiteralScalarString(value)
        if not reads_back_as_string(value):
            return DoubleQuotedScalarString(value)
        return value
    if isinstance(value, dt.datetime):
        raise TypeError("records hold dates, not datetimes")
    return value


def node(value: Any, *, flow: bool = False) -> Any:
    """Plain data (dicts, lists, scalars) as ruamel nodes; ``flow`` writes mappings and
    sequences on one line (``{ date: …, status: … }``); nodes already built pass through."""
    if isinstance(value, CommentedMap | CommentedSeq):
        return value
    if isinstance(value, Mapping):
        out = CommentedMap()
        for key, child in value.items():
            out[key] = node(child, flow=flow)
        if flow:
            out.fa.set_flow_style()
        else:
            out.fa.set_block_style()
        return out
    if isinstance(value, list | tuple):
        seq = CommentedSeq(node(child, flow=flow) for child in value)
        if flow:
            seq.fa.set_flow_style()
        else:
            seq.fa.set_block_style()
        return seq
    return scalar(value)


def is_flow(value: Any) -> bool:
    """Whether a loaded mapping or sequence is written in flow style."""
    return isinstance(value, CommentedMap | CommentedSeq) and bool(value.fa.flow_style())


class RecordText:
    """One record file: its front matter as an editable round-trip mapping, its body as text."""

    def __init__(self, path: str, text: str) -> None:
        # A file saved on Windows keeps its CRLF line ends: edit as LF, write back as CRLF.
        self._crlf = "\r\n" in text
        if self._crlf:
            text = text.replace("\r\n", "\n")
        match = _FRONT_MATTER.match(text)
        if match is None:
            raise RecordError(f"{path}: no YAML front matter between two '---' lines")
        self.path = path
        self._open, self._close = match.group(1), match.group(3)
        self._front_matter = match.group(2) or ""
        self.body = text[match.end():]
        self._yaml = _style_of(self._front_matter)
        data = self._yaml.load(self._front_matter) if self._front_matter.strip() else CommentedMap()
        if not isinstance(data, CommentedMap):
            raise RecordError(f"{path}: front matter must be a mapping of keys")
        self.data: CommentedMap = data
        self._dirty = False

    @classmethod
    def new(cls, path: str, data: Mapping[str, Any], body: str = "",
            flow: Iterable[str] = ()) -> RecordText:
        """A record file that does not exist yet; keys in ``flow`` are written on one line."""
        record = cls(path, "---\n---\n")
        flow_keys = set(flow)
        for key, value in data.items():
            record.data[key] = node(value, flow=key in flow_keys)
        record._dirty = True
        record.body = body
        return record

    # -- editing -------------------------------------------------------------------------

    def set(self, key: str, value: Any, *, order: Sequence[str] = (), flow: bool = False) -> None:
        """Set a top-level key; a new key goes where ``order`` (the model's field order) puts it."""
        self._dirty = True
        new = node(value, flow=flow)
        if key in self.data:
            self.data[key] = new
            return
        self.data.insert(self._position(key, order), key, new)

    def remove(self, key: str) -> None:
        """Remove a top-level key if present."""
        if key in self.data:
            self._dirty = True
            del self.data[key]

    def append(self, key: str, item: Any, *, order: Sequence[str] = (),
               flow: bool | None = None) -> None:
        """Append to a top-level list, in the style of its last item (or ``flow`` when new)."""
        self._dirty = True
        seq = self.data.get(key)
        if not isinstance(seq, CommentedSeq):
            if isinstance(item, Mapping):  # a list of mappings: one item per line
                self.set(key, [], order=order)
                self.data[key].append(node(item, flow=bool(flow)))
            else:  # a list of ids: `related: [2023-0403-k7qm]`
                self.set(key, [item], order=order, flow=bool(flow))
            return
        style = is_flow(seq[-1]) if len(seq) and flow is None else bool(flow)
        if is_flow(seq):  # `related: [a, b]`: the whole list is one line
            seq.append(scalar(item) if not isinstance(item, Mapping | list) else node(item, flow=True))
            return
        seq.append(node(item, flow=style))

    def replace_item(self, key: str, index: int, item: Any) -> None:
        """Replace one item of a top-level list, keeping the item's own style (flow or block)."""
        self._dirty = True
        seq = self.data[key]
        seq[index] = node(item, flow=is_flow(seq[index]))

    def remove_item(self, key: str, index: int) -> None:
        """Remove one item of a top-level list."""
        self._dirty = True
        del self.data[key][index]

    def _position(self, key: str, order: Sequence[str]) -> int:
        if key not in order:
            return len(self.data)
        rank = order.index(key)
        position = 0
        for i, existing in enumerate(self.data):
            if existing in order and order.index(existing) < rank:
                position = i + 1
        return position

    def set_body(self, body: str) -> None:
        """Replace the markdown body (the minutes); only operations about the body do this."""
        text = body.strip("\n")
        self.body = f"\n{text}\n" if text else ""

    # -- output --------------------------------------------------------------------------

    def front_matter(self) -> str:
        """The front matter text: unchanged bytes when nothing was set."""
        if not self._dirty:
            return self._front_matter
        out = io.StringIO()
        self._yaml.dump(self.data, out)
        return out.getvalue()

    def text(self) -> str:
        """The whole file."""
        text = f"{self._open}{self.front_matter()}{self._close}{self.body}"
        return text.replace("\n", "\r\n") if self._crlf else text

    def bytes(self) -> bytes:
        return self.text().encode("utf-8")


def dump_unchanged(path: str, text: str) -> str:
    """Load and write a record through ruamel with no change (the round-trip tests use it)."""
    record = RecordText(path, text)
    record._dirty = True  # force a real dump, not the cached bytes
    return record.text()
