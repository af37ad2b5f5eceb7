"""Every open-data file of one build, by path relative to the site root."""

from __future__ import annotations

import json

from . import atom, ical, open311, records_json, schema, tables
from .context import ExportContext
from .manifest import MANIFEST_FILE, manifest


def export_files(ctx: ExportContext) -> dict[str, bytes]:
    """The downloads, feeds, calendar, Open311 files and their manifest; then one Open311
    file per issue, which the manifest leaves out (they repeat ``requests.json``, and
    listing 20,000 of them would make the manifest megabytes)."""
    council = ctx.council
    requests = open311.service_requests(ctx)
    files: dict[str, bytes] = {
        records_json.ISSUES_FILE: records_json.dumps(records_json.issues_document(ctx)),
        records_json.MEETINGS_FILE: records_json.dumps(records_json.meetings_document(ctx)),
        tables.ISSUES_CSV: tables.issues_csv(ctx),
        tables.MEETINGS_CSV: tables.meetings_csv(ctx),
        schema.ISSUE_SCHEMA_FILE: records_json.dumps(schema.issue_schema(council)),
        schema.MEETING_SCHEMA_FILE: records_json.dumps(schema.meeting_schema(council)),
        ical.CALENDAR_FILE: ical.meetings_calendar(ctx),
        open311.SERVICES_FILE: _compact(open311.services(ctx)),
        open311.REQUESTS_FILE: _compact(requests),
    }
    files.update(atom.feeds(ctx))
    files[MANIFEST_FILE] = manifest(ctx, files)
    files.update((path, _compact(one)) for path, one in open311.single_requests(requests).items())
    return files


def _compact(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
