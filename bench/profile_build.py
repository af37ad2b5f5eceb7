"""Figure 4, where the build time goes: one in-process ``mkdocs build`` with a stopwatch on
MkDocs' phases (and optionally cProfile), for the Yishi site and the baseline of one N.

    .venv/bin/python -m bench.profile_build --issues 5000 --cprofile
"""

from __future__ import annotations

import cProfile
import os
import pstats
import resource
import shutil
import time
from pathlib import Path
from typing import Any

import click
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.plugins import BasePlugin, event_priority

from .baseline import write_baseline
from .common import RESULTS, prepare_council, table, write_result


class _Stopwatch(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    """Records when each MkDocs event is first and last seen, at one priority.

    It hooks no event that sees a page's content, context or finished output: the Yishi
    plugin would then leave the theme (or the writing) to MkDocs and take another path.
    """

    def __init__(self, marks: dict[str, list[float]], tag: str) -> None:
        self.marks, self.tag = marks, tag

    def _mark(self, event: str) -> None:
        self.marks.setdefault(f"{event}:{self.tag}", []).append(time.perf_counter())


def _stopwatch(priority: int, marks: dict[str, list[float]], tag: str) -> _Stopwatch:
    """A stopwatch plugin whose handlers run at ``priority`` (100 first, -100 last)."""

    class Watch(_Stopwatch):  # type: ignore[no-untyped-call]
        @event_priority(priority)
        def on_files(self, files: Any, **kw: Any) -> Any:
            self._mark("files")
            return files

        @event_priority(priority)
        def on_page_markdown(self, markdown: str, **kw: Any) -> str:
            self._mark("page_markdown")
            return markdown

        @event_priority(priority)
        def on_env(self, env: Any, **kw: Any) -> Any:
            self._mark("env")
            return env

        @event_priority(priority)
        def on_post_build(self, **kw: Any) -> None:
            self._mark("post_build")

    return Watch(marks, tag)


def phases(marks: dict[str, list[float]], start: float, end: float) -> dict[str, float]:
    """Seconds per phase of a build, from the stopwatch marks."""
    first = {k: v[0] for k, v in marks.items()}
    last = {k: v[-1] for k, v in marks.items()}
    return {
        "config and file scan": first["files:early"] - start,
        "plugins' on_files (load, check, generate)": last["files:late"] - first["files:early"],
        "markdown and page content": first["env:early"] - last["files:late"],
        "theme templates and writing pages": first["post_build:early"] - first["env:early"],
        "plugins' on_post_build (data files, search index)": end - first["post_build:early"],
        "other": 0.0,
    }


def timed_build(config_file: Path, site_dir: Path, profile: Path | None) -> dict[str, float]:
    """Build once in this process; the phase timings (and a cProfile dump when asked)."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    cwd = Path.cwd()
    os.chdir(config_file.parent)
    try:
        config = load_config(str(config_file), site_dir=str(site_dir))
        marks: dict[str, list[float]] = {}
        config.plugins["bench-early"] = _stopwatch(100, marks, "early")
        config.plugins["bench-late"] = _stopwatch(-100, marks, "late")
        profiler = cProfile.Profile() if profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        build(config)
        if profiler:
            profiler.disable()
        end = time.perf_counter()
    finally:
        os.chdir(cwd)
    if profiler and profile:
        profiler.dump_stats(profile)
    result = phases(marks, start, end)
    result["other"] = (end - start) - sum(result.values())
    result["total"] = end - start
    return result


def peak_mb() -> dict[str, float]:
    """Peak RSS so far of this process and of its largest child (e.g. Pagefind), in MB."""
    return {"python": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "largest_child": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def by_package(profile: Path, top: int = 15) -> list[tuple[str, float]]:
    """Own time (tottime) summed per package or Yishi module, largest first."""
    stats = pstats.Stats(str(profile))
    totals: dict[str, float] = {}
    for (filename, _, function), row in stats.stats.items():  # type: ignore[attr-defined]
        own = row[2]
        if "site-packages/" in filename:
            key = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        elif "/yishi/" in filename:
            key = "yishi/" + filename.split("/yishi/", 1)[1]
        elif filename.startswith("~"):
            key = "subprocess wait" if "poll" in function else "builtins"
        else:
            key = "stdlib"
        totals[key] = totals.get(key, 0.0) + own
    return sorted(totals.items(), key=lambda kv: -kv[1])[:top]


@click.command()
@click.option("--issues", "-n", default=5000, show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--work", type=click.Path(file_okay=False, path_type=Path),
              default=RESULTS / "work", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=RESULTS,
              show_default=True)
@click.option("--cprofile", is_flag=True, help="Also profile (slower) and show own time per package.")
def main(issues: int, seed: int, work: Path, out: Path, cprofile: bool) -> None:
    """Phase timings of the Yishi build and the baseline at one N."""
    repo = prepare_council(work, issues, seed)
    base = repo.parent / "baseline"
    if base.exists():
        shutil.rmtree(base)
    write_baseline(repo, base)
    prof_dir = repo.parent / "profile"
    prof_dir.mkdir(exist_ok=True)
    results: dict[str, Any] = {}
    # The baseline first: peaks only grow, so the Yishi figures include the baseline's.
    for name, config in (("baseline", base / "mkdocs.yml"), ("yishi", repo / "mkdocs.yml")):
        profile = prof_dir / f"{name}.prof" if cprofile else None
        results[name] = {"phases": timed_build(config, prof_dir / f"{name}-site", profile),
                         "peak_mb": peak_mb()}
        if profile:
            results[name]["own_time_by_package"] = by_package(profile)
    names = list(results["yishi"]["phases"])
    click.echo(table(["phase (s)", "yishi", "baseline"],
                     [[n, results["yishi"]["phases"][n], results["baseline"]["phases"][n]]
                      for n in names]))
    for name in ("baseline", "yishi"):
        peak = results[name]["peak_mb"]
        click.echo(f"peak RSS after {name}: Python {peak['python']:.0f} MB, "
                   f"largest child process {peak['largest_child']:.0f} MB")
    if cprofile:
        for name in ("yishi", "baseline"):
            click.echo(f"\nown time by package, {name} (cProfile, inflated):")
            click.echo(table(["package", "s"], results[name]["own_time_by_package"]))
    path = write_result("profile", {"issues": issues, "seed": seed, **results}, out)
    click.echo(f"wrote {path}", err=True)


if __name__ == "__main__":
    main()
