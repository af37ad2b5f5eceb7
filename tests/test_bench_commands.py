"""Each benchmark runs end to end at a tiny N and writes its table and JSON.

These prove the benchmarks work; they assert nothing about speed (figures live in
bench/README.md, measured on purpose, not on every test run).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def run_bench(module: str, *args: str) -> tuple[str, str]:
    """``python -m bench.<module> ARGS`` from the project root; its stdout and stderr."""
    done = subprocess.run([sys.executable, "-m", f"bench.{module}", *args], cwd=PROJECT,
                          capture_output=True, text=True, timeout=280, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout, done.stderr


def result(out: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
    assert data["benchmark"] == name and data["commit"] and data["machine"]["cores"]
    return data


@pytest.mark.slow
def test_build_bench_measures_yishi_and_the_baseline(tmp_path: Path) -> None:
    stdout, _ = run_bench("build", "--sizes", "10,20", "--work", str(tmp_path / "w"),
                          "--out", str(tmp_path))
    assert "cpu ratio" in stdout and "growth t(20)/t(10)" in stdout
    assert "after a merge that changed one issue" in stdout
    runs = result(tmp_path, "build")["runs"]
    assert [r["issues"] for r in runs] == [10, 20]
    for run in runs:
        assert run["yishi"]["seconds"] > 0 and run["baseline"]["seconds"] > 0
        assert run["yishi"]["peak_mb"] > 10 and run["baseline"]["peak_mb"] > 10
        assert run["ratio"] == pytest.approx(run["yishi"]["seconds"] / run["baseline"]["seconds"])
        assert run["yishi"]["cpu_seconds"] > 0 and run["cpu_ratio"] > 0
        assert run["yishi_warm"]["seconds"] > 0
    site = tmp_path / "w" / "n20-s0"
    # The warm build read all but the changed issue's pages from the cache of the cold one.
    warm_log = (site / "logs" / "yishi-warm.log").read_text(encoding="utf-8")
    reused, total = map(int, re.search(r"Page cache: (\d+) of (\d+)", warm_log).groups())
    # 20 issues and 2 meetings, and the archive volumes; the changed issue, its volume and
    # the pages that show its title are rendered again.
    assert total > 22 and total - 6 <= reused < total, warm_log
    cold_log = (site / "logs" / "yishi.log").read_text(encoding="utf-8")
    assert f"Page cache: 0 of {total} pages" in cold_log
    # Both sites really hold the same 20 issue pages.
    assert len(list((site / "site" / "issues").glob("*/index.html"))) == 20
    assert len(list((site / "baseline" / "site" / "issues").glob("*/index.html"))) == 20


@pytest.mark.slow
def test_ab_build_bench_interleaves_variants_cold_and_warm(tmp_path: Path) -> None:
    src = str(PROJECT / "src")
    stdout, stderr = run_bench("ab_build", "--sizes", "10", "--rounds", "2",
                               "--work", str(tmp_path / "w"), "--out", str(tmp_path),
                               "--variant", f"tree={src}",
                               "--variant", "theme-in-mkdocs=:mkdocs")
    assert "cold CPU s" in stdout and "theme-in-mkdocs" in stdout
    # Round 0 runs tree first, round 1 theme-in-mkdocs first.
    order = [line.split()[1] for line in stderr.splitlines() if line.startswith("10 ")]
    assert order == ["tree", "theme-in-mkdocs", "theme-in-mkdocs", "tree"]
    assert [r["variant"] for r in result(tmp_path, "ab_build")["runs"]] == order
    hooked = (tmp_path / "w" / "n10-s0" / "repo" / "mkdocs-ab-theme-in-mkdocs.yml")
    assert "ab_noop_hook.py" in hooked.read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.browser
def test_pages_bench_weighs_pages_and_a_search_in_chromium(tmp_path: Path) -> None:
    stdout, _ = run_bench("pages", "--sizes", "30", "--query", "小广告",
                          "--work", str(tmp_path / "w"), "--out", str(tmp_path))
    assert "小广告" in stdout
    (run,) = result(tmp_path, "pages")["runs"]
    assert run["largest_issue_page"]["bytes"] > 1000 and run["home_page_bytes"] > 1000
    (yishi,) = run["search"]["yishi"]
    (material,) = run["search"]["baseline"]
    # Pagefind fetched its index chunks; Material its whole index. Both found something.
    assert yishi["search_bytes"] > 10_000 and material["search_bytes"] > 1_000
    assert yishi["total_bytes"] > yishi["search_bytes"]
    assert yishi["results"] >= 1


@pytest.mark.slow
def test_intake_bench_loads_the_service_and_drains_to_the_standin(tmp_path: Path) -> None:
    stdout, _ = run_bench("intake", "--clients", "4", "--seconds", "2", "--drain-timeout", "30",
                          "--github-submissions", "2", "--work", str(tmp_path / "w"),
                          "--out", str(tmp_path))
    assert "accepted/s" in stdout and "GitHub stand-in" in stdout
    data = result(tmp_path, "intake")
    load, drain = data["load"], data["github_drain"]
    assert load["accepted"] > 0 and load["lost"] == 0
    assert load["unique_receipts"] == load["accepted"]
    assert load["statuses"] == {"202": load["accepted"]}
    assert load["post_p99_ms"] >= load["post_p50_ms"] > 0
    assert drain["submissions"] == 2 and drain["pull_requests"] == 2
    assert drain["content_requests_per_proposal"] > 0


def test_profile_bench_accounts_for_the_build_by_phase(tmp_path: Path) -> None:
    stdout, _ = run_bench("profile_build", "--issues", "15", "--work", str(tmp_path / "w"),
                          "--out", str(tmp_path))
    assert "plugins' on_files" in stdout
    data = result(tmp_path, "profile")
    for name in ("yishi", "baseline"):
        phases = data[name]["phases"]
        parts = sum(v for k, v in phases.items() if k != "total")
        assert parts == pytest.approx(phases["total"])
        assert phases["theme templates and writing pages"] > 0
    assert data["yishi"]["phases"]["plugins' on_files (load, check, generate)"] > 0


@pytest.mark.slow
def test_desk_bench_times_every_page_and_the_reload_after_a_commit(tmp_path: Path) -> None:
    stdout, _ = run_bench("desk", "--sizes", "30", "--requests", "2",
                          "--work", str(tmp_path / "w"), "--out", str(tmp_path))
    assert "first page after a commit" in stdout and "≤ 300 ms" in stdout
    (run,) = result(tmp_path, "desk")["runs"]
    assert run["issues"] == 30 and run["ready_seconds"] > 0
    assert {"待办 /", "proposal", "screening form", "meeting"} <= set(run["pages"])
    for page in run["pages"].values():
        assert page["max_ms"] >= page["p95_ms"] >= page["p50_ms"] > 0
    assert run["first_page_after_commit_ms"] > 0
