"""Pages and data files rendered by worker processes are the ones the build process would
render itself: a build with workers equals a build without, file for file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from site_support import add_hook, copy_demo, git, site_files


def _build(root: Path, jobs: int, site: Path) -> str:
    config = root / "mkdocs.yml"
    text = re.sub(r"\n      jobs: \d+", "", config.read_text(encoding="utf-8"))
    config.write_text(text.replace("  - yishi:\n", f"  - yishi:\n      jobs: {jobs}\n", 1),
                      encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)],
        capture_output=True, text=True, cwd=root, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_a_build_with_workers_equals_a_build_without(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "content")
    git(root, "commit", "-q", "-m", "记录")
    serial_log = _build(root, 1, tmp_path / "serial")
    parallel_log = _build(root, 2, tmp_path / "parallel")
    assert "worker processes" not in serial_log
    assert "Rendering generated pages on 2 worker processes" in parallel_log
    serial, parallel = site_files(tmp_path / "serial"), site_files(tmp_path / "parallel")
    assert serial.keys() == parallel.keys()
    # Record pages with their history and cite blocks, lists, and the exports.
    assert {"issues/2023-0403-k7qm/index.html", "meetings/2023-0418-sy01/index.html",
            "data/issues.json", "feed.xml"} <= serial.keys()
    assert b"<generated>" in serial["data/issues.json"]
    different = [path for path in serial if serial[path] != parallel[path]]
    assert different == []


def test_mkdocs_writes_every_page_and_other_plugins_see_them(tmp_path: Path) -> None:
    """The workers render bodies only: MkDocs puts them into the theme, runs every plugin's
    page events and writes each page, so its log is left as it is (nothing skipped)."""
    root = copy_demo(tmp_path / "repo")
    log = _build(root, 2, tmp_path / "quiet")
    assert "worker processes" in log and "Page skipped" not in log
    written = site_files(tmp_path / "quiet")
    assert b"<h1" in written["issues/2023-0403-k7qm/index.html"]

    # A hook on the finished page sees every generated page.
    add_hook(root, (
        "def on_post_page(output, page, config):\n"
        "    return output.replace('</body>', '<!-- seen --></body>', 1)\n"
    ))
    log = _build(root, 2, tmp_path / "hooked")
    assert "worker processes" in log and "Page skipped" not in log
    hooked = site_files(tmp_path / "hooked")
    for path in ("issues/2023-0403-k7qm/index.html", "meetings/2023-0418-sy01/index.html",
                 "index.html", "archive/index.html"):
        assert hooked[path] == written[path].replace(b"</body>", b"<!-- seen --></body>", 1)
