"""The service's own pages for browsers without JavaScript: the form and the receipt."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from jinja2 import Environment, PackageLoader, select_autoescape

from ..council import Council
from ..records import KIND_LABELS
from . import messages
from .store import Entry

_env = Environment(
    loader=PackageLoader("yishi.intake", "templates"),
    autoescape=select_autoescape(default=True),
)
#: Strict and self-contained: the pages load nothing and post only to this service.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def environment() -> Environment:
    """The templates of the service's own pages (the rating pages use it too)."""
    return _env


def form_page(
    council: Council, *, action: str, token: str, values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> str:
    """The proposal form, refilled with ``values`` and showing ``errors`` next to fields."""
    return _env.get_template("submit.html").render(
        council=council, action=action, token=token, values=values or {}, errors=errors or {},
        kinds=[(kind.value, text) for kind, text in KIND_LABELS.items()],
    )


def receipt_page(council: Council, entry: Entry, public_url: str | None,
                 timeline: Sequence[Mapping[str, str]] = ()) -> str:
    """The receipt: the number to keep, where the proposal stands, and its steps so far."""
    return _env.get_template("receipt.html").render(
        council=council, entry=entry, label=messages.STATUS_LABELS[entry.status],
        public_url=public_url, timeline=timeline,
    )
