"""The council registry, ``content/council.yml``: who the council is and its vocabularies.

Communities, categories, parties and levels are named by ascii slugs in records and shown
by their Chinese names on the site; every record's references are checked against this file.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache, cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from .errors import CouncilError
from .schema_messages import explain, keys_at
from .yaml_lines import format_loc, line_in

SLUG = r"^[a-z0-9][a-z0-9_-]*$"

#: A UTC offset as councils write it: ``+08:00`` (hours up to 14, as ISO 8601 allows).
_OFFSET = re.compile(r"([+-])(0\d|1[0-4]):([0-5]\d)")


@cache
def parse_timezone(text: str) -> dt.tzinfo:
    """A UTC offset (``+08:00``) or an IANA zone name (``Asia/Shanghai``) as a tzinfo."""
    if match := _OFFSET.fullmatch(text):
        sign = -1 if match[1] == "-" else 1
        return dt.timezone(sign * dt.timedelta(hours=int(match[2]), minutes=int(match[3])))
    # Only names with a region ("Asia/Shanghai") or "UTC": zoneinfo also knows legacy
    # names such as "PRC", and "Etc/GMT-8", whose sign is the reverse of what a council means.
    if ("/" in text and not text.startswith("Etc/")) or text == "UTC":
        try:
            return ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    raise PydanticCustomError(
        "timezone",
        'unknown time zone {value}; write an offset like "+08:00" or a zone like "Asia/Shanghai"',
        {"value": repr(text)},
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Named(_Strict):
    """An entry of a vocabulary: an ascii slug and its Chinese name."""

    slug: str = Field(pattern=SLUG)
    name: str = Field(min_length=1)
    description: str = ""


class Community(Named):
    """A community (社区 or 村) the council serves, with its grids (网格)."""

    grids: list[str] = Field(default_factory=list)


class Criterion(Named):
    """One of the four screening criteria (公共性、合法性、迫切性、可行性)."""


class ListItem(_Strict):
    """A numbered item of the encouraged or negative list; rejections cite the number."""

    number: int = Field(ge=1)
    text: str = Field(min_length=1)


class Metrics(_Strict):
    """Settings the published metrics depend on."""

    screening_days: int = Field(
        default=15, ge=1, description="Days within which a proposal must be screened (响应时限)."
    )
    count_basically_satisfied: bool = Field(
        default=True, description="Whether 基本满意 counts as satisfied in the 满意率."
    )


class Council(_Strict):
    """The council behind the records."""

    name: str = Field(min_length=1)
    short_name: str = ""
    level: str = Field(pattern=SLUG)
    region: str = ""
    description: str = ""
    demo_note: str = Field(
        default="", description="Shown on the about page when the records are a demonstration."
    )
    licence: str = "CC BY 4.0"
    feed_authority: str = Field(
        default="",
        pattern=r"^$|^([a-z0-9-]+\.)+[a-z]{2,}$",
        description="A domain the council controls that names its feed entry ids (tag URIs). "
        "Set it once, before publishing, and never change it: ids then survive a move of the "
        "site. Empty: the site URL's host names them.",
    )
    timezone: str = Field(
        default="+08:00",
        description="The council's time zone: a UTC offset (+08:00) or an IANA name "
        "(Asia/Shanghai). Dates in records, ids and 'today' are in this zone.",
    )
    levels: list[Named]
    communities: list[Community]
    parties: list[Named]
    categories: list[Named]
    criteria: list[Criterion]
    encouraged: list[ListItem] = Field(default_factory=list)
    negative: list[ListItem] = Field(default_factory=list)
    metrics: Metrics = Field(default_factory=Metrics)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        parse_timezone(value)
        return value

    @model_validator(mode="after")
    def _unique_slugs(self) -> Council:
        for field in ("levels", "communities", "parties", "categories", "criteria"):
            slugs = [entry.slug for entry in getattr(self, field)]
            dupes = sorted({s for s in slugs if slugs.count(s) > 1})
            if dupes:
                raise PydanticCustomError("duplicate_slug", "duplicate slug(s) {slugs}",
                                          {"field": field, "slugs": ", ".join(dupes)})
        for field in ("encouraged", "negative"):
            numbers = [item.number for item in getattr(self, field)]
            if len(numbers) != len(set(numbers)):
                raise PydanticCustomError("duplicate_number", "item numbers must be unique",
                                          {"field": field})
        if self.level not in (levels := [lv.slug for lv in self.levels]):
            raise PydanticCustomError(
                "unknown_council_level", "{value} is not one of the council's levels",
                {"field": "level", "value": repr(self.level), "choices": ", ".join(levels)})
        return self

    @property
    def tz(self) -> dt.tzinfo:
        """The council's time zone: every date a page, an export or an id shows is in it."""
        return parse_timezone(self.timezone)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """The date in the council's time zone now (or at the aware datetime ``now``)."""
        return (now or dt.datetime.now(dt.UTC)).astimezone(self.tz).date()

    @cached_property
    def community_names(self) -> dict[str, str]:
        return {c.slug: c.name for c in self.communities}

    @cached_property
    def category_names(self) -> dict[str, str]:
        return {c.slug: c.name for c in self.categories}

    @cached_property
    def party_names(self) -> dict[str, str]:
        return {p.slug: p.name for p in self.parties}

    @cached_property
    def level_names(self) -> dict[str, str]:
        return {lv.slug: lv.name for lv in self.levels}

    @cached_property
    def criterion_names(self) -> dict[str, str]:
        return {c.slug: c.name for c in self.criteria}

    @cached_property
    def negative_items(self) -> dict[int, str]:
        return {item.number: item.text for item in self.negative}

    def community(self, slug: str) -> Community:
        """The community with this slug (KeyError when unknown)."""
        for community in self.communities:
            if community.slug == slug:
                return community
        raise KeyError(slug)


COUNCIL_FILE = Path("content") / "council.yml"


def _loc(err: ErrorDetails) -> tuple[str | int, ...]:
    """Where an error is: a model-level error names its field in its context."""
    field = (err.get("ctx") or {}).get("field")
    return (*err["loc"], field) if isinstance(field, str) else tuple(err["loc"])


def load_council(root: Path) -> Council:
    """Read and validate ``content/council.yml`` under ``root``."""
    try:
        text = (root / COUNCIL_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        text = None
    return parse_council(text)


def parse_council(text: str | bytes | None) -> Council:
    """Validate the text of ``content/council.yml`` (None: the file is missing)."""
    if text is None:
        raise CouncilError(f"{COUNCIL_FILE}: missing; every Yishi repository needs one")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line = exc.problem_mark.line + 1 if getattr(exc, "problem_mark", None) else 1  # type: ignore[attr-defined]
        raise CouncilError(f"{COUNCIL_FILE}:{line}: invalid YAML: {exc}") from exc
    try:
        return Council.model_validate(data)
    except ValidationError as exc:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        located = tuple(
            (line_in(node, _loc(err)), format_loc(_loc(err)),
             explain(err, keys_at(Council, _loc(err)[:-1])))
            for err in exc.errors(include_url=False)
        )
        details = "; ".join(f"{field}: {message}" for _, field, message in located)
        raise CouncilError(f"{COUNCIL_FILE}: {details}", located) from exc
