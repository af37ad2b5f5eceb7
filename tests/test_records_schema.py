"""The record models: the exported JSON Schema validates the demo records, and the schema
details moderators meet (upcoming agenda items, YAML's yes/no)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import BaseModel, ValidationError

from yishi.council import Council, load_council
from yishi.loading import ISSUES_DIR, MEETINGS_DIR, RecordLoader, split_source
from yishi.problems import Problem
from yishi.records import AgendaItem, IndividualVote, Issue, Meeting, json_schema

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def council() -> Council:
    return load_council(ROOT)


def _front_matter(path: Path) -> dict[str, Any]:
    source = split_source(path.name, path.read_text(encoding="utf-8"))
    assert not isinstance(source, Problem), source
    data = yaml.load(source.front_matter, Loader=RecordLoader)
    assert isinstance(data, dict)
    return data


def _validator(model: type[BaseModel], council: Council) -> jsonschema.protocols.Validator:
    schema = json_schema(model, council)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.mark.parametrize(
    ("model", "folder"), [(Issue, ISSUES_DIR), (Meeting, MEETINGS_DIR)], ids=["issue", "meeting"]
)
def test_json_schema_validates_every_demo_record(
    model: type[BaseModel], folder: Path, council: Council
) -> None:
    validator = _validator(model, council)
    paths = sorted((ROOT / folder).glob("*.md"))
    assert len(paths) >= 5
    for path in paths:
        errors = [e.message for e in validator.iter_errors(_front_matter(path))]
        assert errors == [], path.name


def test_json_schema_refuses_what_the_checker_refuses(council: Council) -> None:
    validator = _validator(Issue, council)
    good = _front_matter(ROOT / ISSUES_DIR / "2023-0403-k7qm.md")
    assert validator.is_valid(good)
    for key, value in [("community", "north"), ("status", "opne"), ("submitted", "2023-02-30"),
                       ("titel", "拼错"), ("category", "pets")]:
        assert not validator.is_valid({**good, key: value}), key
    assert not validator.is_valid({k: v for k, v in good.items() if k != "channel"})


def test_json_schema_lists_registry_values_only_with_a_council(council: Council) -> None:
    with_council = json_schema(Issue, council)["properties"]["community"]
    assert with_council["enum"] == [c.slug for c in council.communities]
    assert "enum" not in json_schema(Issue)["properties"]["community"]
    vote = json_schema(Meeting, council)["$defs"]["Vote"]["properties"]
    assert {"for", "against", "abstain", "absent", "eligible"} <= set(vote)


def test_upcoming_agenda_item_has_no_outcome() -> None:
    item = AgendaItem.model_validate({"issue": "2026-1026-tc8b"})
    assert item.outcome is None
    meeting = Meeting.model_validate({
        "id": "2026-1208-sy6h", "title": "预告", "date": "2026-12-08", "level": "community",
        "place": "议事厅", "convener": "社区党委", "agenda": [{"issue": "2026-1026-tc8b"}],
    })
    assert meeting.upcoming
    held = meeting.model_copy(update={"agenda": [
        AgendaItem.model_validate({"issue": "2026-1026-tc8b", "outcome": "deferred"})]})
    assert not held.upcoming


@pytest.mark.parametrize("extra", [{"decision": "先写了决定"}, {"vote": {"for": 1, "against": 0, "eligible": 1}},
                                   {"actions": [{"what": "清理", "responsible": "property"}]}])
def test_agenda_item_with_results_needs_an_outcome(extra: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        AgendaItem.model_validate({"issue": "2026-1026-tc8b", **extra})
    [error] = caught.value.errors()
    assert (error["type"], error.get("ctx")) == ("item_needs_outcome", {"field": "outcome"})
    assert error["msg"] == "an item with a decision, vote or actions needs its outcome"


def test_bare_yaml_yes_no_are_vote_options() -> None:
    ballots = yaml.load("- {name: 王一, option: yes}\n- {name: 李二, option: no}\n"
                        "- {name: 张三, option: abstain}", Loader=RecordLoader)
    assert [IndividualVote.model_validate(b).option for b in ballots] == ["yes", "no", "abstain"]
    with pytest.raises(ValidationError):
        IndividualVote.model_validate({"name": "王一", "option": "maybe"})


def test_council_demo_note_is_optional(council: Council) -> None:
    data = council.model_dump()
    data.pop("demo_note")
    assert Council.model_validate(data).demo_note == ""
