"""Figure 1, build cost: ``mkdocs build`` of the full Yishi site against plain MkDocs +
Material building the same pages, at each N.

    .venv/bin/python -m bench.build --sizes 1000,5000,20000
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .baseline import write_baseline
from .common import (
    DEFAULT_SIZES,
    RESULTS,
    Measured,
    git_commit,
    mkdocs_build,
    parse_sizes,
    prepare_council,
    table,
    write_result,
)

#: Where the plugin keeps rendered pages between builds (its ``cache_dir`` default).
CACHE_DIR = ".cache/yishi"


def build_sites(work: Path, issues: int, seed: int, git: bool = True) -> dict[str, Any]:
    """Build the Yishi site and the baseline of one synthetic council; their measurements."""
    repo = prepare_council(work, issues, seed, git=git)
    base = repo.parent / "baseline"
    if base.exists():
        shutil.rmtree(base)
    pages = write_baseline(repo, base)
    logs = repo.parent / "logs"
    # The baseline first: the OS's file cache then holds the records for both builds alike.
    baseline = mkdocs_build(base / "mkdocs.yml", base / "site", logs / "baseline.log")
    # Cold: no page cache from an earlier build (as on a CI runner without a restored one).
    shutil.rmtree(repo / CACHE_DIR, ignore_errors=True)
    yishi = mkdocs_build(repo / "mkdocs.yml", repo.parent / "site", logs / "yishi.log")
    (repo.parent / "site.stamp").write_text(git_commit(), encoding="utf-8")
    warm = warm_build(repo, logs / "yishi-warm.log") if git else None
    meetings = len(list((repo / "content" / "meetings").glob("*.md")))
    return {
        "issues": issues, "meetings": meetings, "baseline_pages": pages,
        "yishi": yishi, "baseline": baseline, "yishi_warm": warm,
        "yishi_warm_ms_per_issue": 1000 * warm.seconds / issues if warm else None,
        "yishi_ms_per_issue": 1000 * yishi.seconds / issues,
        "baseline_ms_per_issue": 1000 * baseline.seconds / issues,
        "yishi_cpu_ms_per_issue": 1000 * yishi.cpu_seconds / issues,
        "baseline_cpu_ms_per_issue": 1000 * baseline.cpu_seconds / issues,
        "ratio": yishi.seconds / baseline.seconds,
        "cpu_ratio": yishi.cpu_seconds / baseline.cpu_seconds,
    }


@contextmanager
def one_issue_changed(repo: Path) -> Iterator[None]:
    """A merge that changed one issue, committed for the block and undone after it, so the
    council stays as generated."""
    issue = sorted((repo / "content" / "issues").glob("*.md"))[0]
    with issue.open("a", encoding="utf-8") as out:
        out.write("\n补充:物业已回复,下周复查。\n")
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    # Merged a day after the records' last change, as on a council's site (not within the
    # same minute, which would hide pages whose "last changed" follows every merge).
    head = subprocess.run([*git, "log", "-1", "--format=%ct"], check=True,
                          capture_output=True, text=True).stdout.strip()
    merged = f"@{int(head) + 86_400} +0800"
    env = {**os.environ, "GIT_AUTHOR_DATE": merged, "GIT_COMMITTER_DATE": merged}
    subprocess.run([*git, "commit", "-q", "-am", "补充一条提案的说明"], check=True, env=env)
    try:
        yield
    finally:
        subprocess.run([*git, "reset", "-q", "--hard", "HEAD~1"], check=True)


def warm_build(repo: Path, log: Path) -> Measured:
    """The build after a merge that changed one issue, with the page cache of the build
    before it."""
    with one_issue_changed(repo):
        return mkdocs_build(repo / "mkdocs.yml", repo.parent / "site-warm", log)


def growth(runs: list[dict[str, Any]], key: str, cpu: bool = False) -> float | None:
    """t(largest N) / t(smallest N) for one of the two builds (wall or CPU time)."""
    if len(runs) < 2:
        return None
    last, first = runs[-1][key], runs[0][key]
    return float(last.cpu_seconds / first.cpu_seconds if cpu else last.seconds / first.seconds)


@click.command()
@click.option("--sizes", default=",".join(map(str, DEFAULT_SIZES)), show_default=True,
              help="Comma-separated numbers of issues.")
@click.option("--seed", default=0, show_default=True)
@click.option("--work", type=click.Path(file_okay=False, path_type=Path),
              default=RESULTS / "work", show_default=True, help="Where councils and sites go.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=RESULTS,
              show_default=True, help="Where build.json goes.")
@click.option("--git/--no-git", default=True, show_default=True,
              help="Make each council a git repository, as on CI.")
def main(sizes: str, seed: int, work: Path, out: Path, git: bool) -> None:
    """Time and peak memory of the Yishi build against the plain-MkDocs baseline."""
    runs = []
    for n in parse_sizes(sizes):
        click.echo(f"N={n}: generating and building …", err=True)
        runs.append(build_sites(work, n, seed, git))
    rows = [[r["issues"], r["yishi"].seconds, r["yishi"].cpu_seconds, r["yishi_ms_per_issue"],
             r["yishi"].peak_mb, r["baseline"].seconds, r["baseline"].cpu_seconds,
             r["baseline_ms_per_issue"], r["baseline"].peak_mb, r["ratio"], r["cpu_ratio"]]
            for r in runs]
    click.echo(table(["issues", "yishi s", "yishi cpu s", "yishi ms/issue", "yishi MB",
                      "base s", "base cpu s", "base ms/issue", "base MB", "ratio",
                      "cpu ratio"], rows))
    warm = [[r["issues"], r["yishi_warm"].seconds, r["yishi_warm"].cpu_seconds,
             r["yishi_warm_ms_per_issue"], r["yishi_warm"].seconds / r["yishi"].seconds]
            for r in runs if r["yishi_warm"]]
    if warm:
        click.echo("\nafter a merge that changed one issue, with the page cache:")
        click.echo(table(["issues", "yishi s", "yishi cpu s", "yishi ms/issue",
                          "warm/cold"], warm))
    growths = {f"{key}{'_cpu' if cpu else ''}": growth(runs, key, cpu)
               for key in ("yishi", "baseline") for cpu in (False, True)}
    if len(runs) > 1:
        span = runs[-1]["issues"] / runs[0]["issues"]
        click.echo(f"growth t({runs[-1]['issues']})/t({runs[0]['issues']}) for {span:g}× the "
                   "issues: " + ", ".join(f"{k} {v:.1f}" for k, v in growths.items() if v))
    path = write_result("build", {"seed": seed, "git": git, "runs": runs, "growth": growths}, out)
    click.echo(f"wrote {path}", err=True)


if __name__ == "__main__":
    main()
