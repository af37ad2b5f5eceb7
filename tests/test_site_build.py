"""End to end: a real ``mkdocs build --strict`` of the demo records, read back as HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from site_support import build, copy_demo, follow_pages, html_pages, page_file, read_page, resolve
from yishi.lifecycle import LIST_OF_STATUS, PublicList, Status
from yishi.loading import Repository, load_repository
from yishi.metrics import Figure, compute_metrics
from yishi.records import Issue

#: Small pages, so every list of the 15-odd demo issues is paginated.
PER_PAGE = 4


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repository, Path]:
    root = copy_demo(tmp_path_factory.mktemp("demo"), per_page=PER_PAGE)
    site = build(root)
    return load_repository(root), site


def newest_first(issues: list[Issue]) -> list[str]:
    return [i.id for i in sorted(issues, key=lambda i: (i.submitted, i.id), reverse=True)]


def test_every_issue_and_meeting_has_its_page(demo: tuple[Repository, Path]) -> None:
    repo, site = demo
    assert repo.issues and repo.meetings
    for issue_id, loaded in repo.issues.items():
        page = read_page(page_file(site, f"issues/{issue_id}/"))
        assert page.h1 == loaded.record.title
        assert issue_id in page.text
    for meeting_id, loaded in repo.meetings.items():
        page = read_page(page_file(site, f"meetings/{meeting_id}/"))
        assert page.h1 == loaded.record.title
        # Every agenda item is anchored by its issue id.
        assert {item.issue for item in loaded.record.agenda} <= page.ids


def test_every_decision_links_to_its_agenda_item(demo: tuple[Repository, Path]) -> None:
    repo, site = demo
    decided = 0
    for issue_id in repo.issues:
        ref = repo.decision(issue_id)
        if ref is None:
            continue
        decided += 1
        page = read_page(page_file(site, f"issues/{issue_id}/"))
        href = f"../../meetings/{ref.meeting.id}/#{issue_id}"
        assert href in page.links
        resolved = resolve(site, page.path, href)
        assert resolved is not None
        target, fragment = resolved
        assert fragment in read_page(target).ids
        assert ref.item.decision and ref.item.decision in page.text
    assert decided > 0


def test_every_internal_link_and_anchor_resolves(demo: tuple[Repository, Path]) -> None:
    _, site = demo
    cache: dict[Path, set[str]] = {}
    broken = []
    for path in html_pages(site):
        page = read_page(path)
        for href in page.links:
            resolved = resolve(site, path, href)
            if resolved is None:
                continue
            target, fragment = resolved
            if not target.exists():
                broken.append(f"{path.relative_to(site)} → {href}")
                continue
            if fragment and target.suffix == ".html":
                ids = cache.setdefault(target, read_page(target).ids)
                if fragment not in ids:
                    broken.append(f"{path.relative_to(site)} → {href} (no anchor)")
    assert broken == []


def facet_lists(repo: Repository) -> dict[str, list[Issue]]:
    issues = [loaded.record for loaded in repo.issues.values()]
    assert repo.council is not None
    lists: dict[str, list[Issue]] = {"issues/": issues}
    for status in Status:
        lists[f"issues/status/{status.value}/"] = [i for i in issues if i.status is status]
    for community in repo.council.communities:
        lists[f"communities/{community.slug}/"] = [i for i in issues if i.community == community.slug]
    for category in repo.council.categories:
        lists[f"categories/{category.slug}/"] = [i for i in issues if i.category == category.slug]
    for public_list in PublicList:
        lists[f"lists/{public_list.value}/"] = [
            i for i in issues if LIST_OF_STATUS.get(i.status) is public_list
        ]
    return lists


def test_list_and_facet_pages_hold_exactly_their_issues(demo: tuple[Repository, Path]) -> None:
    repo, site = demo
    paginated = 0
    for url, expected in facet_lists(repo).items():
        pages = follow_pages(site, url)
        rows = [row for page in pages for row in page.rows]
        assert rows == newest_first(expected), url
        assert all(len(page.rows) <= PER_PAGE for page in pages), url
        assert len(pages) == max(1, -(-len(expected) // PER_PAGE)), url
        paginated += len(pages) > 1
    assert paginated >= 3  # the fixture exercises pagination


def test_meetings_list_holds_every_meeting(demo: tuple[Repository, Path]) -> None:
    repo, site = demo
    pages = follow_pages(site, "meetings/")
    listed = set()
    for page in pages:
        for href in page.links:
            resolved = resolve(site, page.path, href)
            if resolved and resolved[0].parent.name in repo.meetings:
                listed.add(resolved[0].parent.name)
    assert listed == set(repo.meetings)
    assert len(pages) == max(1, -(-len(repo.meetings) // PER_PAGE))


def test_home_counts_equal_the_records(demo: tuple[Repository, Path]) -> None:
    repo, site = demo
    page = read_page(page_file(site, ""))
    assert page.counts["yi-total"] == len(repo.issues)
    assert page.counts["yi-meetings-total"] == len(repo.meetings)
    statuses = [loaded.record.status for loaded in repo.issues.values()]
    for status in set(statuses):
        href = f"issues/status/{status.value}/"
        assert href in page.links
    text = (site / "index.html").read_text(encoding="utf-8")
    for status in set(statuses):
        snippet = f'data-status="{status.value}">'
        assert snippet in text
        count = statuses.count(status)
        assert f'<strong data-count="{count}">{count}</strong>' in text.split(snippet, 1)[1][:200]
    assert "submit/" in page.links


def test_stats_figures_equal_the_metrics(demo: tuple[Repository, Path]) -> None:
    repo, site = demo
    assert repo.council is not None
    page = read_page(page_file(site, "stats/"))
    assert page.counts["yi-total"] == len(repo.issues)
    text = (site / "stats" / "index.html").read_text(encoding="utf-8")
    for status in Status:
        count = sum(1 for loaded in repo.issues.values() if loaded.record.status is status)
        assert f'<tr data-status="{status.value}">' in text
        row = text.split(f'<tr data-status="{status.value}">', 1)[1].split("</tr>", 1)[0]
        assert f'data-count="{count}"' in row
    today = repo.require_council().today()
    metrics = compute_metrics(repo, today)
    for key, metric in metrics.overall.items():
        if isinstance(metric, Figure):
            row = text.split(f'<tr data-metric="{key}">', 1)[1].split("</tr>", 1)[0]
            assert f"{metric.numerator} / {metric.denominator}" in row
            assert metric.percent in row
        assert f'id="{key}"' in text  # every metric is defined on the page
    assert "<svg" in text and "cdn" not in text.lower()


def test_records_stay_out_of_the_navigation(demo: tuple[Repository, Path]) -> None:
    repo, site = demo
    nav_titles = ["首页", "提案", "议事会", "清单", "统计", "提交提案", "查询办理进度", "关于"]
    for url in ("", f"issues/{next(iter(repo.issues))}/", f"meetings/{next(iter(repo.meetings))}/"):
        text = page_file(site, url).read_text(encoding="utf-8")
        tabs = text.split('class="md-tabs__list"', 1)[1].split("</ul>", 1)[0]
        positions = [tabs.find(title) for title in nav_titles]
        assert -1 not in positions and positions == sorted(positions), url
        nav = text.split("md-nav--primary", 1)[1].split('class="md-content"', 1)[0]
        assert not any(issue_id in nav for issue_id in repo.issues)
        # Material shows a front-matter `status` as a badge; records never set it.
        assert "md-status" not in text


def test_search_index_is_built_for_chinese(demo: tuple[Repository, Path]) -> None:
    _, site = demo
    entry = (site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8")
    assert '"zh' in entry
    assert (site / "search" / "index.html").exists()
    # Pagefind indexes the archive's volumes (see test_site_search_archive.py), not records.
    issue = next(p for p in (site / "issues").iterdir() if p.name[:4].isdigit())
    assert "data-pagefind-body" not in (issue / "index.html").read_text(encoding="utf-8")
    volume = next((site / "archive" / "issues").glob("*/1/index.html"))
    assert "data-pagefind-body" in volume.read_text(encoding="utf-8")


def test_submit_form_follows_the_intake_contract(demo: tuple[Repository, Path]) -> None:
    repo, site = demo
    assert repo.council is not None
    page = read_page(page_file(site, "submit/"))
    form = next(a for tag, a in page.elements if tag == "form" and a.get("id") == "proposal-form")
    assert form["action"] == "http://127.0.0.1:8321/api/submissions"
    assert form["method"] == "post" and form["enctype"] == "multipart/form-data"
    fields = {a.get("name"): (tag, a) for tag, a in page.elements if a.get("name")}
    for name in ("title", "description", "community", "category", "kind", "cosigners",
                 "organization", "location", "name", "contact", "notify", "consent", "photo", "token",
                 "website"):
        assert name in fields, name
    assert fields["consent"][1]["value"] == "yes"
    assert fields["photo"][1]["accept"] == "image/*" and "multiple" in fields["photo"][1]
    honeypot = fields["website"][1]
    assert honeypot["tabindex"] == "-1" and honeypot["autocomplete"] == "off"
    options = {a["value"] for tag, a in page.elements if tag == "option" and a.get("value")}
    assert set(repo.council.community_names) <= options
    assert set(repo.council.category_names) <= options
    assert "http://127.0.0.1:8321/submit" in page.links


def test_pages_load_nothing_from_third_parties(demo: tuple[Repository, Path]) -> None:
    # No CDN, no web fonts: residents' browsers talk to the site (and the intake) only.
    _, site = demo
    for url in ("", "stats/", "search/", "submit/", f"issues/{next(iter(demo[0].issues))}/"):
        page = read_page(page_file(site, url))
        loaded = [a.get("src") or a.get("href", "") for tag, a in page.elements
                  if tag == "script" or (tag == "link" and a.get("rel") != "canonical")]
        assert not [u for u in loaded if u.startswith(("http:", "https:", "//"))], url


def test_community_pages_show_their_figures(demo: tuple[Repository, Path]) -> None:
    repo, site = demo
    assert repo.council is not None
    today = repo.require_council().today()
    metrics = compute_metrics(repo, today)
    for community in repo.council.communities:
        text = page_file(site, f"communities/{community.slug}/").read_text(encoding="utf-8")
        assert "&lt;" not in text.split('id="figures"', 1)[1].split('id="meetings"', 1)[0]
        figure = metrics.by_community[community.slug]["response_rate"]
        assert isinstance(figure, Figure)
        row = text.split('<tr data-metric="response_rate">', 1)[1].split("</tr>", 1)[0]
        assert f"{figure.numerator} / {figure.denominator}" in row


def test_no_page_shows_our_own_markup_as_text(demo: tuple[Repository, Path]) -> None:
    # HTML we build must never be escaped twice (the demo records hold no markup).
    _, site = demo
    for path in html_pages(site):
        text = read_page(path).text
        for tag in ("<div", "<table", "<svg", "<section", "<ul", "<a href"):
            assert tag not in text, (path.relative_to(site), tag)


def test_filter_data_holds_every_issue_and_each_communitys_share(
    demo: tuple[Repository, Path],
) -> None:
    repo, site = demo
    assert repo.council is not None
    everything = json.loads((site / "assets" / "issues.json").read_text(encoding="utf-8"))
    assert [row[0] for row in everything["rows"]] == newest_first(
        [loaded.record for loaded in repo.issues.values()])
    for community in repo.council.communities:
        shard = json.loads(
            (site / "assets" / "issues" / f"{community.slug}.json").read_text(encoding="utf-8"))
        assert [row[0] for row in shard["rows"]] == newest_first(
            [r.record for r in repo.issues.values() if r.record.community == community.slug])
