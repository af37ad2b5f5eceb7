"""Cached templates receive only what their key covers, and the verify mode proves it: with
``YISHI_VERIFY_PAGE_CACHE=1`` every page read from the cache is rendered again and the
build fails on a difference. Run over the demo and a synthetic council."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from jinja2 import UndefinedError

from site_support import copy_demo, git
from yishi.loading import load_repository
from yishi.site.context import SiteContext
from yishi.site.page_cache import SUFFIX, VERIFY_ENV, fingerprint
from yishi.site.record_pages import issue_call, meeting_call
from yishi.site.render import TemplateCall
from yishi.site.search_archive import volume_call, volumes
from yishi.synthetic import write_synthetic_repository

ISSUE = "2023-0403-k7qm"


def _build(root: Path, site: Path, *, verify: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", VERIFY_ENV: "1" if verify else "0"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml"),
         "-d", str(site)], capture_output=True, text=True, cwd=root, env=env)


def _reused(log: str) -> tuple[int, int]:
    found = re.search(r"Page cache: (\d+) of (\d+) pages", log)
    assert found, log
    return int(found[1]), int(found[2])


def _demo(path: Path, **options: str) -> Path:
    root = copy_demo(path, **options)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "content")
    git(root, "commit", "-q", "-m", "记录")
    return root


@pytest.mark.parametrize("jobs", ["0", "1"])
def test_verified_warm_build_of_the_demo(tmp_path: Path, jobs: str) -> None:
    root = _demo(tmp_path / "repo", jobs=jobs)
    cold = _build(root, tmp_path / "cold", verify=True)
    assert cold.returncode == 0, cold.stderr
    warm = _build(root, tmp_path / "warm", verify=True)
    assert warm.returncode == 0, warm.stderr
    reused, total = _reused(warm.stderr)
    assert reused == total > 40


def test_verified_warm_build_of_a_synthetic_council(tmp_path: Path) -> None:
    root = tmp_path / "synthetic"
    write_synthetic_repository(root, 120, seed=5, git=True)
    assert _build(root, tmp_path / "cold", verify=True).returncode == 0
    warm = _build(root, tmp_path / "warm", verify=True)
    assert warm.returncode == 0, warm.stderr
    reused, total = _reused(warm.stderr)
    assert reused == total > 120


def test_verify_mode_fails_the_build_on_a_stale_entry(tmp_path: Path) -> None:
    """An entry that no longer matches its page (as a key missing an input would leave it)
    is served silently without verify, and fails the build with it, naming the page."""
    root = _demo(tmp_path / "repo")
    assert _build(root, tmp_path / "cold", verify=False).returncode == 0
    entries = sorted((root / ".cache" / "yishi").glob(f"*/*{SUFFIX}"))
    stale = next(e for e in entries if ISSUE in zlib.decompress(e.read_bytes()).decode())
    page = zlib.decompress(stale.read_bytes()).decode()
    stale.write_bytes(zlib.compress(page.replace("楼道小广告", "过时的标题", 1).encode()))
    served = _build(root, tmp_path / "unverified", verify=False)
    assert served.returncode == 0
    failed = _build(root, tmp_path / "verified", verify=True)
    assert failed.returncode != 0
    assert "页面缓存过期：" in failed.stderr and "stale page cache" in failed.stderr
    assert "Traceback" not in failed.stderr


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> SiteContext:
    root = copy_demo(tmp_path_factory.mktemp("demo") / "repo")
    return SiteContext(load_repository(root), built_at=dt.datetime(2027, 1, 10, tzinfo=dt.UTC))


def _calls(ctx: SiteContext) -> list[TemplateCall]:
    return ([issue_call(ctx, loaded) for loaded in ctx.repo.issues.values()]
            + [meeting_call(ctx, loaded) for loaded in ctx.repo.meetings.values()]
            + [volume_call(ctx, volume) for volume in volumes(ctx)])


def test_cached_templates_get_no_context_council_or_date(ctx: SiteContext) -> None:
    for call in _calls(ctx):
        assert not {"ctx", "council", "today"} & set(call.values), call.template
        fingerprint(call.values)  # every value can be spelt out exactly
        assert call.render()


def test_a_cached_template_that_reads_more_than_its_values_fails(ctx: SiteContext) -> None:
    """Templates are strict: a name not among the values is an error, never a blank."""
    call = issue_call(ctx, ctx.repo.issues[ISSUE])
    for name in ("communities", "overdue", "issue"):
        fewer = {key: value for key, value in call.values.items() if key != name}
        with pytest.raises(UndefinedError, match=name):
            TemplateCall(call.template, call.here, fewer).render()


@pytest.mark.parametrize("value", [object(), {"ctx": None, "x": object()}])
def test_a_key_refuses_what_it_cannot_spell_out(value: object) -> None:
    with pytest.raises(TypeError, match="cached template cannot be given"):
        fingerprint(value)


def test_the_key_follows_every_value(ctx: SiteContext) -> None:
    call = issue_call(ctx, ctx.repo.issues[ISSUE])
    for name in call.values:
        changed = dict(call.values)
        changed[name] = "changed"
        assert TemplateCall(call.template, call.here, changed).inputs() != call.inputs(), name
