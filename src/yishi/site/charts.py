"""SVG charts drawn at build time: no chart library, nothing loaded from a CDN.

Every label is escaped; the SVG is marked up as an image with a text alternative, and each
chart sits beside a table of the same numbers for screen readers and copying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

ROW_HEIGHT = 26
LABEL_WIDTH = 130
BAR_WIDTH = 220
VALUE_WIDTH = 130


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length as a value, and the text printed after it."""

    label: str
    value: float
    text: str
    css_class: str = ""


def bar_chart(title: str, bars: Sequence[Bar], maximum: float | None = None) -> Markup:
    """A horizontal bar chart, one row per bar, scaled to ``maximum`` (default: largest)."""
    top = maximum if maximum is not None else max((b.value for b in bars), default=0)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = ROW_HEIGHT * max(1, len(bars)) + 8
    parts = [
        f'<svg class="yi-chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for row, bar in enumerate(bars):
        y = 4 + row * ROW_HEIGHT
        length = 0 if top <= 0 else max(0.0, min(1.0, bar.value / top)) * BAR_WIDTH
        css = f' class="{escape(bar.css_class)}"' if bar.css_class else ""
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 17}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect{css} x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="{ROW_HEIGHT - 8}" '
            'rx="2" fill="var(--md-primary-fg-color, #00796b)"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 17}">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
