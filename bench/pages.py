"""Figure 2, page and search weight: the largest issue page and the home page at each N,
and the bytes headless Chromium downloads for one search query, on the Yishi site (Pagefind)
and on the baseline (Material's search).

    .venv/bin/python -m bench.pages --sizes 1000,5000,20000
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from playwright.sync_api import Page, sync_playwright

from yishi.testing.static_site import CHROMIUM, CHROMIUM_ARGS

from .build import build_sites
from .common import DEFAULT_SIZES, RESULTS, git_commit, parse_sizes, table, write_result
from .served import Ledger, serve

QUERIES = ("垃圾清运", "小广告")
#: Files that belong to the search engine rather than to the page (Yishi's search page
#: script included).
SEARCH_PATHS = ("/pagefind/", "/assets/search.js", "/search/search_index.json",
                "/assets/javascripts/workers/search")


@dataclass
class SearchCost:
    """What one query cost a browser that had just opened the search page."""

    query: str
    search_bytes: int  # search engine files: index, chunks, fragments, wasm, worker
    total_bytes: int  # everything, the page included
    requests: int
    results: int


def largest_page(folder: Path) -> tuple[str, int]:
    """The biggest ``*/index.html`` under ``folder``: its name and size."""
    best = ("", 0)
    for page in folder.glob("*/index.html"):
        size = page.stat().st_size
        if size > best[1]:
            best = (page.parent.name, size)
    return best


def _quiet(ledger: Ledger, seconds: float = 1.0, limit: float = 60.0) -> None:
    """Wait until the server has sent nothing for ``seconds``."""
    deadline = time.monotonic() + limit
    seen, since = ledger.mark(), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = ledger.mark()
        if now != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return


def _cost(query: str, ledger: Ledger, results: int) -> SearchCost:
    sent = ledger.since()
    search = sum(size for path, size in sent if path.startswith(SEARCH_PATHS))
    return SearchCost(query, search, sum(size for _, size in sent), len(sent), results)


def search_yishi(page: Page, base: str, ledger: Ledger, query: str) -> SearchCost:
    """Type ``query`` into the Yishi site's search page and wait for its first results."""
    page.goto(base + "search/")
    box = page.locator("#search-input")
    box.wait_for(timeout=30_000)
    box.fill(query)
    page.wait_for_selector("#search[data-state=done], #search[data-state=empty]",
                           timeout=60_000)
    _quiet(ledger)
    return _cost(query, ledger, page.locator(".yi-search-hit").count())


def search_material(page: Page, base: str, ledger: Ledger, query: str) -> SearchCost:
    """Open Material's search on the baseline's home page, type ``query``, wait for results."""
    page.goto(base)
    page.wait_for_load_state("load")
    page.keyboard.press("/")  # Material's shortcut opens the search dialog
    box = page.locator(".md-search__input")
    box.wait_for(state="visible", timeout=30_000)
    box.fill(query)
    page.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m && !/初始化|Initializing/i.test(m.textContent || ''); }", timeout=120_000)
    _quiet(ledger)
    return _cost(query, ledger, page.locator(".md-search-result__item").count())


def measure_search(site: Path, engine: str, queries: tuple[str, ...]) -> list[SearchCost]:
    """One fresh browser context (empty cache) per query."""
    search = search_yishi if engine == "yishi" else search_material
    costs = []
    with serve(site) as (base, ledger), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for query in queries:
                context = browser.new_context()
                page = context.new_page()
                ledger.entries.clear()
                costs.append(search(page, base, ledger, query))
                context.close()
        finally:
            browser.close()
    return costs


def ensure_sites(work: Path, issues: int, seed: int, rebuild: bool, reuse: bool = False) -> Path:
    """The folder holding ``site/`` and ``baseline/site/`` for this N, built if needed."""
    folder = work / f"n{issues}-s{seed}"
    stamp = folder / "site.stamp"
    built = stamp.exists() and (folder / "baseline" / "site" / "index.html").exists()
    same_commit = built and stamp.read_text(encoding="utf-8") == git_commit()
    fresh = not rebuild and built and (reuse or same_commit)
    if not fresh:
        build_sites(work, issues, seed)
    return folder


def measure(work: Path, issues: int, seed: int, queries: tuple[str, ...], rebuild: bool,
            reuse: bool = False) -> dict[str, Any]:
    """Every figure of one N."""
    folder = ensure_sites(work, issues, seed, rebuild, reuse)
    site, base_site = folder / "site", folder / "baseline" / "site"
    largest_id, largest = largest_page(site / "issues")
    _, base_largest = largest_page(base_site / "issues")
    return {
        "issues": issues,
        "largest_issue_page": {"id": largest_id, "bytes": largest},
        "home_page_bytes": (site / "index.html").stat().st_size,
        "baseline_largest_issue_page_bytes": base_largest,
        "search": {"yishi": measure_search(site, "yishi", queries),
                   "baseline": measure_search(base_site, "material", queries)},
    }


@click.command()
@click.option("--sizes", default=",".join(map(str, DEFAULT_SIZES)), show_default=True)
@click.option("--seed", default=0, show_default=True)
@click.option("--query", "queries", multiple=True, default=QUERIES, show_default=True)
@click.option("--work", type=click.Path(file_okay=False, path_type=Path),
              default=RESULTS / "work", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=RESULTS,
              show_default=True)
@click.option("--rebuild", is_flag=True, help="Build even when the build bench left sites.")
@click.option("--reuse", is_flag=True,
              help="Use the sites the build bench left even if built at another commit.")
def main(sizes: str, seed: int, queries: tuple[str, ...], work: Path, out: Path,
         rebuild: bool, reuse: bool) -> None:
    """Page sizes and search download per query, Yishi against the baseline."""
    runs = []
    for n in parse_sizes(sizes):
        click.echo(f"N={n}: measuring …", err=True)
        runs.append(measure(work, n, seed, tuple(queries), rebuild, reuse))
    rows = []
    for r in runs:
        for yishi, base in zip(r["search"]["yishi"], r["search"]["baseline"], strict=True):
            rows.append([r["issues"], r["largest_issue_page"]["bytes"] / 1024,
                         r["home_page_bytes"] / 1024, yishi.query,
                         yishi.search_bytes / 1024, yishi.results,
                         base.search_bytes / 1024, base.results])
    click.echo(table(["issues", "largest issue KB", "home KB", "query", "yishi search KB",
                      "hits", "baseline search KB", "hits"], rows))
    first, last = runs[0]["largest_issue_page"]["bytes"], runs[-1]["largest_issue_page"]["bytes"]
    click.echo(f"largest issue page, N={runs[-1]['issues']} vs N={runs[0]['issues']}: "
               f"{last / first:.3f}×")
    path = write_result("pages", {"seed": seed, "queries": list(queries), "runs": runs}, out)
    click.echo(f"wrote {path}", err=True)


if __name__ == "__main__":
    main()
