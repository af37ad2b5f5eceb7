"""What a receipt number tells a resident about the issue once it is on the main branch:
its status and the timeline so far (public facts, read by the worker's notices pass)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ..council import Council
from ..ids import ID_RE
from ..lifecycle import LABELS, Status
from . import messages
from .pages import CONTENT_SECURITY_POLICY, environment, receipt_page
from .store import Entry, Store

#: The public page of an entry, once published (see ``service.public_url``).
PublicUrl = Callable[[Entry], str | None]


def tracking_answer(store: Store, entry: Entry) -> dict[str, Any]:
    """``issue_status``, ``issue_label`` and ``timeline`` for the receipt API, once known."""
    tracked = store.tracking(entry.id)
    if tracked is None:
        return {}
    status, timeline = tracked
    label = LABELS[Status(status)] if status in Status.__members__.values() else status
    return {"issue_status": status, "issue_label": label, "timeline": timeline}


def loggable_path(path: str) -> str:
    """The request path as the access log may show it: a rating link's token is personal."""
    return "/rate/…" if path.startswith("/rate/") else path


@dataclass(frozen=True)
class ReceiptLookup:
    """What the receipt lookup needs, kept on ``app.state.receipt_lookup``."""

    store: Store
    council: Council
    public_url: PublicUrl


async def receipt_lookup(request: Request) -> Response:
    """``GET /receipt?id=<number>``: where the site's /track/ form goes without JavaScript.

    A number that is unknown (or not a number at all) gets a plain page saying so, with the
    form to try again: residents mistype, and that is no error.
    """
    lookup: ReceiptLookup = request.app.state.receipt_lookup
    number = request.query_params.get("id", "").strip().lower()
    entry = await run_in_threadpool(lookup.store.get, number) if ID_RE.match(number) else None
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store"}
    if entry is None:
        page = environment().get_template("lookup.html").render(
            council=lookup.council, number=number, message=messages.NOT_FOUND)
        return HTMLResponse(page, 404, headers=headers)
    tracked = await run_in_threadpool(lookup.store.tracking, entry.id)
    page = receipt_page(lookup.council, entry, lookup.public_url(entry),
                        tracked[1] if tracked else ())
    return HTMLResponse(page, headers=headers)


RECEIPT_LOOKUP_ROUTE = Route("/receipt", receipt_lookup, methods=["GET"])
