"""Page size does not grow with the record: the same issue page, in the 15-odd-issue demo
and among 2,000 synthetic issues, is within 10% of the same size."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from site_support import PROJECT, build, copy_demo, page_file
from yishi.synthetic import write_synthetic_repository

pytestmark = pytest.mark.slow

VOCABULARIES = ("levels", "communities", "parties", "categories", "criteria")


def merge_councils(base: dict[str, object], extra: dict[str, object]) -> dict[str, object]:
    """``base`` with every vocabulary entry of ``extra`` whose slug it lacks."""
    merged = dict(base)
    for key in VOCABULARIES:
        entries = list(merged.get(key) or [])  # type: ignore[call-overload]
        slugs = {entry["slug"] for entry in entries}
        entries += [e for e in extra.get(key) or [] if e["slug"] not in slugs]  # type: ignore[attr-defined]
        merged[key] = entries
    return merged


def test_issue_page_size_is_independent_of_the_number_of_issues(tmp_path: Path) -> None:
    demo_root = copy_demo(tmp_path / "demo")
    demo_site = build(demo_root)
    pages = {p.parent.name: p.stat().st_size for p in (demo_site / "issues").glob("*-*-*/index.html")}
    largest = max(pages, key=lambda issue_id: pages[issue_id])

    big = tmp_path / "big"
    write_synthetic_repository(big, 2000)
    council_file = big / "content" / "council.yml"
    council = merge_councils(
        yaml.safe_load(council_file.read_text(encoding="utf-8")),
        yaml.safe_load((PROJECT / "content" / "council.yml").read_text(encoding="utf-8")),
    )
    council_file.write_text(yaml.safe_dump(council, allow_unicode=True), encoding="utf-8")
    for folder in ("issues", "meetings"):
        for path in (demo_root / "content" / folder).glob("*.md"):
            shutil.copy(path, big / "content" / folder / path.name)
    shutil.copy(demo_root / "mkdocs.yml", big / "mkdocs.yml")
    big_site = build(big, strict=False)

    issues = list((big_site / "issues").glob("*-*-*/index.html"))
    assert len(issues) >= 2000
    demo_size = pages[largest]
    big_size = page_file(big_site, f"issues/{largest}/").stat().st_size
    print(f"{largest}: {demo_size} bytes in the demo, {big_size} among {len(issues)} issues")
    assert abs(big_size - demo_size) <= 0.10 * demo_size, (largest, demo_size, big_size)
