"""``content/rewrites.yml``: the council's public declaration that it rewrote history.

A rewrite (a force-push, a rebase that drops a commit) makes published versions vanish.
Sometimes a council must do it, e.g. to remove a resident's phone number committed by
mistake; then it says so here, in a versioned record file that goes through review like
any other: when, which commits vanished, why, and who decided. Without an entry naming a
vanished commit, publishing fails; with one, the site publishes the notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import RewritesError
from ..loading import RecordLoader, SourceFile
from ..problems import Problem

REWRITES_FILE = "content/rewrites.yml"
#: A full commit hash: what the build's failure message prints, never ambiguous.
COMMIT_HASH = r"^[0-9a-f]{40}$"


class Rewrite(BaseModel):
    """One rewrite of the public history, as the council declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: The day history was rewritten (the force-push).
    date: dt.date
    #: The published commits that vanished, in full (40 hex digits).
    commits: list[Annotated[str, Field(pattern=COMMIT_HASH)]] = Field(min_length=1)
    #: Why, in words a resident and a journalist understand.
    reason: str = Field(min_length=1)
    #: Who decided (the council, its supervisory committee ...).
    authorised_by: str = Field(min_length=1)
    #: The meeting that decided it, when there was one (a meeting id).
    meeting: str | None = None

    @property
    def anchor(self) -> str:
        """The notice's anchor on /data/rewrites/ (stable: date and first commit)."""
        return f"rewrite-{self.date.isoformat()}-{self.commits[0][:7]}"


class RewritesDocument(BaseModel):
    """The whole file: a list of rewrites, oldest first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rewrites: list[Rewrite] = Field(default_factory=list)


_FIELD_HINTS = {
    "commits": "必须是完整的 40 位提交哈希(构建失败的提示里给出的那样)"
               " · a full 40-hex commit hash, as the failed build printed it",
    "reason": "必须写明理由 · a reason is required",
    "authorised_by": "必须写明谁决定的 · say who decided",
}


def _problems(text: str) -> tuple[RewritesDocument | None, list[Problem]]:
    """The parsed file, or the problems that stop it from parsing (with their lines)."""
    source = SourceFile(REWRITES_FILE, text, text, "", 1, 1)
    try:
        data = yaml.load(text, Loader=RecordLoader)  # a safe loader: no tags, no timestamps
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        return None, [Problem(REWRITES_FILE, line, "(file)", f"YAML 无法解析 · invalid YAML: {exc}")]
    try:
        document = RewritesDocument.model_validate(data or {})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = [p for p in err["loc"] if isinstance(p, str | int)]
            field = ".".join(str(p) for p in loc) or "(file)"
            # The hint of the innermost named field ("commits" for rewrites.0.commits.2).
            names = [p for p in loc if isinstance(p, str)]
            hint = _FIELD_HINTS.get(names[-1], "") if names else ""
            value = f", got {err['input']!r}" if not isinstance(err["input"], dict | list) else ""
            message = f"{hint} · {err['msg']}{value}" if hint else f"{err['msg']}{value}"
            problems.append(Problem(REWRITES_FILE, source.line_of(loc), field, message))
        return None, problems
    return document, []


def rewrite_problems(root: Path, meetings: Collection[str] = ()) -> list[Problem]:
    """What is wrong with ``content/rewrites.yml`` under ``root`` (nothing when absent),
    including a ``meeting`` that is none of ``meetings``."""
    path = root / REWRITES_FILE
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    document, problems = _problems(text)
    if document is None:
        return problems
    source = SourceFile(REWRITES_FILE, text, text, "", 1, 1)
    for i, rewrite in enumerate(document.rewrites):
        if rewrite.meeting is not None and rewrite.meeting not in meetings:
            problems.append(Problem(
                REWRITES_FILE, source.line_of(["rewrites", i, "meeting"]),
                f"rewrites.{i}.meeting",
                f"没有编号为 {rewrite.meeting!r} 的议事会 · no meeting with this id"))
    return problems


def load_rewrites(root: Path) -> list[Rewrite]:
    """The declared rewrites under ``root``, oldest first; none without the file."""
    path = root / REWRITES_FILE
    if not path.is_file():
        return []
    document, problems = _problems(path.read_text(encoding="utf-8"))
    if document is None:
        raise RewritesError("\n".join(str(p) for p in problems))
    return document.rewrites
