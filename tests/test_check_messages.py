"""What ``yishi check`` says about a value the schema refuses: Chinese first, pydantic's
English beside it, and the nearest valid key or registry value for a misspelling."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from yishi.council import Council, load_council
from yishi.errors import CouncilError
from yishi.loading import RecordLoader, load_record
from yishi.records import Issue, Meeting
from yishi.schema_messages import MESSAGES

PROJECT = Path(__file__).resolve().parents[1]
ISSUE = "content/issues/2023-0403-k7qm.md"
MEETING = "content/meetings/2023-0418-sy01.md"


@pytest.fixture(scope="module")
def council() -> Council:
    return load_council(PROJECT)


def problems(council: Council, path: str, old: str, new: str) -> list[str]:
    """The problems of a demo record with one line changed, as ``field: message``."""
    text = (PROJECT / path).read_text(encoding="utf-8")
    assert old in text, old
    model: type[Issue] | type[Meeting] = Issue if "issues" in path else Meeting
    loaded = load_record(model, path, text.replace(old, new, 1), council)
    assert isinstance(loaded, list), "the change should make the record invalid"
    return [f"{p.field}: {p.message}" for p in loaded]


#: (what is changed in the demo issue, old text, new text, the one problem expected).
CASES = [
    ("misspelt key", "grid: ", "gird: ",
     "gird: 未知的键；是否应为 'grid'？ (unknown key; did you mean 'grid'?)"),
    ("misspelt key in a nested record", "  - what: 组织志愿者", "  - wat: x\n    what: 组织志愿者",
     "actions[0].wat: 未知的键；是否应为 'what'？ (unknown key; did you mean 'what'?)"),
    ("unrelated key", "grid: 二网格", "colour: 二网格",
     "colour: 未知的键（拼写错误？见 README 的记录格式） "
     "(unknown key (misspelt? see the record format in the README))"),
    ("misspelt community", "community: shengye", "community: shengyi",
     "community: council.yml 里没有这个社区 'shengyi'；可选：shengye, shenghong, jinsuiyuan, "
     "xinkangyuan, langezhuang, heipan；是否应为 'shengye'？ (unknown community 'shengyi'; "
     "expected one of shengye, shenghong, jinsuiyuan, xinkangyuan, langezhuang, heipan; "
     "did you mean 'shengye'?)"),
    ("misspelt criterion", "public: true", "publik: true",
     "screening.criteria.publik: council.yml 里没有这个“四性”标准 'publik'；可选：public, legal, "
     "urgent, feasible；是否应为 'public'？ (unknown criterion 'publik'; expected one of public, "
     "legal, urgent, feasible; did you mean 'public'?)"),
    ("misspelt kind", "kind: joint", "kind: jiont",
     "kind: 不是可选值之一，实际是 'jiont'；可选：individual, joint, organization；是否应为 'joint'？ "
     "(Input should be 'individual', 'joint' or 'organization', got 'jiont'; "
     "did you mean 'joint'?)"),
    ("zero co-signers", "cosigners: 12", "cosigners: 0",
     "cosigners: 应不小于 1，实际是 0 (Input should be greater than or equal to 1, got 0)"),
    ("co-signers with decimals", "cosigners: 12", "cosigners: 12.5",
     "cosigners: 应为整数，不能有小数，实际是 12.5 "
     "(Input should be a valid integer, got a number with a fractional part, got 12.5)"),
    ("a date that is not one", "submitted: 2023-04-03", "submitted: soon",
     "submitted: 不是有效日期（太短），应为 YYYY-MM-DD，实际是 'soon' "
     "(Input should be a valid date or datetime, input is too short, got 'soon')"),
    ("an empty title", "title: 楼道小广告层层叠叠，希望集中清理", 'title: ""',
     "title: 不能为空 (String should have at least 1 character, got '')"),
    ("a long title", "title: 楼道小广告层层叠叠，希望集中清理", "title: " + "长" * 81,
     "title: 太长：最多 80 个字符 (String should have at most 80 characters)"),
    ("an empty timeline", "timeline:\n", "timeline: []\nxtimeline:\n",
     "timeline: 至少需要 1 项 (List should have at least 1 item after validation, not 0)"),
    ("a timeline that is not a list", "timeline:\n", "timeline: received\nxtimeline:\n",
     "timeline: 应为列表（每项以 - 开头），实际是 'received' "
     "(Input should be a valid list, got 'received')"),
    ("a screening that is not a mapping", "screening:\n", "screening: none\nxscreening:\n",
     "screening: 应为键值映射（key: value），实际是 'none' "
     "(Input should be a valid dictionary or instance of Screening, got 'none')"),
    ("more ratings than responses", "  resolved: true\n", "  resolved: true\n  from_ratings: 50\n",
     "feedback.from_ratings: 来自居民评价的 50 份超过了评价总数 42 (50 exceeds the 42 responses)"),
    ("a yes/no that is neither", "resolved: true", "resolved: maybe",
     "feedback.resolved: 应为 true 或 false，实际是 'maybe' "
     "(Input should be a valid boolean, unable to interpret input, got 'maybe')"),
]


@pytest.mark.parametrize(("old", "new", "expected"),
                         [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_schema_error_is_chinese_with_the_english_beside(
    council: Council, old: str, new: str, expected: str
) -> None:
    # "xtimeline" / "xscreening" park the original value under a key of its own.
    found = [p for p in problems(council, ISSUE, old, new) if not p.startswith("x")]
    assert found == [expected]


@pytest.mark.parametrize(("old", "new", "field", "what", "near"), [
    ("community: shengye", "community: shengyi", "community", "社区", "shengye"),
    ("category: ads", "category: adz", "category", "类别", "ads"),
    ("responsible: volunteers", "responsible: volunteer", "actions[0].responsible", "参与方",
     "volunteers"),
])
def test_every_issue_vocabulary_goes_through_the_one_registry_validator(
    council: Council, old: str, new: str, field: str, what: str, near: str
) -> None:
    [found] = problems(council, ISSUE, old, new)
    assert found.startswith(f"{field}: council.yml 里没有这个{what} ")
    assert f"；是否应为 {near!r}？ (" in found and found.endswith(f"did you mean {near!r}?)")


@pytest.mark.parametrize(("old", "new", "field", "what"), [
    ("level: community", "level: comunity", "level", "层级"),
    ("community: shengye", "community: shengyi", "community", "社区"),
    ("{ party: residents_committee", "{ party: residents_comittee", "parties[0].party", "参与方"),
])
def test_meeting_vocabularies_too(council: Council, old: str, new: str, field: str,
                                  what: str) -> None:
    [found] = problems(council, MEETING, old, new)
    assert found.startswith(f"{field}: council.yml 里没有这个{what} ")
    assert "是否应为" in found


def test_misspelt_vote_alias_suggests_the_alias(council: Council) -> None:
    found = problems(council, MEETING, "vote: { for:", "vote: { fro:")
    assert "agenda[0].vote.fro: 未知的键；是否应为 'for'？ (unknown key; did you mean 'for'?)" in found


def test_council_errors_are_chinese(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    text = (PROJECT / "content" / "council.yml").read_text(encoding="utf-8")
    (tmp_path / "content" / "council.yml").write_text(
        text.replace("level: community", "level: comunity", 1).replace(
            "licence:", "licnce:", 1), encoding="utf-8")
    with pytest.raises(CouncilError) as caught:
        load_council(tmp_path)
    message = str(caught.value)
    assert "licnce: 未知的键；是否应为 'licence'？ (unknown key; did you mean 'licence'?)" in message


def test_every_kind_the_models_raise_has_chinese_text(council: Council) -> None:
    """No error a case above produces falls back to the untranslated text."""
    kinds = set()
    text = (PROJECT / ISSUE).read_text(encoding="utf-8")
    for _rule, old, new, _expected in CASES:
        try:
            Issue.model_validate(yaml.load(text.replace(old, new, 1).split("---")[1],
                                           Loader=RecordLoader), context={"council": council})
        except ValidationError as exc:
            kinds |= {err["type"] for err in exc.errors()}
    assert kinds <= set(MESSAGES)
    assert len(kinds) >= 12


def test_every_error_our_models_raise_has_its_chinese_text() -> None:
    """A new validator in records.py or council.py must add its text to the table."""
    source = "".join((PROJECT / "src" / "yishi" / name).read_text(encoding="utf-8")
                     for name in ("records.py", "council.py"))
    kinds = set(re.findall(r'PydanticCustomError\(\s*"(\w+)"', source))
    kinds |= set(re.findall(r'_refuse\(\s*"(\w+)"', source))
    assert len(kinds) >= 10
    assert kinds <= set(MESSAGES), kinds - set(MESSAGES)
    assert "raise ValueError" not in source
