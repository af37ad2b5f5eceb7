"""Publishing records repositories for the integrity tests: fresh clones, real builds
that read a previous ledger."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from opendata_repo import MEETING

MEETING_FILE = f"content/meetings/{MEETING}.md"


def publish(origin: Path, name: str, base: Path, ledger: str | None,
            cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Clone ``origin`` (all history, like CI) and build it; the finished process."""
    clone = base / f"{name}-clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True,
                   capture_output=True)
    if cache is not None:
        config = clone / "mkdocs.yml"
        config.write_text(config.read_text(encoding="utf-8").replace(
            "  - yishi:\n", f"  - yishi:\n      cache_dir: {str(cache)!r}\n"), encoding="utf-8")
    return build(clone, base / name, ledger)


def build(root: Path, site: Path, ledger: str | None) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``root`` reading the previous ledger ``ledger`` (or none)."""
    env = {k: v for k, v in os.environ.items() if k != "YISHI_PREVIOUS_LEDGER"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if ledger is not None:
        env["YISHI_PREVIOUS_LEDGER"] = ledger
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml"),
         "-d", str(site)], capture_output=True, text=True, env=env, timeout=300)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    """The build's log, after asserting that it succeeded."""
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stderr


def ledger_of(site: Path) -> dict[str, Any]:
    """The ledger a built site publishes."""
    data: dict[str, Any] = json.loads((site / "data/publications.json").read_text("utf-8"))
    return data


def edit(repo: Path, path: str, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) with ``new`` in a file of ``repo``."""
    file = repo / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")
