"""Shared pieces of the site tests: copying the demo, building with MkDocs, reading HTML."""

from __future__ import annotations

import json
import os
import posixpath
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

PROJECT = Path(__file__).resolve().parents[1]


def copy_demo(dst: Path, *, per_page: int | None = None, **options: str) -> Path:
    """Copy the project's demo records and ``mkdocs.yml`` to ``dst``, optionally re-paged
    or with other plugin options (``jobs="1"``, ``cache="false"``: YAML values)."""
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT / "content", dst / "content")
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    if per_page is not None:
        options["per_page"] = str(per_page)
    for name, value in options.items():
        config = config.replace("  - yishi:\n", f"  - yishi:\n      {name}: {value}\n", 1)
        assert f"{name}: {value}" in config
    (dst / "mkdocs.yml").write_text(config, encoding="utf-8")
    return dst


def git(root: Path, *args: str) -> None:
    """Run git in ``root`` as the council's secretary, at a fixed time (reproducible ids)."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "秘书", "GIT_AUTHOR_EMAIL": "secretary@example.org",
           "GIT_COMMITTER_NAME": "秘书", "GIT_COMMITTER_EMAIL": "secretary@example.org",
           "GIT_COMMITTER_DATE": "2024-03-12T09:30:00+08:00",
           "GIT_AUTHOR_DATE": "2024-03-12T09:30:00+08:00"}
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def demo_repo(dst: Path, **options: str) -> Path:
    """The demo site (:func:`copy_demo`) as a git repository whose one commit holds the records."""
    root = copy_demo(dst, **options)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "content")
    git(root, "commit", "-q", "-m", "记录")
    return root


def add_hook(root: Path, source: str) -> None:
    """Give the site of ``root`` an MkDocs hooks module (another plugin, as far as Yishi
    can tell) with ``source`` as its code."""
    (root / "hooks.py").write_text(source, encoding="utf-8")
    with (root / "mkdocs.yml").open("a", encoding="utf-8") as config:
        config.write("\nhooks:\n  - hooks.py\n")


def build(root: Path, *, strict: bool = True, site_dir: Path | None = None) -> Path:
    """Run a real ``mkdocs build`` of ``root``; fail the test with MkDocs' output if it fails."""
    site = site_dir or root / "site"
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml"),
               "-d", str(site)]
    if strict:
        command.append("--strict")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=root)
    assert result.returncode == 0, f"mkdocs build failed:\n{result.stdout}\n{result.stderr}"
    if strict:
        assert "WARNING" not in result.stderr, result.stderr
    return site


@dataclass
class Page:
    """What the tests read from one HTML page."""

    path: Path
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    #: ``data-id`` of the issue table's rows, in order.
    rows: list[str] = field(default_factory=list)
    #: ``rel=next`` link of the pager, if any.
    next: str | None = None
    #: Every element as (tag, attributes), for safety checks.
    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text: str = ""
    title: str = ""
    h1: str = ""
    #: ``data-count`` values by the class of the element carrying them.
    counts: dict[str, int] = field(default_factory=dict)


class _Reader(HTMLParser):
    def __init__(self, page: Page) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.page.elements.append((tag, a))
        if "id" in a:
            self.page.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.page.links.append(a["href"])
            if a.get("rel") == "next":
                self.page.next = a["href"]
        if tag == "tr" and "data-id" in a:
            self.page.rows.append(a["data-id"])
        if "data-count" in a and a.get("class"):
            self.page.counts[a["class"]] = int(a["data-count"])
        if tag not in {"br", "img", "input", "meta", "link", "hr", "source", "path", "rect"}:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop() == tag:
                break

    def handle_data(self, data: str) -> None:
        if "title" in self.stack and "svg" not in self.stack:
            self.page.title += data
        if "h1" in self.stack:
            self.page.h1 += data
        if "script" not in self.stack and "style" not in self.stack:
            self.text.append(data)


def read_page(path: Path) -> Page:
    """Parse one built page."""
    page = Page(path)
    reader = _Reader(page)
    reader.feed(path.read_text(encoding="utf-8"))
    page.text = "".join(reader.text)
    page.title, page.h1 = page.title.strip(), page.h1.strip()
    return page


def page_file(site: Path, url: str) -> Path:
    """The file serving ``url`` (relative to the site root, directory URLs end with /)."""
    path = site / url
    return path / "index.html" if url == "" or url.endswith("/") else path


def resolve(site: Path, page: Path, href: str) -> tuple[Path, str] | None:
    """The file and fragment a relative link from ``page`` points to; None for external."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    if not parts.path:
        return page, unquote(parts.fragment)
    base = "" if parts.path.startswith("/") else page.parent.relative_to(site).as_posix()
    target = posixpath.normpath(posixpath.join(base, unquote(parts.path).lstrip("/")))
    file = site / target
    if href.split("#")[0].endswith("/") or file.is_dir():
        file = file / "index.html"
    return file, unquote(parts.fragment)


def follow_pages(site: Path, url: str) -> list[Page]:
    """A paginated list's pages, from its first page along the ``rel=next`` links."""
    pages = [read_page(page_file(site, url))]
    while pages[-1].next:
        resolved = resolve(site, pages[-1].path, pages[-1].next)
        assert resolved is not None
        pages.append(read_page(resolved[0]))
    return pages


def html_pages(site: Path) -> list[Path]:
    """Every HTML page of the site except Pagefind's bundle."""
    return [p for p in sorted(site.rglob("*.html")) if "pagefind" not in p.relative_to(site).parts]


#: Files that differ between any two builds: they name the build's time or digest.
UNCOMPARED = frozenset({"data/manifest.json", "data/publications.json"})


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site but the manifest and the ledger (which names the
    manifest's digest), with the build's own time (which two builds never share) replaced by
    ``<generated>``: two builds of the same records compare equal."""
    generated = json.loads((site / "data" / "issues.json").read_text(encoding="utf-8"))[
        "generated_at"]
    utc = datetime.fromisoformat(generated).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    # As JSON and Atom give it, as the /data/ page shows it, as iCalendar's DTSTAMP.
    stamps = [generated.encode(), generated[:16].replace("T", " ").encode(), utc.encode()]
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file() and path.relative_to(site).as_posix() not in UNCOMPARED:
            content = path.read_bytes()
            for stamp in stamps:
                content = content.replace(stamp, b"<generated>")
            files[path.relative_to(site).as_posix()] = content
    return files
