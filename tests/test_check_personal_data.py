"""The personal-data check scans the raw front matter first and walks the record only on a
hit: values YAML spells differently from the raw text (folded lines, escapes) must still be
found, at their field's line, exactly as a walk of every record finds them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from yishi.checks import _front_matter_findings, check_personal_data
from yishi.loading import load_repository

BROKEN = Path(__file__).parent / "fixtures" / "broken" / "content"

HEAD = """---
id: 2023-0401-probe
title: 测试提案
community: east
category: parking
submitted: 2023-04-01
channel: web
status: received
timeline:
  - { date: 2023-04-01, status: received }
"""


def _check(tmp_path: Path, location: str) -> list[str]:
    content = tmp_path / "content"
    (content / "issues").mkdir(parents=True)
    (content / "meetings").mkdir()
    shutil.copy(BROKEN / "council.yml", content / "council.yml")
    (content / "issues" / "2023-0401-probe.md").write_text(
        HEAD + location + "---\n居民的描述。\n", encoding="utf-8")
    repo = load_repository(tmp_path)
    assert not repo.problems and list(repo.issues) == ["2023-0401-probe"]
    found = [str(p) for p in check_personal_data(repo)]
    # The quick scan must never change the answer of the full walk.
    walked = [str(p) for p in _front_matter_findings(repo.issues["2023-0401-probe"])]
    assert found == walked
    return found


@pytest.mark.parametrize("location", [
    # A plain scalar over two lines folds into "… 138 1234 5678".
    "location: 东区 3 号楼,电话 138 1234\n  5678\n",
    # Escapes spell the digits differently from the value.
    'location: "东区 3 号楼,电话 \\u0031\\u00338 1234 5678"\n',
    # A folded block scalar.
    "location: >\n  东区 3 号楼,电话\n  13812345678\n",
    # Single quotes doubled inside the value.
    "location: '居民''s mail: resident@example.org'\n",
])
def test_values_spelt_differently_are_found_at_their_field(tmp_path: Path, location: str) -> None:
    found = _check(tmp_path, location)
    assert len(found) == 1
    assert found[0].startswith("content/issues/2023-0401-probe.md:11: location: 含有")
    assert "联系方式不能写进公开记录 (contains " in found[0]


def test_a_clean_record_has_no_finding(tmp_path: Path) -> None:
    # Keys, comments and dates look nothing like personal data; a literal block keeps its
    # line breaks, so digits on two lines are not a phone number.
    assert _check(tmp_path, "location: |  # 门牌 12 号\n  东区 138\n  1234 5678\n") == []
