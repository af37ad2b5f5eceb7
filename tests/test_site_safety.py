"""Nothing in a record can put HTML or script on the site: a hostile record, built for real."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from site_support import PROJECT, build, html_pages, page_file, read_page

ISSUE_ID = "2024-0301-evil"
MEETING_ID = "2024-0310-evil"

HOSTILE_BODY = """\
<script>alert("body")</script>

<img src=x onerror=alert("img")>

<svg onload=alert("svg")></svg> <iframe src="https://evil.example/"></iframe>

[点我](javascript:alert("link")) [再点](JaVaScRiPt:alert("case")) [空格]( javascript:alert("space"))

[实体](&#106;avascript:alert("entity")) [数据](data:text/html;base64,PHNjcmlwdD4=)

<javascript:alert("autolink")>

[引用][evil]

[evil]: javascript:alert("reference")

<a href="javascript:alert('raw')" onclick="alert('raw')">原始链接</a>

{{ config.site_name }} {% raw %} {{ 7*7 }} {% endraw %}

<div style="position:fixed;top:0">覆盖</div>

[正常链接](https://example.org/ok)
"""

HOSTILE_ISSUE = f"""---
id: {ISSUE_ID}
title: '<script>alert("title")</script>{{{{ 7*7 }}}}'
community: shengye
category: ads
proposer: '<b onmouseover="alert(1)">居民</b>'
submitted: 2024-03-01
channel: web
location: '" onmouseover="alert(2)" x="'
status: decided
timeline:
  - {{ date: 2024-03-01, status: received, note: '<img src=x onerror=alert(3)>' }}
  - {{ date: 2024-03-02, status: accepted }}
  - {{ date: 2024-03-02, status: scheduled, meeting: {MEETING_ID} }}
  - {{ date: 2024-03-10, status: decided, meeting: {MEETING_ID} }}
outcome: '<script>alert("outcome")</script>'
---
{HOSTILE_BODY}"""

HOSTILE_MEETING = f"""---
id: {MEETING_ID}
title: '<iframe src=//evil.example>会议'
date: 2024-03-10
level: community
place: '<script>alert("place")</script>'
convener: '<a href="javascript:alert(4)">召集人</a>'
agenda:
  - issue: {ISSUE_ID}
    outcome: decided
    decision: '<script>alert("decision")</script>决定'
---
{HOSTILE_BODY}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    (root / "content" / "issues").mkdir(parents=True)
    (root / "content" / "meetings").mkdir()
    shutil.copy(PROJECT / "content" / "council.yml", root / "content" / "council.yml")
    shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "content" / "issues" / f"{ISSUE_ID}.md").write_text(HOSTILE_ISSUE, encoding="utf-8")
    (root / "content" / "meetings" / f"{MEETING_ID}.md").write_text(
        HOSTILE_MEETING, encoding="utf-8")
    # Not strict: `yishi check` rightly warns about the markup; the site must be safe anyway.
    return build(root, strict=False)


def test_no_record_value_becomes_markup(site: Path) -> None:
    for path in html_pages(site):
        page = read_page(path)
        for tag, attrs in page.elements:
            assert tag not in {"iframe", "svg"} or "evil" not in str(attrs), path
            assert tag != "img" or "onerror" not in attrs, path
            for name, value in attrs.items():
                assert not name.startswith("on"), (path, tag, name)
                assert not value.strip().lower().startswith(("javascript:", "data:")), (path, value)
                assert "evil.example" not in value, (path, tag, value)
        raw = path.read_text(encoding="utf-8")
        for marker in ("body", "img", "title", "decision", "place", "outcome"):
            assert f'<script>alert("{marker}")' not in raw, (path, marker)


def test_hostile_text_is_shown_as_text(site: Path) -> None:
    issue = read_page(page_file(site, f"issues/{ISSUE_ID}/"))
    assert issue.h1 == '<script>alert("title")</script>{{ 7*7 }}'
    assert '<script>alert("title")</script>' in issue.title  # the <title>, as text
    assert '<script>alert("body")</script>' in issue.text
    assert "{{ config.site_name }}" in issue.text  # never evaluated as a template
    assert "49" not in issue.h1
    assert '" onmouseover="alert(2)" x="' in issue.text
    meeting = read_page(page_file(site, f"meetings/{MEETING_ID}/"))
    assert '<script>alert("decision")</script>决定' in meeting.text
    assert ISSUE_ID in meeting.ids


def test_safe_links_survive(site: Path) -> None:
    issue = read_page(page_file(site, f"issues/{ISSUE_ID}/"))
    assert "https://example.org/ok" in issue.links
    ok = next(a for tag, a in issue.elements if tag == "a" and a.get("href") == "https://example.org/ok")
    assert "noopener" in ok["rel"]


def test_site_scripts_are_only_the_themes_and_ours(site: Path) -> None:
    page = read_page(page_file(site, f"issues/{ISSUE_ID}/"))
    sources = [a.get("src", "") for tag, a in page.elements if tag == "script"]
    external = [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert external == []
    assert any(s.endswith("assets/yishi.js") for s in sources)
