"""The markdown of record bodies: formatting kept, HTML and unsafe links never."""

from __future__ import annotations

import pytest

from yishi.site.markup import render_markdown


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("<img src=x onerror=alert(1)>", "<img"),
        ("<a href='https://x.example' onclick='alert(1)'>x</a>", "<a "),
        ("[a](javascript:alert(1))", "javascript"),
        ("[a](JaVaScRiPt:alert(1))", "avascript:"),
        ("[a](&#106;avascript:alert(1))", "href"),
        ("[a](data:text/html,hi)", "data:"),
        ("[a](vbscript:msgbox)", "vbscript"),
        ("<javascript:alert(1)>", "href"),
        ("[a][r]\n\n[r]: javascript:alert(1)", "javascript"),
        ("![i](https://tracker.example/p.png)", "<img"),
        ("<style>body{display:none}</style>", "<style"),
        ("<!-- hidden -->", "<!--"),
        ("[inside](/admin/)", "href"),
    ],
)
def test_unsafe_markup_is_removed(text: str, forbidden: str) -> None:
    assert forbidden not in render_markdown(text).lower()


def test_tags_in_text_read_as_text() -> None:
    html = render_markdown("请清理 <script>alert(1)</script> 的小广告")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markdown_formatting_is_kept() -> None:
    html = render_markdown("# 标题\n\n**加粗** 和 *强调*\n\n- 一\n- 二\n\n> 引用\n\n[链接](https://example.org)")
    assert "<h3>标题</h3>" in html  # below the page's own headings
    assert "<strong>加粗</strong>" in html and "<em>强调</em>" in html
    assert "<li>一</li>" in html and "<blockquote>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">链接</a>' in html


def test_template_syntax_is_left_alone() -> None:
    assert "{{ config.site_name }}" in render_markdown("{{ config.site_name }}")


def test_one_body_leaves_nothing_to_the_next() -> None:
    # The converter is reused between bodies: a link reference defined in one record must
    # not turn text of the next record into a link.
    first = render_markdown("见[通知][n]。\n\n[n]: https://example.org/notice")
    assert 'href="https://example.org/notice"' in first
    second = render_markdown("另见[通知][n]。")
    assert "href" not in second and "[通知][n]" in second
