"""The full-text archive the search indexes: volumes, their content, and the built index."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from site_support import PROJECT, build, copy_demo, read_page, resolve
from yishi.loading import Repository, load_repository
from yishi.site import search_archive
from yishi.site.context import SiteContext
from yishi.site.search_archive import chunks, plain_paragraphs, volumes

HOSTILE = '<img src=x onerror="alert(1)"> <script>alert(2)</script>'


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repository, Path]:
    """The demo with a hostile line added to one issue's text, built with small volumes."""
    root = copy_demo(tmp_path_factory.mktemp("archive"))
    issue = next(iter(sorted((root / "content" / "issues").glob("*.md"))))
    issue.write_text(issue.read_text(encoding="utf-8") + "\n" + HOSTILE + "\n", encoding="utf-8")
    return load_repository(root), build(root)


def test_chunks_cover_every_item_once_in_order() -> None:
    assert chunks(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert chunks([], 3) == []


def test_plain_paragraphs_escape_everything() -> None:
    html = plain_paragraphs("第一段 <b>粗</b>\r\n\r\n\r\n第二段 & 完")
    assert html == "<p>第一段 &lt;b&gt;粗&lt;/b&gt;</p>\n<p>第二段 &amp; 完</p>\n"


def test_volumes_hold_each_record_once_oldest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_archive, "ISSUES_PER_VOLUME", 2)
    monkeypatch.setattr(search_archive, "MEETINGS_PER_VOLUME", 3)
    repo = load_repository(PROJECT)
    every = list(volumes(SiteContext.for_root(repo)))
    issues = [v for v in every if v.kind == "issues"]
    meetings = [v for v in every if v.kind == "meetings"]
    held = [r.id for v in issues for r in v.records]
    assert sorted(held) == sorted(repo.issues)
    assert sorted(r.id for v in meetings for r in v.records) == sorted(repo.meetings)
    assert all(len(v.records) <= 2 for v in issues) and all(len(v.records) <= 3 for v in meetings)
    for volume in issues:
        assert {r.category for r in volume.records} == {volume.group}  # type: ignore[union-attr]
        assert volume.url == f"archive/issues/{volume.group}/{volume.number}/"
    # Oldest first along a shelf, so a new issue only ever lands in the last volume and the
    # URL of every earlier volume keeps its records.
    for group in {v.group for v in issues}:
        shelf = [r for v in issues if v.group == group for r in v.records]
        keys = [(r.submitted, r.id) for r in shelf]  # type: ignore[union-attr]
        assert keys == sorted(keys)
        numbers = [v.number for v in issues if v.group == group]
        assert numbers == list(range(1, len(numbers) + 1))


def test_pagefind_indexes_the_volumes_only(built: tuple[Repository, Path]) -> None:
    repo, site = built
    volume_pages = sorted((site / "archive").glob("*/**/index.html"))
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert entry["languages"]["zh"]["page_count"] == len(volume_pages)
    assert len(list((site / "pagefind" / "fragment").iterdir())) == len(volume_pages)
    for record in (*repo.issues, *repo.meetings):
        kind = "issues" if record in repo.issues else "meetings"
        page = (site / kind / record / "index.html").read_text(encoding="utf-8")
        assert "data-pagefind-body" not in page


def test_every_record_is_in_one_volume_under_a_heading_linking_its_page(
    built: tuple[Repository, Path],
) -> None:
    repo, site = built
    seen: dict[str, Path] = {}
    for path in sorted((site / "archive").glob("*/**/index.html")):
        text = path.read_text(encoding="utf-8")
        assert text.count("data-pagefind-body") == 1
        page = read_page(path)
        for record_id, href in re.findall(r'<h2 id="([^"]+)"><a href="([^"]+)">', text):
            assert record_id not in seen, f"{record_id} in {seen.get(record_id)} and {path}"
            seen[record_id] = path
            target = resolve(site, path, href)
            assert target is not None and target[0].exists()
            kind = target[0].parent.parent.name
            assert target[0].parent.name == record_id and kind in {"issues", "meetings"}
            assert record_id in (repo.issues if kind == "issues" else repo.meetings)
        # Volumes chain to each other and to the contents.
        for href in page.links:
            resolved = resolve(site, path, href)
            assert resolved is None or resolved[0].exists(), href
    assert set(seen) == set(repo.issues) | set(repo.meetings)


def test_volumes_carry_the_residents_words_escaped(built: tuple[Repository, Path]) -> None:
    repo, site = built
    hostile = next(i for i, loaded in repo.issues.items() if HOSTILE in loaded.body)
    category = repo.issues[hostile].record.category
    text = "".join(p.read_text(encoding="utf-8")
                   for p in (site / "archive" / "issues" / category).glob("*/index.html"))
    assert "&lt;img src=x onerror=" in text and "&lt;script&gt;alert(2)" in text
    assert "<script>alert(2)" not in text and "<img src=x" not in text
    # The resident's own words are there to be found; the status badge is not indexed.
    first_line = repo.issues[hostile].body.strip().splitlines()[0][:20]
    assert first_line in text
    assert re.search(r"<span data-pagefind-ignore><span class=\"yi-badge", text)


def test_contents_link_the_first_and_latest_volume_of_every_shelf(
    built: tuple[Repository, Path],
) -> None:
    repo, site = built
    assert repo.council is not None
    contents = read_page(site / "archive" / "index.html")
    targets = {resolve(site, contents.path, href)[0] for href in contents.links  # type: ignore[index]
               if resolve(site, contents.path, href)}
    categories = {loaded.record.category for loaded in repo.issues.values()}
    for category in categories:
        assert site / "archive" / "issues" / category / "1" / "index.html" in targets
    assert site / "archive" / "meetings" / "1" / "index.html" in targets
    assert "data-pagefind-body" not in contents.path.read_text(encoding="utf-8")
