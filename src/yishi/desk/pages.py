"""Rendering the desk's templates: autoescaped Jinja, one environment, helpers for dates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ..lifecycle import LABELS, STAGES
from ..records import CHANNEL_LABELS, KIND_LABELS, OUTCOME_LABELS
from ..site.markup import render_markdown
from .messages import AUDIT_ACTIONS

#: Nothing from elsewhere: our own stylesheet and script, posting only to the desk.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

_env = Environment(
    loader=PackageLoader("yishi.desk", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(
    status_label=lambda s: LABELS.get(s, str(s)),
    stage=lambda s: STAGES[s].value if s in STAGES else "",
    outcome_label=lambda o: OUTCOME_LABELS.get(o, str(o)) if o else "未记录",
    channel_label=lambda c: CHANNEL_LABELS.get(c, str(c)),
    kind_label=lambda k: KIND_LABELS.get(k, str(k)),
    audit_label=lambda a: AUDIT_ACTIONS.get(a, a),
    # The ``yishi diff`` summary is markdown: rendered by the site's safe renderer (no raw
    # HTML, sanitised), so what a moderator typed stays text.
    markdown=render_markdown,
)
_env.filters["when"] = lambda ts: datetime.fromtimestamp(ts).astimezone().strftime(
    "%Y-%m-%d %H:%M")


def render(template: str, **context: Any) -> str:
    """One page of the desk; every value is escaped unless a template says otherwise."""
    return _env.get_template(template).render(**context)
