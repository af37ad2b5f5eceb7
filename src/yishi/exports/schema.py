"""JSON Schema of ``issues.json`` and ``meetings.json``, generated from the record models.

The record's own schema (:func:`yishi.records.json_schema`, with the council's vocabularies
as enums) is extended by the fields the export adds (links, labels, history) and wrapped in
the envelope every download shares, so a download validates against its schema as a whole.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from ..council import Council
from ..lifecycle import Stage
from ..records import Issue, Meeting, Outcome, Vote, json_schema

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ISSUE_SCHEMA_FILE = "data/schema/issue.json"
MEETING_SCHEMA_FILE = "data/schema/meeting.json"

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
DATE = {"type": "string", "format": "date"}
TIMESTAMP = {"type": "string", "format": "date-time"}
URL = {"type": "string", "description": "Absolute when the site URL is set, else relative to the site root."}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


OUTCOME = {"enum": [*(o.value for o in Outcome), None],
           "description": "What the meeting did; null until the item is discussed."}

COMMIT = _object({
    "commit": {"type": "string", "pattern": "^[0-9a-f]{40,64}$"},
    "short": STRING,
    "date": TIMESTAMP,
    "subject": STRING,
}, "A git commit that changed the record.")

HISTORY = {
    "source": {"type": "string", "description": "The record file in the repository."},
    "last_changed": _nullable(TIMESTAMP),
    "history_complete": {
        "type": "boolean",
        "description": "False when the build saw only part of the history (shallow clone).",
    },
    "history": {"type": "array", "items": {"$ref": "#/$defs/Commit"},
                "description": "Commits that changed the record, newest first."},
}

ISSUE_REF = _object({
    "id": STRING,
    "title": NULLABLE_STRING,
    "status": NULLABLE_STRING,
    "url": URL,
}, "Another issue, resolved.")

AGENDA_REF = {
    "meeting": STRING,
    "title": STRING,
    "date": DATE,
    "outcome": OUTCOME,
    "outcome_label": NULLABLE_STRING,
    "url": URL,
}


def issue_additions() -> dict[str, Any]:
    """The properties ``issues.json`` adds to an issue's front matter."""
    return {
        "description": {"type": "string", "description": "The proposal's text (markdown)."},
        "url": URL,
        "status_label": {"type": "string", "description": "Chinese label of the status."},
        "stage": {"enum": [s.value for s in Stage]},
        "open311_status": {"enum": ["open", "closed"]},
        "community_name": {"type": ["string", "null"]},
        "category_name": {"type": ["string", "null"]},
        "references": _object({
            "decision": _nullable(_object({
                **AGENDA_REF,
                "decision": NULLABLE_STRING,
                "vote": _nullable({"$ref": "#/$defs/Vote"}),
            })),
            "agenda": {"type": "array", "items": _object(AGENDA_REF)},
            "merged_into": _nullable({"$ref": "#/$defs/IssueRef"}),
            "merged_from": {"type": "array", "items": {"$ref": "#/$defs/IssueRef"}},
            "related": {"type": "array", "items": {"$ref": "#/$defs/IssueRef"}},
        }),
        **HISTORY,
    }


def meeting_additions() -> dict[str, Any]:
    """The properties ``meetings.json`` adds to a meeting's front matter."""
    return {
        "minutes": {"type": "string", "description": "The minutes (markdown)."},
        "url": URL,
        "level_name": {"type": ["string", "null"]},
        "community_name": {"type": ["string", "null"]},
        "references": _object({
            "issues": {"type": "array", "items": _object({
                **ISSUE_REF["properties"],
                "outcome": OUTCOME,
                "decision_url": URL,
            })},
        }),
        **HISTORY,
    }


def _export_schema(
    model: type[BaseModel], council: Council, key: str, schema_id: str,
    additions: dict[str, Any], extra_defs: dict[str, Any],
) -> dict[str, Any]:
    record = json_schema(model, council)
    defs = record.pop("$defs", {})
    item = copy.deepcopy(record)
    item["properties"].update(additions)
    # Every field is written, defaults included, so every field is required in the export.
    item["required"] = list(item["properties"])
    defs.update(extra_defs)
    defs[model.__name__] = item
    return {
        "$schema": DRAFT,
        "$id": schema_id,
        "title": f"Yishi {key} export ({council.name})",
        "type": "object",
        "properties": {
            "generated_at": TIMESTAMP,
            "commit": {"type": ["string", "null"], "description": "The commit the site was built from."},
            "council": STRING,
            "licence": STRING,
            "site_url": NULLABLE_STRING,
            "history_complete": {"type": "boolean"},
            "schema": STRING,
            "count": {"type": "integer", "minimum": 0},
            key: {"type": "array", "items": {"$ref": f"#/$defs/{model.__name__}"}},
        },
        "required": ["generated_at", "commit", "council", "licence", "count", key],
        "additionalProperties": False,
        "$defs": defs,
    }


def _model_defs(model: type[BaseModel], council: Council) -> dict[str, Any]:
    """``model``'s schema and the definitions it refers to, as ``$defs`` entries."""
    schema = json_schema(model, council)
    defs: dict[str, Any] = schema.pop("$defs", {})
    defs[model.__name__] = schema
    return defs


def issue_schema(council: Council) -> dict[str, Any]:
    """JSON Schema of ``issues.json``; ``$defs.Issue`` describes one issue."""
    return _export_schema(
        Issue, council, "issues", "schema/issue.json", issue_additions(),
        {"Commit": COMMIT, "IssueRef": ISSUE_REF, **_model_defs(Vote, council)},
    )


def meeting_schema(council: Council) -> dict[str, Any]:
    """JSON Schema of ``meetings.json``; ``$defs.Meeting`` describes one meeting."""
    return _export_schema(
        Meeting, council, "meetings", "schema/meeting.json", meeting_additions(),
        {"Commit": COMMIT},
    )

