"""Publishing on real git repositories: the ledger grows, a force-pushed rewrite stops the
build, and the council's declaration publishes the notice instead.

The council's secretary commits in ``work`` and pushes to a bare ``origin``; every publish
is a fresh clone of ``origin`` (as CI checks out), built by a real ``mkdocs build`` that
reads the previous publication's ledger, from a file or from a loopback HTTP server.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from integrity_support import MEETING_FILE, edit, ledger_of, ok, publish
from opendata_repo import DONE, MEETING, PROJECT, commit, git, make_repo
from yishi.testing.static_site import serve_directory

FIRST_DECISION = "次日组织志愿者集中清理楼道小广告。"
DECISION = "次日组织党员和志愿者集中清理楼道小广告。"
AMENDED = "由物业在一周内清理楼道小广告。"
REASON = "决议文本录入时多写了一位居民的手机号,按个人信息保护要求从历史中删除。"


@dataclass
class History:
    """The sites of every publish in the story, and the commits that made them."""

    first: Path
    second: Path
    refused: subprocess.CompletedProcess[str]
    undeclared_local: Path
    declared: Path
    again: Path
    again_log: str
    decided: str  # the commit whose decision was amended away
    amended: str
    declaration: str


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    base = tmp_path_factory.mktemp("integrity")
    work = make_repo(base / "work")
    origin = base / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(origin)], check=True,
                   capture_output=True)
    git(work, "remote", "add", "origin", str(origin))

    first = base / "p1"
    ok(publish(origin, "p1", base, None))

    edit(work, MEETING_FILE, FIRST_DECISION, DECISION)
    decided = commit(work, "Record the decision", "2023-04-19T09:00:00+08:00")
    git(work, "push", "-q", "origin", "main")
    second = base / "p2"
    ok(publish(origin, "p2", base, str(first / "data/publications.json")))

    # The secretary amends the decision and force-pushes: the published commit vanishes.
    edit(work, MEETING_FILE, DECISION, AMENDED)
    git(work, "add", "-A")
    git(work, "commit", "-q", "--amend", "--no-edit")
    amended = git(work, "rev-parse", "HEAD")
    git(work, "push", "-q", "--force", "origin", "main")
    refused = publish(origin, "p3", base, str(second / "data/publications.json"))

    (work / "content/rewrites.yml").write_text(f"""\
rewrites:
  - date: 2023-04-20
    commits:
      - {decided}
    reason: {REASON}
    authorised_by: 盛业家园社区议事会、社区监督委员会
    meeting: {MEETING}
""", encoding="utf-8")
    declaration = commit(work, "Declare the rewrite of the decision", "2023-04-20T12:00:00+08:00")
    git(work, "push", "-q", "origin", "main")
    # One page cache across the next builds, as CI restores it: a page cached without the
    # notice (a build that read no ledger) must not be served once the notice applies.
    cache = base / "page-cache"
    ok(publish(origin, "p4-local", base, None, cache=cache))
    ok(publish(origin, "p4", base, str(second / "data/publications.json"), cache=cache))

    # The next publish reads the ledger from the live site, over HTTP.
    with serve_directory(base / "p4") as live:
        again_log = ok(publish(origin, "p5", base, f"{live}data/publications.json",
                               cache=cache))
    yield History(first, second, refused, base / "p4-local", base / "p4", base / "p5",
                  again_log, decided, amended, declaration)


def test_publishing_twice_grows_the_ledger(story: History) -> None:
    first, second = ledger_of(story.first), ledger_of(story.second)
    assert first["format"] == "yishi-publications/1"
    assert len(first["publications"]) == 1 and len(second["publications"]) == 2
    # Carried forward unchanged, then one entry for this publish.
    assert second["publications"][0] == first["publications"][0]
    entry = second["publications"][1]
    assert entry["commit"] == story.decided
    assert entry["changes"] == [{"commit": story.decided, "records": [MEETING_FILE]}]
    assert entry["counts"] == {"issues": 5, "meetings": 2}
    assert entry["history_complete"] is True and entry["vanished"] == []
    manifest = (story.second / "data/manifest.json").read_bytes()
    assert entry["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
    first_records = {path for change in first["publications"][0]["changes"]
                     for path in change["records"]}
    assert {f"content/issues/{DONE}.md", MEETING_FILE} <= first_records


def test_a_force_pushed_rewrite_stops_the_build(story: History) -> None:
    assert story.refused.returncode != 0
    message = story.refused.stderr
    assert "历史被改写" in message and "History rewritten" in message
    assert story.decided in message and MEETING_FILE in message
    assert "content/rewrites.yml" in message
    assert "Traceback" not in message
    # Nothing was published: the build stopped before writing the site.
    site = story.refused.args[story.refused.args.index("-d") + 1]
    assert not (Path(site) / "data/publications.json").exists()


def test_the_declared_rewrite_is_published_as_a_notice(story: History) -> None:
    notice = (story.declared / "data/rewrites/index.html").read_text(encoding="utf-8")
    assert REASON in notice and story.decided in notice
    assert f'id="rewrite-2023-04-20-{story.decided[:7]}"' in notice
    assert "盛业家园社区议事会" in notice
    # The vanished commit is listed with the record it changed, linked to its page.
    assert f'<tr id="{story.decided}"' in notice
    assert f'href="../../meetings/{MEETING}/"><code>{MEETING_FILE}</code>' in notice


def test_the_data_page_explains_how_to_verify_a_download(story: History) -> None:
    data = (story.declared / "data/index.html").read_text(encoding="utf-8")
    assert 'class="yi-rewrites-link" href="../data/rewrites/">历史改写公告</a>(共 1 次)' in data
    assert "gh attestation verify issues.json --repo" in data
    assert "/.github/workflows/publish.yml" in data
    assert "<code>/data/publications.json</code>" in data and "sha256sum issues.json" in data
    assert "Build provenance" in data and "only ever appended to" in data


def test_the_affected_record_page_says_so_and_links_the_notice(story: History) -> None:
    page = (story.declared / f"meetings/{MEETING}/index.html").read_text(encoding="utf-8")
    assert "此记录的历史被改写过" in page and story.decided[:7] in page
    assert f'href="../../data/rewrites/#rewrite-2023-04-20-{story.decided[:7]}"' in page
    assert REASON in page
    untouched = (story.declared / f"issues/{DONE}/index.html").read_text(encoding="utf-8")
    assert "此记录的历史被改写过" not in untouched


def test_a_page_cached_before_the_notice_is_not_reused(story: History) -> None:
    local = (story.undeclared_local / f"meetings/{MEETING}/index.html").read_text("utf-8")
    assert "此记录的历史被改写过" not in local  # no ledger, so nothing known vanished
    declared = (story.declared / f"meetings/{MEETING}/index.html").read_text("utf-8")
    assert "此记录的历史被改写过" in declared


def test_the_ledger_keeps_the_vanished_commit(story: History) -> None:
    ledger = ledger_of(story.declared)
    entries = ledger["publications"]
    assert entries[:2] == ledger_of(story.second)["publications"]
    assert entries[1]["commit"] == story.decided
    assert entries[2]["vanished"] == [story.decided]
    assert entries[2]["commit"] == story.declaration
    changed = {change["commit"] for change in entries[2]["changes"]}
    assert changed == {story.amended, story.declaration}


def test_the_next_publish_reads_the_live_ledger_over_http(story: History) -> None:
    ledger = ledger_of(story.again)
    assert len(ledger["publications"]) == 4
    assert ledger["publications"][:3] == ledger_of(story.declared)["publications"]
    # Disclosed once: the later entry does not repeat it, the notice stays.
    assert ledger["publications"][3]["vanished"] == []
    assert "History checked" in story.again_log and "declared vanished" in story.again_log
    page = (story.again / f"meetings/{MEETING}/index.html").read_text(encoding="utf-8")
    assert "此记录的历史被改写过" in page


def test_the_publish_workflow_attests_every_file_the_manifest_lists(story: History) -> None:
    """The attestation's subjects, as publish.yml names them, cover every download."""
    workflow = yaml.safe_load((PROJECT / ".github/workflows/publish.yml").read_text("utf-8"))
    [step] = [s for s in workflow["jobs"]["attest"]["steps"]
              if s.get("uses", "").startswith("actions/attest-build-provenance@")]
    attested: set[str] = set()
    for pattern in step["with"]["subject-path"].split():
        pattern = pattern.removeprefix("site/")
        # @actions/glob: a trailing ** matches every file below the folder.
        matches = story.declared.glob(pattern + "/*" if pattern.endswith("**") else pattern)
        attested |= {p.relative_to(story.declared).as_posix() for p in matches if p.is_file()}
    manifest = json.loads((story.declared / "data/manifest.json").read_text("utf-8"))
    listed = {entry["path"] for entry in manifest["files"]}
    assert listed and listed <= attested, listed - attested
    assert {"data/manifest.json", "data/publications.json", "data/rewrites/index.html"} <= attested
    assert len(attested) <= 1024
