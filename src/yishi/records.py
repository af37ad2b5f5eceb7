"""The two kinds of record — issues (proposals) and meetings — as front-matter schemas.

The same models validate records in ``yishi check``, build records in the intake, and
export JSON Schema for the data downloads. Registry values (community, category, party,
level) are checked against the council passed as validation context, so the models stay
usable without one (the JSON Schema then lists them as plain strings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .council import Council
from .ids import ID_PATTERN, id_date
from .lifecycle import Status

RecordId = Annotated[str, Field(pattern=ID_PATTERN, description="Record id: YYYY-MMDD-suffix")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Text = Annotated[str, Field(min_length=1)]


class Kind(StrEnum):
    """Who is behind a proposal (个人 / 联名 / 组织提案)."""

    INDIVIDUAL = "individual"
    JOINT = "joint"
    ORGANIZATION = "organization"


KIND_LABELS = {Kind.INDIVIDUAL: "个人提案", Kind.JOINT: "联名提案", Kind.ORGANIZATION: "组织提案"}


class Channel(StrEnum):
    """How a proposal reached the council."""

    WEB = "web"
    ISSUE_FORM = "issue_form"
    MAILBOX = "mailbox"
    MEETING = "meeting"
    GRID_WORKER = "grid_worker"


CHANNEL_LABELS = {
    Channel.WEB: "网上提交",
    Channel.ISSUE_FORM: "GitHub 议题表单",
    Channel.MAILBOX: "意见信箱",
    Channel.MEETING: "会上提出",
    Channel.GRID_WORKER: "网格员收集",
}


class Outcome(StrEnum):
    """What a meeting did with an agenda item."""

    DECIDED = "decided"
    NOT_ADOPTED = "not_adopted"
    DEFERRED = "deferred"
    ESCALATED = "escalated"
    PROGRESS_REPORT = "progress_report"


OUTCOME_LABELS = {
    Outcome.DECIDED: "形成决议",
    Outcome.NOT_ADOPTED: "未通过",
    Outcome.DEFERRED: "暂缓",
    Outcome.ESCALATED: "提级协商",
    Outcome.PROGRESS_REPORT: "进展通报",
}


def _council(info: ValidationInfo) -> Council | None:
    context = info.context or {}
    council = context.get("council")
    return council if isinstance(council, Council) else None


def _registry(what: str, vocabulary: Callable[[Council], dict[str, str]]) -> AfterValidator:
    """A slug checked against one of the council's vocabularies, when a council is given
    as validation context (the one registry validator every model uses)."""

    def check(value: str, info: ValidationInfo) -> str:
        council = _council(info)
        if council is not None and value not in (names := vocabulary(council)):
            raise PydanticCustomError(
                "registry", "unknown {what} {value}; expected one of {expected}",
                {"what": what, "value": repr(value), "expected": ", ".join(names),
                 "choices": list(names)},
            )
        return value

    return AfterValidator(check)


CommunitySlug = Annotated[Slug, _registry("community", lambda c: c.community_names)]
CategorySlug = Annotated[Slug, _registry("category", lambda c: c.category_names)]
PartySlug = Annotated[Slug, _registry("party", lambda c: c.party_names)]
LevelSlug = Annotated[Slug, _registry("level", lambda c: c.level_names)]
CriterionSlug = Annotated[Slug, _registry("criterion", lambda c: c.criterion_names)]


def _refuse(kind: str, field: str, english: str) -> PydanticCustomError:
    """A model-level error about ``field`` (the loader reports it at that key)."""
    return PydanticCustomError(kind, english, {"field": field})


class _Record(BaseModel):
    # extra="forbid": a misspelt key is an error, not silently dropped data.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, use_enum_values=False)


class Screening(_Record):
    """The council's screening of a proposal against the four criteria and the lists."""

    date: dt.date | None = None
    criteria: dict[CriterionSlug, bool] = Field(
        default_factory=dict, description="Criterion slug → met (true) or not (false)."
    )
    negative_item: int | None = Field(
        default=None, ge=1, description="Number of the negative-list item cited."
    )
    encouraged_item: int | None = Field(default=None, ge=1)
    note: str = ""

    @field_validator("negative_item")
    @classmethod
    def _known_negative(cls, value: int | None, info: ValidationInfo) -> int | None:
        council = _council(info)
        if council and value is not None and value not in council.negative_items:
            raise PydanticCustomError("negative_item", "negative list has no item {number}",
                                      {"number": value})
        return value

    @property
    def passed(self) -> bool:
        """Every criterion met and nothing on the negative list cited."""
        return bool(self.criteria) and all(self.criteria.values()) and self.negative_item is None

    @property
    def failed(self) -> bool:
        """A criterion not met or a negative-list item cited: grounds for rejection."""
        return self.negative_item is not None or not all(self.criteria.values())


class TimelineEntry(_Record):
    """One status change; the timeline is append-only."""

    date: dt.date
    status: Status
    note: str = ""
    meeting: RecordId | None = None


class Action(_Record):
    """Something to be done: what, by whom, by when, and how it went."""

    what: Text
    responsible: PartySlug
    due: dt.date | None = None
    done: dt.date | None = None
    progress: str = ""


class Feedback(_Record):
    """What residents said of the outcome (满意度)."""

    date: dt.date | None = None
    satisfied: int = Field(default=0, ge=0)
    basically_satisfied: int = Field(default=0, ge=0)
    dissatisfied: int = Field(default=0, ge=0)
    rating: float | None = Field(default=None, ge=1, le=5, description="Average rating, 1–5.")
    resolved: bool | None = Field(
        default=None, description="Whether the proposer says the problem is solved."
    )
    from_ratings: int = Field(
        default=0, ge=0,
        description="How many of the counts came from residents' own online ratings "
        "(the rest the council collected by visits or surveys).",
    )
    note: str = ""

    @model_validator(mode="after")
    def _ratings_within_counts(self) -> Feedback:
        if self.from_ratings > self.responses:
            raise PydanticCustomError(
                "ratings_exceed_responses", "{ratings} exceeds the {responses} responses",
                {"field": "from_ratings", "ratings": self.from_ratings,
                 "responses": self.responses})
        return self

    @property
    def responses(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied


class Escalation(_Record):
    """Where an escalated proposal went (提级)."""

    level: LevelSlug
    body: Text = Field(description="The body that took it up, e.g. 镇城建科.")


class Issue(_Record):
    """A proposal (提案): front matter of ``content/issues/<id>.md``."""

    id: RecordId
    title: Annotated[str, Field(min_length=1, max_length=80)]
    community: CommunitySlug
    grid: str | None = None
    category: CategorySlug
    kind: Kind = Kind.INDIVIDUAL
    cosigners: int | None = Field(default=None, ge=1, description="Joint proposals only.")
    organization: str | None = Field(default=None, description="Organisation proposals only.")
    proposer: str = Field(default="居民", description="Public display name; 居民 by default.")
    submitted: dt.date
    channel: Channel
    location: str | None = None
    status: Status
    screening: Screening | None = None
    timeline: list[TimelineEntry] = Field(min_length=1)
    actions: list[Action] = Field(default_factory=list)
    outcome: str | None = None
    feedback: Feedback | None = None
    related: list[RecordId] = Field(default_factory=list)
    merged_into: RecordId | None = None
    escalated_to: Escalation | None = None
    photos: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _kind_details(self) -> Issue:
        if self.kind is Kind.JOINT and self.cosigners is None:
            raise _refuse("joint_needs_cosigners", "cosigners",
                          "a joint proposal (联名) needs its number of co-signers")
        if self.kind is not Kind.JOINT and self.cosigners is not None:
            raise _refuse("only_joint_cosigners", "cosigners",
                          "only joint proposals have co-signers")
        if self.kind is Kind.ORGANIZATION and not self.organization:
            raise _refuse("organization_needs_name", "organization",
                          "an organisation proposal needs the organisation")
        return self

    @property
    def submitted_from_id(self) -> dt.date | None:
        return id_date(self.id)


class IndividualVote(_Record):
    """A named council member's vote (voting in the council is a public role)."""

    name: Text
    party: Slug | None = None
    option: Literal["yes", "no", "abstain", "absent"]

    @field_validator("option", mode="before")
    @classmethod
    def _yaml_booleans(cls, value: Any) -> Any:
        # YAML 1.1 reads a bare `yes` / `no` as a boolean; take it as the option meant.
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value


class Vote(_Record):
    """A vote on an agenda item, after Popolo/Open Civic Data: counts and the threshold."""

    motion: str = ""
    yes: int = Field(alias="for", ge=0)
    no: int = Field(alias="against", ge=0)
    abstain: int = Field(default=0, ge=0)
    absent: int = Field(default=0, ge=0)
    eligible: int = Field(ge=1, description="Who may vote: members present, or all owners.")
    threshold: float = Field(
        default=0.5, gt=0, le=1, description="Share of `basis` the yes votes must reach."
    )
    basis: Literal["eligible", "cast"] = Field(
        default="eligible", description="Whether the threshold is of the eligible or of votes cast."
    )
    result: Literal["pass", "fail"] | None = None
    votes: list[IndividualVote] = Field(default_factory=list)

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def passed(self) -> bool:
        """Whether the yes votes reach the threshold of the basis."""
        base = self.eligible if self.basis == "eligible" else self.cast
        return base > 0 and self.yes >= self.threshold * base


class AgendaItem(_Record):
    """One issue on a meeting's agenda and what the meeting did with it."""

    issue: RecordId
    # None while the item is not yet discussed: the agenda of an upcoming meeting.
    outcome: Outcome | None = Field(
        default=None, description="What the meeting did; absent until the item is discussed."
    )
    decision: str | None = None
    vote: Vote | None = None
    actions: list[Action] = Field(default_factory=list)
    note: str = ""

    @model_validator(mode="after")
    def _decision_text(self) -> AgendaItem:
        if self.outcome is Outcome.DECIDED and not self.decision:
            raise _refuse("decided_needs_text", "decision", "a decided item needs the decision text")
        if self.outcome is None and (self.decision or self.vote or self.actions):
            raise _refuse("item_needs_outcome", "outcome",
                          "an item with a decision, vote or actions needs its outcome")
        return self


class PartyPresence(_Record):
    """A party present at a meeting and how many came."""

    party: PartySlug
    count: int = Field(ge=1)
    names: list[str] = Field(default_factory=list)


class Meeting(_Record):
    """A council meeting: front matter of ``content/meetings/<id>.md``; minutes are the body."""

    id: RecordId
    title: Annotated[str, Field(min_length=1, max_length=120)]
    date: dt.date
    time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] | None = None
    level: LevelSlug
    community: CommunitySlug | None = None
    place: str
    convener: str
    supervisor: str | None = None
    parties: list[PartyPresence] = Field(default_factory=list)
    attendance: int | None = Field(default=None, ge=1)
    agenda: list[AgendaItem] = Field(default_factory=list)

    @property
    def upcoming(self) -> bool:
        """True while no agenda item has an outcome yet (a meeting still to be held)."""
        return all(item.outcome is None for item in self.agenda)

    def item_for(self, issue_id: str) -> AgendaItem | None:
        """The agenda item about ``issue_id``, if any."""
        for item in self.agenda:
            if item.issue == issue_id:
                return item
        return None


def json_schema(model: type[BaseModel], council: Council | None = None) -> dict[str, Any]:
    """JSON Schema of a record model, with registry values as enums when a council is given."""
    schema = model.model_json_schema(by_alias=True)
    if council is None:
        return schema
    enums = {
        "community": list(council.community_names),
        "category": list(council.category_names),
        "responsible": list(council.party_names),
        "party": list(council.party_names),
        "level": list(council.level_names),
    }

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict):
                for key, values in enums.items():
                    prop = props.get(key)
                    if isinstance(prop, dict) and prop.get("type") == "string":
                        prop["enum"] = values
            for child in node.values():
                visit(child)
        elif isinstance(node, list):
            for child in node:
                visit(child)

    visit(schema)
    return schema
