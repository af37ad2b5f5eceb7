"""Measure what a browser downloads to search: Pagefind (extended) against Material's search.

Builds the same synthetic council twice — once as the Yishi site with Pagefind, once as
plain MkDocs + Material pages with Material's built-in search (``lang: zh``, jieba) — serves
each on loopback, runs one query in headless Chromium and counts the response bytes.

    python scripts/search_bytes.py --issues 1000 --query 小广告
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click
from playwright.sync_api import Page, Response, sync_playwright

from yishi.synthetic import write_synthetic_repository
from yishi.testing.static_site import CHROMIUM, CHROMIUM_ARGS, serve_directory

MATERIAL_YML = """\
site_name: Material search baseline
docs_dir: docs
theme:
  name: material
  language: zh
plugins:
  - search:
      lang: zh
"""


@dataclass
class Measurement:
    """Bytes downloaded while loading the search page and answering one query."""

    engine: str
    hits: int
    search_bytes: int
    search_gzip: int
    total_bytes: int
    requests: int
    index_on_disk: int


def mkdocs_build(config: Path, site: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d",
                    str(site)], check=True, env=env)


def material_baseline(repo: Path, out: Path) -> Path:
    """The same issues as plain markdown pages under Material with its own search."""
    docs = out / "docs"
    docs.mkdir(parents=True)
    (docs / "index.md").write_text("# 首页\n", encoding="utf-8")
    title = re.compile(r'^title: (.*)$', re.M)
    for path in sorted((repo / "content" / "issues").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        match = title.search(front)
        heading = match.group(1).strip().strip('"') if match else path.stem
        (docs / path.name).write_text(f"# {heading}\n\n{body}", encoding="utf-8")
    (out / "mkdocs.yml").write_text(MATERIAL_YML, encoding="utf-8")
    site = out / "site"
    mkdocs_build(out / "mkdocs.yml", site)
    return site


def _count(page: Page, run: object, is_search: str) -> tuple[int, int, int, int]:
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    run()  # type: ignore[operator]
    total = search = search_gz = 0
    for response in responses:
        try:
            body = response.body()
        except Exception:  # redirects and aborted requests have no body
            continue
        total += len(body)
        if is_search in response.url:
            search += len(body)
            search_gz += len(gzip.compress(body, 6))
    return total, search, search_gz, len(responses)


def measure_pagefind(site: Path, query: str) -> Measurement:
    with serve_directory(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        hits = 0

        def run() -> None:
            nonlocal hits
            page.goto(base + "search/")
            page.fill("#search-input", query)
            page.wait_for_selector(".yi-search-hit", timeout=20_000)
            page.wait_for_load_state("networkidle")
            hits = page.locator(".yi-search-hit").count()

        total, search, search_gz, requests = _count(page, run, "/pagefind/")
        browser.close()
    on_disk = sum(f.stat().st_size for f in (site / "pagefind").rglob("*") if f.is_file())
    return Measurement("Pagefind (extended)", hits, search, search_gz, total, requests, on_disk)


def measure_material(site: Path, query: str) -> Measurement:
    with serve_directory(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        hits = 0

        def run() -> None:
            nonlocal hits
            page.goto(base)
            page.fill("input[data-md-component=search-query]", query)
            page.wait_for_selector(".md-search-result__item", timeout=60_000)
            page.wait_for_load_state("networkidle")
            hits = page.locator(".md-search-result__item").count()

        total, search, search_gz, requests = _count(page, run, "search")
        browser.close()
    index = site / "search" / "search_index.json"
    return Measurement("Material search", hits, search, search_gz, total, requests,
                       index.stat().st_size)


@click.command()
@click.option("--issues", "-n", default=1000, show_default=True, help="Synthetic issues.")
@click.option("--query", "-q", default="小广告", show_default=True)
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the builds here (reused when present) instead of a temporary folder.")
def main(issues: int, query: str, workdir: Path | None) -> None:
    """Print a markdown table of the bytes each search engine downloads for one query."""
    with tempfile.TemporaryDirectory() as tmp:
        root = workdir or Path(tmp)
        repo = root / "yishi"
        yishi_site = root / "yishi-site"
        material_site = root / "material" / "site"
        if not yishi_site.exists():
            write_synthetic_repository(repo, issues)
            mkdocs_build(repo / "mkdocs.yml", yishi_site)
        if not material_site.exists():
            material_baseline(repo, root / "material")
        results = [measure_pagefind(yishi_site, query), measure_material(material_site, query)]
    kb = 1024
    click.echo(f"{issues} issues, query {query!r}\n")
    click.echo("| engine | search bytes (gzip) | whole page + search | requests | index on disk |")
    click.echo("|---|---|---|---|---|")
    for m in results:
        click.echo(f"| {m.engine} | {m.search_bytes / kb:.0f} KiB ({m.search_gzip / kb:.0f} KiB) "
                   f"| {m.total_bytes / kb:.0f} KiB | {m.requests} | {m.index_on_disk / kb:.0f} KiB |")


if __name__ == "__main__":
    main()
