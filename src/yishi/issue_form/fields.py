"""The issue form's fields: the web form's, minus the contact (an issue is public).

Each field's ``id`` is the web form's field name, so the parsed issue is the same mapping a
browser posts and goes through the same validation. The template (``template.py``) and the
parser (``parse.py``) both read this table, so a label can never differ between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..records import KIND_LABELS, Kind

FieldType = Literal["textarea", "input", "dropdown", "checkboxes"]

#: The prefix GitHub puts in the title box; the parser strips it from the proposal's title.
TITLE_PREFIX = "[提案] "
#: Label GitHub puts on every issue opened with the form; the intake workflow requires it.
PROPOSAL_LABEL = "proposal"
#: Label a maintainer adds to hand the issue to the intake.
ACCEPTED_LABEL = "accepted"

#: The one option of the consent checkbox.
CONSENT_TEXT = "我同意在议事会网站和本仓库公开本提案的内容。"


@dataclass(frozen=True)
class FormField:
    """One field of the issue form."""

    id: str  # the web form's field name
    type: FieldType
    label: str
    description: str
    required: bool = False


FIELDS: tuple[FormField, ...] = (
    FormField("description", "textarea", "提案内容",
              "说明问题在哪里、影响了谁、希望怎样解决。请勿填写手机号、身份证号等个人信息。",
              required=True),
    FormField("community", "dropdown", "所在社区", "提案涉及的社区或村。", required=True),
    FormField("category", "dropdown", "提案类别", "最接近的一类。", required=True),
    FormField("kind", "dropdown", "提案类型",
              "个人提出,多位居民联名,还是以组织名义提出。", required=True),
    FormField("cosigners", "input", "联名人数", "联名提案填写联名居民的人数(含本人),其他提案不填。"),
    FormField("organization", "input", "组织名称", "组织提案填写组织名称,其他提案不填。"),
    FormField("location", "input", "具体位置", "例如:3 号楼东侧地库入口。"),
    FormField("name", "input", "公开署名", "在网站上显示的署名;不填则显示为“居民”。"),
    FormField("consent", "checkboxes", "同意公开",
              "议事会的提案、讨论和决议都是公开的。", required=True),
)

FIELDS_BY_ID = {f.id: f for f in FIELDS}

#: Kind as the dropdown shows it (个人提案) → the web form's value (individual).
KIND_OPTIONS: dict[str, str] = {KIND_LABELS[kind]: kind.value for kind in Kind}
