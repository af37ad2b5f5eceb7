"""The council registry, ``content/council.yml``: who the council is and its vocabularies.

Communities, categories, parties and levels are named by ascii slugs in records and shown
by their Chinese names on the site; every record's references are checked against this file.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import CouncilError

SLUG = r"^[a-z0-9][a-z0-9_-]*$"


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
    timezone: str = "+08:00"
    levels: list[Named]
    communities: list[Community]
    parties: list[Named]
    categories: list[Named]
    criteria: list[Criterion]
    encouraged: list[ListItem] = Field(default_factory=list)
    negative: list[ListItem] = Field(default_factory=list)
    metrics: Metrics = Field(default_factory=Metrics)

    @model_validator(mode="after")
    def _unique_slugs(self) -> Council:
        for field in ("levels", "communities", "parties", "categories", "criteria"):
            slugs = [entry.slug for entry in getattr(self, field)]
            dupes = sorted({s for s in slugs if slugs.count(s) > 1})
            if dupes:
                raise ValueError(f"{field}: duplicate slug(s) {', '.join(dupes)}")
        for field in ("encouraged", "negative"):
            numbers = [item.number for item in getattr(self, field)]
            if len(numbers) != len(set(numbers)):
                raise ValueError(f"{field}: item numbers must be unique")
        if self.level not in {lv.slug for lv in self.levels}:
            raise ValueError(f"level: {self.level!r} is not one of the council's levels")
        return self

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
        details = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise CouncilError(f"{COUNCIL_FILE}: {details}") from exc
