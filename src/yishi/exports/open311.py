"""A read-only Open311 GeoReport v2 export, so existing dashboards can read the record.

``services.json`` lists one service per category; ``requests.json`` one service request per
issue, and ``requests/<id>.json`` the one request a client asks for by id (GeoReport's
``GET requests/{id}.json``: an array of one). All are the bare arrays GeoReport v2
specifies (its tools expect nothing else), so their ``generated_at`` and commit are in
``data/manifest.json``. No service has metadata (attributes to ask when posting: the export
is read-only), so GeoReport's ``services/{code}.json`` is never asked for and not written.
A static site ignores query parameters: the /data/ page says which filters exist as files.
"""

from __future__ import annotations

from typing import Any

from ..lifecycle import is_closed, label
from ..loading import LoadedIssue
from .context import ExportContext

SERVICES_FILE = "open311/services.json"
REQUESTS_FILE = "open311/requests.json"
#: GeoReport v2's GET service request: one issue, by its id.
REQUEST_FILE = "open311/requests/{id}.json"


def request_file(issue_id: str) -> str:
    """The path of one issue's service request (``open311/requests/<id>.json``)."""
    return REQUEST_FILE.format(id=issue_id)

#: GeoReport v2 caps the description of a request.
DESCRIPTION_LIMIT = 4000

#: The fields of GeoReport v2's GET service list response.
SERVICE_FIELDS = (
    "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
)
#: The fields of GeoReport v2's GET service requests response.
REQUEST_FIELDS = (
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
)


def services(ctx: ExportContext) -> list[dict[str, Any]]:
    """One service per category of the council."""
    council = ctx.council
    return [
        {
            "service_code": category.slug,
            "service_name": category.name,
            "description": category.description or category.name,
            "metadata": False,  # no extra attributes to ask for: the export is read-only
            "type": "realtime",  # a receipt id is issued at once
            "keywords": "",
            "group": council.short_name or council.name,
        }
        for category in council.categories
    ]


def _status_notes(loaded: LoadedIssue) -> str:
    issue = loaded.record
    last = issue.timeline[-1]
    note = last.note or (issue.screening.note if issue.screening and is_closed(issue.status) else "")
    return f"{label(issue.status)}:{note}" if note else label(issue.status)


def service_request(ctx: ExportContext, loaded: LoadedIssue) -> dict[str, Any]:
    """One issue as a GeoReport v2 service request."""
    issue = loaded.record
    council = ctx.council
    agency = issue.escalated_to.body if issue.escalated_to else council.name
    description = loaded.body or issue.title
    return {
        "service_request_id": issue.id,
        "status": "closed" if is_closed(issue.status) else "open",
        "status_notes": _status_notes(loaded),
        "service_name": council.category_names.get(issue.category, issue.category),
        "service_code": issue.category,
        "description": description[:DESCRIPTION_LIMIT],
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": ctx.timestamp(ctx.day_start(issue.submitted)),
        "updated_datetime": ctx.timestamp(ctx.day_start(issue.timeline[-1].date)),
        "expected_datetime": None,
        "address": issue.location,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def service_requests(ctx: ExportContext) -> list[dict[str, Any]]:
    """Every issue, newest first as GeoReport v2 lists them."""
    ordered = sorted(ctx.repo.issues.values(),
                     key=lambda one: (one.record.submitted, one.record.id), reverse=True)
    return [service_request(ctx, loaded) for loaded in ordered]


def single_requests(requests: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Path → the array of one request GeoReport's ``GET requests/{id}.json`` answers."""
    return {request_file(request["service_request_id"]): [request] for request in requests}
