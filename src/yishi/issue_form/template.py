"""Write ``.github/ISSUE_TEMPLATE/proposal.yml`` from the fields and ``content/council.yml``.

The dropdowns show the council's Chinese names; the parser maps them back to slugs. The
file is generated so that it cannot drift from the registry (a test compares them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..council import Council
from ..errors import CouncilError
from .fields import (
    CONSENT_TEXT,
    FIELDS,
    KIND_OPTIONS,
    PROPOSAL_LABEL,
    TITLE_PREFIX,
    FormField,
)

TEMPLATE_PATH = Path(".github") / "ISSUE_TEMPLATE" / "proposal.yml"

HEADER = (
    "# Generated from content/council.yml by `yishi issue-form render`: do not edit by hand.\n"
    "# A test fails when this file and the council registry drift apart.\n"
)

INTRO = """\
向{council}提出一项提案。**本议题公开可见**:请勿填写手机号、身份证号等个人信息。
需要留下联系方式、匿名提交或附照片,请使用议事会网站上的提交表单。

维护者审核后添加 `accepted` 标签,系统会据此生成提案记录的拉取请求,并在这里回复链接。"""


class _Dumper(yaml.SafeDumper):
    """Safe YAML that writes multi-line strings as ``|`` blocks, as a person would."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dropdown_options(field_id: str, council: Council) -> list[str]:
    """The options a dropdown shows, in the registry's order."""
    if field_id == "community":
        return [c.name for c in council.communities]
    if field_id == "category":
        return [c.name for c in council.categories]
    if field_id == "kind":
        return list(KIND_OPTIONS)
    raise KeyError(field_id)


def _element(field: FormField, council: Council) -> dict[str, Any]:
    attributes: dict[str, Any] = {"label": field.label, "description": field.description}
    if field.type == "dropdown":
        options = dropdown_options(field.id, council)
        if len(set(options)) != len(options):
            raise CouncilError(
                f"{field.id}: two entries of content/council.yml share a Chinese name; the "
                "issue form's dropdown cannot tell them apart")
        attributes["options"] = options
        if field.id == "kind":
            attributes["default"] = 0  # most proposals are individual ones
    elif field.type == "checkboxes":
        attributes["options"] = [{"label": CONSENT_TEXT, "required": True}]
    element: dict[str, Any] = {"type": field.type, "id": field.id, "attributes": attributes}
    if field.required and field.type != "checkboxes":
        element["validations"] = {"required": True}
    return element


def render_template(council: Council) -> str:
    """The issue form's YAML text."""
    form = {
        "name": "提案 Proposal",
        "description": f"向{council.short_name or council.name}提出一项提案(公开可见)。",
        "title": TITLE_PREFIX,
        "labels": [PROPOSAL_LABEL],
        "body": [
            {"type": "markdown",
             "attributes": {"value": INTRO.format(council=council.name)}},
            *(_element(field, council) for field in FIELDS),
        ],
    }
    return HEADER + yaml.dump(
        form, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, indent=2)
