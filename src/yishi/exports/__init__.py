"""Bulk open data built from the records and their git history (no MkDocs, no HTTP).

One module per format: ``records_json`` (issues.json, meetings.json), ``schema`` (their JSON
Schema), ``tables`` (CSV), ``atom`` (feeds), ``ical`` (upcoming meetings), ``open311``
(GeoReport v2), ``citation`` (cite this record) and ``manifest``; ``bundle`` assembles
every file of a build. Each takes an :class:`~yishi.exports.context.ExportContext`.
"""

from __future__ import annotations

from .bundle import export_files
from .context import ExportContext

__all__ = ["ExportContext", "export_files"]
