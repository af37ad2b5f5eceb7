"""Interleaved A/B of the Yishi build: the same synthetic councils built by several variants
(another source tree through ``PYTHONPATH``, or MkDocs rendering the theme), cold and warm,
one variant after the other within each round so the machine's load falls on all alike.

    .venv/bin/python -m bench.ab_build --sizes 1000,5000 --rounds 2 \\
        --variant before=/path/to/old/src --variant now= --variant theme-in-mkdocs=:mkdocs

A variant is ``NAME=SRC[:mkdocs]``: ``SRC`` is a ``src`` folder put first on ``PYTHONPATH``
(empty: the installed code); ``:mkdocs`` adds a hooks module with an empty
``on_page_context``, so the plugin leaves the theme to MkDocs (as with any other plugin
that takes part in page context). CPU time is user + system of the build and its children.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from .build import CACHE_DIR
from .common import (
    RESULTS,
    Measured,
    parse_sizes,
    prepare_council,
    run_measured,
    table,
    write_result,
)

NOOP_HOOK = "def on_page_context(context, page, config, nav):\n    return context\n"


def _config(repo: Path, theme_in_mkdocs: bool) -> Path:
    """``mkdocs.yml``, or a copy of it with the empty page-context hook."""
    if not theme_in_mkdocs:
        return repo / "mkdocs.yml"
    (repo / "ab_noop_hook.py").write_text(NOOP_HOOK, encoding="utf-8")
    config = repo / "mkdocs-ab-theme-in-mkdocs.yml"
    text = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    config.write_text(text + "\nhooks:\n  - ab_noop_hook.py\n", encoding="utf-8")
    return config


def _build(config: Path, site: Path, log: Path, src: str) -> Measured:
    env = {"PYTHONPATH": src} if src else {}
    argv = [sys.executable, "-m", "mkdocs", "build", "--clean", "-f", str(config), "-d", str(site)]
    measured = run_measured(argv, log, cwd=config.parent, env=env)
    if measured.returncode != 0:
        raise RuntimeError(f"build failed, see {log}")
    return measured


def cold_and_warm(repo: Path, name: str, src: str, theme_in_mkdocs: bool) -> tuple[Measured, Measured]:
    """A build without a page cache, then one after a merge that changed one issue."""
    config = _config(repo, theme_in_mkdocs)
    logs = repo.parent / "ab-logs"
    shutil.rmtree(repo / CACHE_DIR, ignore_errors=True)
    cold = _build(config, repo.parent / f"site-{name}", logs / f"{name}-cold.log", src)
    issue = sorted((repo / "content" / "issues").glob("*.md"))[0]
    with issue.open("a", encoding="utf-8") as out:
        out.write("\n补充:物业已回复,下周复查。\n")
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    subprocess.run([*git, "commit", "-q", "-am", "补充一条提案的说明"], check=True)
    try:
        warm = _build(config, repo.parent / f"site-{name}-warm", logs / f"{name}-warm.log", src)
    finally:
        subprocess.run([*git, "reset", "-q", "--hard", "HEAD~1"], check=True)
    return cold, warm


@click.command()
@click.option("--sizes", default="1000,5000", show_default=True, help="Numbers of issues.")
@click.option("--rounds", type=int, default=2, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--variant", "variants", multiple=True, required=True, metavar="NAME=SRC[:mkdocs]")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path),
              default=RESULTS / "work", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=RESULTS,
              show_default=True, help="Where ab_build.json goes.")
def main(sizes: str, rounds: int, seed: int, variants: tuple[str, ...], work: Path,
         out: Path) -> None:
    """Build each council cold and warm with every variant, interleaved, ROUNDS times."""
    parsed = []
    for text in variants:
        name, _, rest = text.partition("=")
        src, _, mode = rest.partition(":")
        parsed.append((name, os.path.abspath(src) if src else "", mode == "mkdocs"))
    runs: list[dict[str, Any]] = []
    for issues in parse_sizes(sizes):
        repo = prepare_council(work, issues, seed)
        for number in range(rounds):
            # Rotate the order each round, so no variant always runs first.
            order = parsed[number % len(parsed):] + parsed[:number % len(parsed)]
            for name, src, theme_in_mkdocs in order:
                cold, warm = cold_and_warm(repo, name, src, theme_in_mkdocs)
                runs.append({"issues": issues, "variant": name, "round": number,
                             "cold": cold, "warm": warm})
                click.echo(f"{issues} {name} round {number}: cold {cold.seconds:.1f} s "
                           f"(CPU {cold.cpu_seconds:.1f}), warm {warm.seconds:.1f} s "
                           f"(CPU {warm.cpu_seconds:.1f})", err=True)
    rows = []
    for issues in parse_sizes(sizes):
        for name, _, _ in parsed:
            mine = [r for r in runs if r["issues"] == issues and r["variant"] == name]

            def median(kind: str, attr: str, mine: list[dict[str, Any]] = mine) -> float:
                return float(statistics.median(getattr(r[kind], attr) for r in mine))

            rows.append([f"{issues:,}", name, median("cold", "seconds"), median("cold", "cpu_seconds"),
                         median("warm", "seconds"), median("warm", "cpu_seconds"),
                         max(r["cold"].peak_mb for r in mine)])
    click.echo(table(["issues", "variant", "cold s", "cold CPU s", "warm s", "warm CPU s",
                      "peak MB"], rows))
    write_result("ab_build", {"runs": runs, "variants": [v[0] for v in parsed]}, out)


if __name__ == "__main__":
    main()
