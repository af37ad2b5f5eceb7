"""The page cache never changes a byte of the site: after every kind of change a build that
reads pages from the cache equals a build without it, and it reuses exactly the pages whose
inputs did not change."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from site_support import add_hook, copy_demo, git, site_files
from yishi.loading import load_repository
from yishi.site.context import SiteContext, SiteSettings
from yishi.site.page_cache import PageCache, digest
from yishi.site.record_pages import issue_inputs, meeting_inputs

ISSUE = "2023-0403-k7qm"  # on the agenda of 2023-0418-sy01; 2023-0405-mq3d is merged into it
#: Pages that name their inputs: 19 issues, 12 meetings and 14 archive volumes.
CACHED_PAGES = 45


def _demo_repo(path: Path, **options: str) -> Path:
    root = copy_demo(path, **options)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "content")
    git(root, "commit", "-q", "-m", "记录")
    return root


def _set_cache(root: Path, enabled: bool) -> None:
    config = root / "mkdocs.yml"
    text = re.sub(r"\n      cache: \w+", "", config.read_text(encoding="utf-8"))
    text = text.replace("  - yishi:\n", f"  - yishi:\n      cache: {str(enabled).lower()}\n", 1)
    config.write_text(text, encoding="utf-8")


def _build(root: Path, site: Path, *, cache: bool = True,
           day: str | None = None) -> tuple[dict[str, bytes], str]:
    """A real ``mkdocs build`` (on ``day``, noon in Beijing); the site's files and log."""
    _set_cache(root, cache)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if day:
        noon = datetime.fromisoformat(f"{day}T12:00:00+08:00")
        env["SOURCE_DATE_EPOCH"] = str(int(noon.timestamp()))
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml"),
         "-d", str(site)],
        capture_output=True, text=True, cwd=root, env=env,
    )
    assert result.returncode == 0, result.stderr
    return site_files(site), result.stderr


def _reused(log: str) -> tuple[int, int]:
    found = re.search(r"Page cache: (\d+) of (\d+) pages", log)
    assert found, log
    return int(found[1]), int(found[2])


def _same(cached: dict[str, bytes], fresh: dict[str, bytes]) -> None:
    assert cached.keys() == fresh.keys()
    assert [path for path in fresh if cached[path] != fresh[path]] == []


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_cached_builds_equal_fresh_builds_through_a_series_of_changes(tmp_path: Path) -> None:
    root = _demo_repo(tmp_path / "repo")
    cold, log = _build(root, tmp_path / "cold")
    assert _reused(log) == (0, CACHED_PAGES)
    assert "worker processes" in log  # the workers render the bodies (two jobs or more)
    fresh, log = _build(root, tmp_path / "fresh", cache=False)
    assert "Page cache" not in log
    _same(cold, fresh)
    warm, log = _build(root, tmp_path / "warm")
    assert _reused(log) == (CACHED_PAGES, CACHED_PAGES)
    _same(warm, fresh)

    # A record changes (and with it its history): its page, the page of the issue merged
    # into it, the meeting that discussed it, their archive volume (both issues are in
    # one) and the meetings' volume that lists the agenda are rendered again; nothing else.
    _edit(root / "content" / "issues" / f"{ISSUE}.md", "希望集中清理", "希望尽快集中清理")
    git(root, "commit", "-q", "-am", "改标题")
    cached, log = _build(root, tmp_path / "after-edit")
    assert _reused(log) == (CACHED_PAGES - 5, CACHED_PAGES)
    _same(cached, _build(root, tmp_path / "after-edit-fresh", cache=False)[0])
    assert "希望尽快集中清理" in cached["meetings/2023-0418-sy01/index.html"].decode()
    assert "希望尽快集中清理" in cached["issues/2023-0405-mq3d/index.html"].decode()

    # A setting the theme shows on every page (the site's name in the header): the cache
    # holds bodies, which do not show it, so all are reused; MkDocs renders the theme anew.
    _edit(root / "mkdocs.yml", "site_name: 示范街道居民议事协商", "site_name: 示范街道议事协商")
    cached, log = _build(root, tmp_path / "after-config")
    assert _reused(log) == (CACHED_PAGES, CACHED_PAGES)
    assert "示范街道议事协商" in cached[f"issues/{ISSUE}/index.html"].decode()
    _same(cached, _build(root, tmp_path / "after-config-fresh", cache=False)[0])

    # The council's own name, which no cached page shows: the keys are derived from what
    # the templates receive, so every page is reused, and the site still equals a fresh one.
    _edit(root / "content" / "council.yml", "name: 示范街道居民议事协商委员会",
          "name: 示范街道议事协商委员会")
    cached, log = _build(root, tmp_path / "after-council")
    assert _reused(log) == (CACHED_PAGES, CACHED_PAGES)
    _same(cached, _build(root, tmp_path / "after-council-fresh", cache=False)[0])

    # The council's vocabularies (community names) reach every record page: nothing is reused.
    _edit(root / "content" / "council.yml", "name: 盛业家园社区", "name: 盛业家园")
    cached, log = _build(root, tmp_path / "after-community")
    assert _reused(log) == (0, CACHED_PAGES)
    _same(cached, _build(root, tmp_path / "after-community-fresh", cache=False)[0])


def test_pages_are_reused_on_another_day_with_that_days_cite_date(tmp_path: Path) -> None:
    """The build's date shows in the cite block (rendered anew in every build) and in the
    overdue marks of actions (part of the key): across days, a page is reused unless one of
    its actions fell due in between."""
    root = _demo_repo(tmp_path / "repo")
    _build(root, tmp_path / "jan", day="2027-01-10")
    cached, log = _build(root, tmp_path / "feb", day="2027-02-10")
    assert _reused(log) == (CACHED_PAGES, CACHED_PAGES)
    _same(cached, _build(root, tmp_path / "feb-fresh", cache=False, day="2027-02-10")[0])
    page = cached[f"issues/{ISSUE}/index.html"].decode()
    assert 'data-accessed="2027-02-10"' in page and "[2027-02-10]" in page
    assert "2027-01-10" not in page
    # 更换休闲凳 falls due on 2027-03-31: the meeting that decided it and its issue change.
    cached, log = _build(root, tmp_path / "apr", day="2027-04-10")
    assert _reused(log) == (CACHED_PAGES - 2, CACHED_PAGES)
    _same(cached, _build(root, tmp_path / "apr-fresh", cache=False, day="2027-04-10")[0])


def test_a_damaged_entry_is_rendered_again_and_old_entries_are_removed(tmp_path: Path) -> None:
    root = _demo_repo(tmp_path / "repo")
    _build(root, tmp_path / "first")
    entries = sorted((root / ".cache" / "yishi").glob("*/*.html.z"))
    assert len(entries) == CACHED_PAGES
    entries[0].write_bytes(b"not a page")
    stale = root / ".cache" / "yishi" / "00" / ("00" * 32 + ".html.z")
    stale.parent.mkdir(exist_ok=True)
    stale.write_bytes(b"left by an older build")
    cached, log = _build(root, tmp_path / "second")
    assert _reused(log) == (CACHED_PAGES - 1, CACHED_PAGES)
    assert "(1 old entries removed)" in log
    assert not stale.exists()
    _same(cached, _build(root, tmp_path / "fresh", cache=False)[0])


def test_in_one_process_the_cache_holds_bodies_and_changes_no_byte(tmp_path: Path) -> None:
    root = _demo_repo(tmp_path / "repo", jobs="1")
    _, log = _build(root, tmp_path / "cold")
    assert _reused(log) == (0, CACHED_PAGES) and "worker processes" not in log
    warm, log = _build(root, tmp_path / "warm")
    assert _reused(log) == (CACHED_PAGES, CACHED_PAGES)
    _same(warm, _build(root, tmp_path / "fresh", cache=False)[0])


def test_another_plugins_page_hook_sees_every_generated_page(tmp_path: Path) -> None:
    """A hook on page content sees each record's body (MkDocs renders the theme of every
    page), and the cache, holding bodies, still changes nothing."""
    root = _demo_repo(tmp_path / "repo")
    add_hook(root, (
        "def on_page_content(html, page, config, files):\n"
        "    return html.replace('</h1>', '</h1><p class=\"hooked\"></p>', 1)\n"
    ))
    _build(root, tmp_path / "cold")
    warm, log = _build(root, tmp_path / "warm")
    assert _reused(log) == (CACHED_PAGES, CACHED_PAGES)
    assert b'<p class="hooked"></p>' in warm[f"issues/{ISSUE}/index.html"]
    _same(warm, _build(root, tmp_path / "fresh", cache=False)[0])


# Unit level: what a record page's key covers.

def _context(root: Path, **changes: object) -> SiteContext:
    ctx = SiteContext.for_root(load_repository(root))
    for name, value in changes.items():
        setattr(ctx, name, value)
    return ctx


def test_an_issue_key_names_what_its_page_shows(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "repo")
    base = _context(root)
    keys = {rid: issue_inputs(base, base.repo.issues[rid]) for rid in base.repo.issues}

    def key_after(ctx: SiteContext, rid: str = ISSUE) -> str:
        return issue_inputs(ctx, ctx.repo.issues[rid])

    # The date reaches a key only through the overdue marks: the action 设置便民信息栏
    # (due 2023-05-15, not done) is on ISSUE's decision, whose meeting page marks it; ISSUE's
    # page does not list the decision's actions, so its key stays. The cite block's access
    # date is rendered in every build, after the cache (see the build test above).
    def on(day: str) -> SiteContext:
        return _context(root, built_at=datetime.fromisoformat(f"{day}T12:00:00+08:00"))

    def meeting_key(ctx: SiteContext) -> str:
        return meeting_inputs(ctx, ctx.repo.meetings["2023-0418-sy01"])

    assert meeting_key(on("2023-05-14")) != meeting_key(on("2023-05-16"))
    assert meeting_key(on("2023-05-16")) == meeting_key(on("2026-01-01"))
    assert key_after(on("2023-05-14")) == key_after(on("2023-05-16"))
    # The site's address is shown only by the cite block, rendered anew in every build (a
    # setting the page does show changes the key: see test_history_is_part_of_the_key).
    other_url = _context(root, settings=SiteSettings(site_url="https://example.org/"))
    assert key_after(other_url) == keys[ISSUE]
    # The same inputs give the same key.
    assert key_after(_context(root, built_at=base.built_at)) == keys[ISSUE]

    # The decision about the issue changes: the issue's key changes, unrelated ones not.
    _edit(root / "content" / "meetings" / "2023-0418-sy01.md", "abstain: 2, eligible: 19",
          "abstain: 1, eligible: 18")
    after = _context(root, built_at=base.built_at)
    assert key_after(after) != keys[ISSUE]
    unrelated = [rid for rid in keys if rid != ISSUE and not after.repo.references(rid)
                 and ISSUE not in (after.repo.issues[rid].record.related or [])
                 and after.repo.issues[rid].record.merged_into != ISSUE]
    assert unrelated and all(key_after(after, rid) == keys[rid] for rid in unrelated)

    # The issue merged into ISSUE shows ISSUE's title: its key follows ISSUE's record.
    _edit(root / "content" / "issues" / f"{ISSUE}.md", "希望集中清理", "希望尽快清理")
    renamed = _context(root, built_at=base.built_at)
    assert key_after(renamed, "2023-0405-mq3d") != key_after(after, "2023-0405-mq3d")


def test_a_meeting_key_follows_the_issues_on_its_agenda(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "repo")
    before = _context(root)
    meeting = before.repo.meetings["2023-0418-sy01"]
    _edit(root / "content" / "issues" / f"{ISSUE}.md", "希望集中清理", "希望尽快清理")
    after = _context(root, built_at=before.built_at)
    assert meeting_inputs(after, after.repo.meetings["2023-0418-sy01"]) != meeting_inputs(
        before, meeting)


def test_history_is_part_of_the_key(tmp_path: Path) -> None:
    root = _demo_repo(tmp_path / "repo")
    when = datetime(2026, 11, 24, 12, tzinfo=UTC)
    before = _context(root, built_at=when)
    key = issue_inputs(before, before.repo.issues[ISSUE])
    # The records' repository links each commit of the history: a setting the page shows.
    linked = _context(root, built_at=when,
                      settings=SiteSettings(repo_url="https://example.org/records"))
    assert issue_inputs(linked, linked.repo.issues[ISSUE]) != key
    _edit(root / "content" / "issues" / f"{ISSUE}.md", "希望集中清理", "希望尽快清理")
    git(root, "commit", "-q", "-am", "改标题")
    _edit(root / "content" / "issues" / f"{ISSUE}.md", "希望尽快清理", "希望集中清理")
    git(root, "commit", "-q", "-am", "改回标题")  # same text, two more commits
    after = _context(root, built_at=when)
    assert after.repo.issues[ISSUE].source.text == before.repo.issues[ISSUE].source.text
    assert issue_inputs(after, after.repo.issues[ISSUE]) != key


def test_digest_keeps_parts_apart() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("a") == digest(b"a")


def test_page_cache_round_trip_and_prune(tmp_path: Path) -> None:
    cache = PageCache(tmp_path / "cache")
    assert cache.get("ab" * 32) is None
    cache.put("ab" * 32, "<p>议事</p>")
    cache.put("cd" * 32, "<p>协商</p>")
    assert cache.get("ab" * 32) == "<p>议事</p>"
    assert cache.prune(["ab" * 32]) == 1
    assert cache.get("cd" * 32) is None and cache.get("ab" * 32) == "<p>议事</p>"
    assert list((tmp_path / "cache").rglob("*.tmp")) == []
