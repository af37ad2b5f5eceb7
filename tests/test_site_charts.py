"""Build-time SVG charts: escaped labels, bars scaled to the maximum, room for the values."""

from __future__ import annotations

import re

from yishi.site.charts import BAR_WIDTH, LABEL_WIDTH, VALUE_WIDTH, Bar, bar_chart


def test_bars_scale_to_the_maximum_and_labels_are_escaped() -> None:
    svg = bar_chart("图<表>", [Bar("<b>甲</b>", 1.0, "100.0%(259/277)"), Bar("乙", 0.5, "50%")],
                    maximum=1.0)
    widths = [float(w) for w in re.findall(r'<rect[^>]* width="([\d.]+)"', svg)]
    assert widths == [BAR_WIDTH, BAR_WIDTH / 2]
    assert "&lt;b&gt;甲&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'aria-label="图&lt;表&gt;"' in svg and 'role="img"' in svg


def test_the_longest_value_fits_inside_the_chart() -> None:
    # Value text starts after the full bar; about 7 px a character at 12 px.
    assert len("100.0%(2590/2770)") * 7 + 6 <= VALUE_WIDTH
    svg = bar_chart("t", [Bar("a", 1.0, "x")])
    assert f'viewBox="0 0 {LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH} ' in svg


def test_empty_and_zero_charts_draw_no_bars() -> None:
    assert 'width="0.0"' in bar_chart("t", [Bar("a", 0, "0")])
    assert "<rect" not in bar_chart("t", [])
