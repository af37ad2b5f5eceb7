"""Builds without full history: a shallow clone (CI's default) and a folder outside git."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest

from opendata_repo import DONE, build, commit, make_repo

ISSUE_PAGE = f"issues/{DONE}/index.html"


@dataclass
class Sites:
    shallow: Path
    plain: Path


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Sites:
    base = tmp_path_factory.mktemp("opendata-shallow")
    repo = make_repo(base / "repo")
    record = repo / f"content/issues/{DONE}.md"
    record.write_text(record.read_text(encoding="utf-8").replace("整个楼道", "楼道"),
                      encoding="utf-8")
    commit(repo, "Edit the outcome", "2023-06-02T18:05:00+08:00")
    clone = base / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(clone)],
                   check=True, capture_output=True)
    plain = make_repo(base / "plain", init_git=False)
    return Sites(build(clone, base / "shallow-site"), build(plain, base / "plain-site"))


def test_shallow_clone_builds_and_says_the_history_is_incomplete(sites: Sites) -> None:
    issues = json.loads((sites.shallow / "data/issues.json").read_text(encoding="utf-8"))
    assert issues["history_complete"] is False
    done = next(i for i in issues["issues"] if i["id"] == DONE)
    assert done["history_complete"] is False
    assert [c["subject"] for c in done["history"]] == ["Edit the outcome"]
    page = (sites.shallow / ISSUE_PAGE).read_text(encoding="utf-8")
    assert "yi-history-incomplete" in page and "修改记录不完整" in page
    assert "浅克隆" in (sites.shallow / "data/index.html").read_text(encoding="utf-8")


def test_outside_git_the_site_builds_without_history(sites: Sites) -> None:
    issues = json.loads((sites.plain / "data/issues.json").read_text(encoding="utf-8"))
    assert issues["commit"] is None
    done = next(i for i in issues["issues"] if i["id"] == DONE)
    assert done["history"] == [] and done["last_changed"] is None
    page = (sites.plain / ISSUE_PAGE).read_text(encoding="utf-8")
    assert "本站不是从 git 仓库构建的" in page and 'id="cite"' in page
    assert "最后修改" not in page


def test_without_site_url_links_are_relative_and_resolve(sites: Sites) -> None:
    issues = json.loads((sites.plain / "data/issues.json").read_text(encoding="utf-8"))
    assert {i["url"] for i in issues["issues"]} >= {f"issues/{DONE}/"}
    for path in ("feed.xml", "communities/shengye/feed.xml"):
        feed = feedparser.parse((sites.plain / path).read_bytes())
        assert not feed.bozo and feed.entries
        for entry in feed.entries:
            # Relative links resolve against the feed's own location to a real page.
            target = urljoin(f"http://site.test/{path}", entry.link).removeprefix("http://site.test/")
            assert (sites.plain / target.partition("#")[0] / "index.html").exists(), entry.link
            assert entry.id.startswith("tag:yishi.invalid,")
