"""Parsed front matter kept between site builds, found again by a digest of its text.

Constructing Python objects from YAML is most of the cost of loading a record (about
0.3 ms each, seconds for a council's tens of thousands), and between two builds nearly
every record's text is unchanged. The parsed mappings are stored with :mod:`marshal`, which
holds plain data only (no code runs when a damaged or planted file is read back); the
records are still validated on every load, so every check sees them as ever. ``yishi
check`` reads without it: it is for builds.
"""

from __future__ import annotations

import hashlib
import marshal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

import yishi

from .atomic_files import replace_file


@cache
def _parser_digest() -> bytes:
    """What parsing depends on: the loader's code and the YAML library."""
    loading = Path(__file__).with_name("loading.py").read_bytes()
    return hashlib.sha256(loading + yishi.__version__.encode() + yaml.__version__.encode()).digest()


class FrontMatterCache:
    """Front matter text → parsed mapping, read from and written back to one file.

    Each mapping is kept as its own marshalled bytes, taken before the record is validated,
    so every load gets a fresh copy that nothing done to an earlier one can have changed.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._old: dict[bytes, bytes] = self._read()
        self._new: dict[bytes, bytes] = {}
        self.hits = 0
        self._parsed = False  # whether this load parsed anything (then the file is written)

    def _read(self) -> dict[bytes, bytes]:
        try:
            data = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def key(front_matter: str) -> bytes:
        return hashlib.sha256(_parser_digest() + front_matter.encode("utf-8")).digest()

    def get(self, front_matter: str) -> dict[str, Any] | None:
        """The mapping an earlier load parsed from the same text, or None."""
        key = self.key(front_matter)
        blob = self._old.get(key)
        if not isinstance(blob, bytes):
            return None
        try:
            data = marshal.loads(blob)
        except (EOFError, ValueError, TypeError):
            return None
        if not isinstance(data, dict):
            return None
        self._new[key] = blob
        self.hits += 1
        return data

    def put(self, front_matter: str, data: dict[str, Any]) -> None:
        """Remember ``data`` parsed from ``front_matter`` (unless it is not plain data)."""
        try:
            self._new[self.key(front_matter)] = marshal.dumps(data)
        except ValueError:
            return
        self._parsed = True

    def save(self) -> None:
        """Write the mappings of this load (and only those) for the next one."""
        if not self._parsed and self._new.keys() == self._old.keys():
            return
        try:
            replace_file(self.path, marshal.dumps(self._new))
        except OSError:
            return
