"""Loading with the front matter cache gives the same records and the same problems as
loading without it, and reads unchanged front matter back instead of parsing it."""

from __future__ import annotations

import marshal
import shutil
from pathlib import Path

from yishi.checks import run_checks
from yishi.front_matter_cache import FrontMatterCache
from yishi.loading import load_repository

PROJECT = Path(__file__).resolve().parents[1]
BROKEN = Path(__file__).parent / "fixtures" / "broken"


def _records(root: Path, cache: Path | None = None) -> dict[str, object]:
    repo = load_repository(root, cache)
    return {**{k: v.record for k, v in repo.issues.items()},
            **{k: v.record for k, v in repo.meetings.items()}}


def test_a_second_load_reads_every_record_back_and_equals_a_plain_load(tmp_path: Path) -> None:
    cache = tmp_path / "front-matter.marshal"
    plain = _records(PROJECT)
    assert _records(PROJECT, cache) == plain  # cold: parses and writes the file
    stored = marshal.loads(cache.read_bytes())
    assert len(stored) == len(plain) == 31
    reader = FrontMatterCache(cache)
    for loaded in load_repository(PROJECT).issues.values():
        assert reader.get(loaded.source.front_matter) is not None
    assert reader.hits == 19
    assert _records(PROJECT, cache) == plain  # warm


def test_problems_are_the_same_with_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "front-matter.marshal"
    plain = load_repository(BROKEN)
    expected = [str(p) for p in [*plain.problems, *run_checks(plain)]]
    for _ in range(2):  # cold, then warm
        repo = load_repository(BROKEN, cache)
        assert [str(p) for p in [*repo.problems, *run_checks(repo)]] == expected
        assert repo.broken == plain.broken


def test_a_changed_record_is_parsed_again_and_its_old_entry_dropped(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(PROJECT / "content", root / "content")
    cache = tmp_path / "front-matter.marshal"
    load_repository(root, cache)
    path = root / "content" / "issues" / "2023-0403-k7qm.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "希望集中清理", "希望尽快清理", 1), encoding="utf-8")
    repo = load_repository(root, cache)
    assert repo.issues["2023-0403-k7qm"].record.title == "楼道小广告层层叠叠，希望尽快清理"
    assert len(marshal.loads(cache.read_bytes())) == 31  # the old text's entry is gone


def test_a_damaged_cache_file_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "front-matter.marshal"
    cache.write_bytes(b"\x00not marshal data")
    assert _records(PROJECT, cache) == _records(PROJECT)
    assert len(marshal.loads(cache.read_bytes())) == 31  # rewritten whole
    # An entry whose bytes are damaged is parsed again.
    stored = marshal.loads(cache.read_bytes())
    cache.write_bytes(marshal.dumps({key: b"\xff" for key in stored}))
    assert _records(PROJECT, cache) == _records(PROJECT)
    healed = marshal.loads(cache.read_bytes())
    assert healed.keys() == stored.keys()
    assert all(isinstance(marshal.loads(blob), dict) for blob in healed.values())
