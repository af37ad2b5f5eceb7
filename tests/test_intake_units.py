"""Pure pieces of the intake: cleaning, escaping, tokens, rate limits."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import markdown
import pytest

from intake_support import Clock
from yishi.intake.abuse import RateLimit, client_key
from yishi.intake.record import escape_markdown
from yishi.intake.submission import clean
from yishi.intake.tokens import FormTokens, TokenPolicy, TokenRefused


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("  路灯  坏了\t三盏 ", "路灯 坏了 三盏"),
    ("e\u0301", "\u00e9"),  # NFC
    ("abc\u202edef\u2066g\u2069", "abcdefg"),  # bidi overrides and isolates
    ("a\u200bb\ufeffc\u00adD", "abcD"),  # zero-width space, BOM, soft hyphen
    ("a\x00b\x1bc\x7f", "abc"),  # controls
    ("一行\n两行", "一行 两行"),  # one line unless multiline
    ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # the emoji joiner stays
])
def test_clean(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


def test_clean_multiline_keeps_paragraphs_only() -> None:
    assert clean("第一段\r\n\r\n\r\n\r\n第二段  \n   第三行", multiline=True) == "第一段\n\n第二段\n第三行"


HOSTILE = [
    "<script>alert(1)</script>",
    "<!-- hidden --> <img src=x onerror=alert(1)>",
    "[点我](javascript:alert(1)) ![x](http://evil/x.png) <http://evil>",
    "{: onclick=\"alert(1)\" } {{ config }} {% raw %} {# x #}",
    "---\ntitle: x\n---",
    "# 标题\n## 二级\n1. 一\n2) 二\n- 列\n+ 表\n* 星\n> 引用\n=====\n!!! note\n| a | b |\n|---|---|",
    "`code` ```fence``` **粗** _斜_ ~~删~~ a\\b &amp; &lt;",
    "    缩进的代码块",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_as_exactly_that_text(text: str) -> None:
    cleaned = clean(text, multiline=True)
    rendered = markdown.markdown(escape_markdown(cleaned), extensions=["attr_list", "tables"])
    # Only paragraphs come out: no element, attribute, link or heading from the input.
    tags = set(re.findall(r"</?([a-z0-9]+)", rendered))
    assert tags <= {"p"}, rendered
    visible = html.unescape(re.sub(r"</?p>", "", rendered))
    assert visible.split() == cleaned.split()
    assert "{{" not in rendered and "{%" not in rendered and "<script" not in rendered


def test_tokens() -> None:
    clock = Clock()
    tokens = FormTokens("secret", clock, TokenPolicy(min_fill_seconds=3, max_age_seconds=60))
    token = tokens.issue()
    with pytest.raises(TokenRefused, match="太快"):
        tokens.verify(token)
    clock.advance(3)
    tokens.verify(token)
    clock.now += timedelta(seconds=58)
    with pytest.raises(TokenRefused, match="过期"):
        tokens.verify(token)
    other = FormTokens("another secret", clock)
    with pytest.raises(TokenRefused, match="失效"):
        other.verify(tokens.issue())
    with pytest.raises(TokenRefused):
        tokens.verify(token[:-2] + "xx")


def test_rate_limit() -> None:
    limit = RateLimit.parse("2/100")
    assert limit == RateLimit(2, 100.0)
    assert limit.retry_after([10.0], now=20.0) is None
    assert limit.retry_after([10.0, 15.0], now=20.0) == 90.0
    assert limit.retry_after([10.0, 15.0], now=111.0) is None
    for bad in ("0/10", "5", "a/b", "5/0"):
        with pytest.raises(ValueError, match="COUNT/SECONDS"):
            RateLimit.parse(bad)


def test_client_key_hides_the_address() -> None:
    key = client_key("salt", "203.0.113.9")
    assert "203.0.113.9" not in key and key == client_key("salt", "203.0.113.9")
    assert key != client_key("other salt", "203.0.113.9")
