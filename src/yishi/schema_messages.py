"""What ``yishi check`` says about a value the schema refuses: one table, Chinese first.

Moderators read Chinese, so every kind of schema error the record and council models can
produce has a Chinese text here, with pydantic's English beside it for staff, and a
misspelt key or value gets the nearest valid one (``titel`` → ``title``). The models raise
errors with a type and a context; this module alone turns them into words.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any, get_args

from pydantic import BaseModel
from pydantic_core import ErrorDetails

#: Error type → Chinese text. ``{input}`` is the value at fault (quoted), other names come
#: from the error's context. Types of our own validators are raised with
#: :class:`pydantic_core.PydanticCustomError` in :mod:`yishi.records` and :mod:`yishi.council`.
MESSAGES: dict[str, str] = {
    # The shape of the front matter.
    "extra_forbidden": "未知的键",
    "missing": "缺少必填字段",
    # Types.
    "string_type": "应为文本，实际是 {input}",
    "int_type": "应为整数，实际是 {input}",
    "int_parsing": "应为整数，实际是 {input}",
    "int_from_float": "应为整数，不能有小数，实际是 {input}",
    "float_type": "应为数字，实际是 {input}",
    "float_parsing": "应为数字，实际是 {input}",
    "bool_type": "应为 true 或 false，实际是 {input}",
    "bool_parsing": "应为 true 或 false，实际是 {input}",
    "list_type": "应为列表（每项以 - 开头），实际是 {input}",
    "dict_type": "应为键值映射（key: value），实际是 {input}",
    "model_type": "应为键值映射（key: value），实际是 {input}",
    "model_attributes_type": "应为键值映射（key: value），实际是 {input}",
    # Dates.
    "date_type": "应为 YYYY-MM-DD 格式的日期，实际是 {input}",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期，实际是 {input}",
    "date_from_datetime_parsing": "不是有效日期（{reason}），应为 YYYY-MM-DD，实际是 {input}",
    "date_from_datetime_inexact": "应为日期，不能带时刻，实际是 {input}",
    # Sizes and ranges.
    "string_too_short": "不能为空",
    "string_too_long": "太长：最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不对，实际是 {input}",
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "greater_than": "应大于 {gt}，实际是 {input}",
    "greater_than_equal": "应不小于 {ge}，实际是 {input}",
    "less_than": "应小于 {lt}，实际是 {input}",
    "less_than_equal": "应不大于 {le}，实际是 {input}",
    # Fixed vocabularies (statuses, kinds, outcomes, vote options).
    "enum": "不是可选值之一，实际是 {input}；可选：{choices}",
    "literal_error": "不是可选值之一，实际是 {input}；可选：{choices}",
    # Our own validators (records.py, council.py).
    "registry": "council.yml 里没有这个{what_zh} {input}；可选：{choices}",
    "negative_item": "负面清单没有第 {input} 项",
    "joint_needs_cosigners": "联名提案需要填写联名人数（cosigners）",
    "only_joint_cosigners": "只有联名提案（kind: joint）才有联名人数",
    "organization_needs_name": "组织提案需要填写组织名称（organization）",
    "decided_needs_text": "形成决议（decided）的议程项需要决议内容",
    "ratings_exceed_responses": "来自居民评价的 {ratings} 份超过了评价总数 {responses}",
    "item_needs_outcome": "有决议、表决或落实事项的议程项需要写明结果（outcome）",
    "timezone": "时区 {value} 无法识别：请写 UTC 偏移如 \"+08:00\"，或 IANA 时区名如 \"Asia/Shanghai\"",
    "duplicate_slug": "slug 重复：{slugs}",
    "duplicate_number": "编号重复",
    "unknown_council_level": "议事会的层级 {value} 不在 levels 里；可选：{choices}",
}

#: The Chinese names of the council's vocabularies, for ``registry`` errors.
REGISTRY_NAMES = {
    "community": "社区", "category": "类别", "party": "参与方", "level": "层级",
    "criterion": "“四性”标准",
}

#: Reasons pydantic gives for an impossible date, in Chinese.
_DATE_REASONS = {
    "day value is outside expected range": "这个月没有这一天",
    "month value is outside expected range": "月份应为 01–12",
    "input is too short": "太短",
    "input is too long": "太长",
}

#: Shown for an error type missing from the table (a newer pydantic): still Chinese first.
FALLBACK = "值无效"


def nearest(value: object, choices: Iterable[str]) -> str | None:
    """The valid choice a misspelt ``value`` most likely meant, if one is close."""
    if not isinstance(value, str):
        return None
    found = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


def keys_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The keys a record may have at ``loc`` (names and aliases), for suggestions."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or not (isinstance(current, type)
                                         and issubclass(current, BaseModel)):
            continue
        info = current.model_fields.get(part) or next(
            (f for f in current.model_fields.values() if f.alias == part), None)
        if info is None:
            return []
        current = _model_in(info.annotation)
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return []
    return [key for name, info in current.model_fields.items()
            for key in (name, info.alias) if key]


def _model_in(annotation: Any) -> Any:
    """The record model inside ``list[Action]``, ``Screening | None`` and the like."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _quoted(value: object) -> str | None:
    if isinstance(value, str | int | float | bool) and len(str(value)) <= 60:
        return repr(value)
    return None


#: Our own messages already name the value; pydantic's do not.
_NAMES_VALUE = {"missing", "extra_forbidden", "registry", "negative_item", "timezone",
                "unknown_council_level"}


def explain(err: ErrorDetails, keys: Iterable[str] = ()) -> str:
    """The Chinese message for one schema error, pydantic's English beside it, and the
    nearest valid value; ``keys`` are the keys allowed where an unknown key was found."""
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    kind = err["type"]
    value = err.get("input")
    quoted = _quoted(value)
    fields = {**ctx, "input": quoted or "（过长或复杂的值）"}
    english = err["msg"].removeprefix("Value error, ")
    if quoted and kind not in _NAMES_VALUE:
        english += f", got {quoted}"
    near = None
    if kind in {"enum", "literal_error"}:
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        fields["choices"] = ", ".join(choices)
        near = nearest(value, choices)
    elif kind == "registry":
        fields["what_zh"] = REGISTRY_NAMES.get(str(ctx.get("what")), str(ctx.get("what")))
        fields["choices"] = ", ".join(ctx.get("choices", ()))
        near = nearest(value, ctx.get("choices", ()))
    elif kind == "extra_forbidden":
        near = nearest(err["loc"][-1] if err["loc"] else "", keys)
        english = "unknown key" if near else "unknown key (misspelt? see the record format in the README)"
    elif kind == "missing":
        english = "required field is missing"
    elif kind == "date_from_datetime_parsing":
        fields["reason"] = _DATE_REASONS.get(str(ctx.get("error")), "格式不对")
    text = MESSAGES.get(kind, FALLBACK).format(**fields)
    if near is not None:
        text += f"；是否应为 {near!r}？"
        english += f"; did you mean {near!r}?"
    elif kind == "extra_forbidden":
        text += "（拼写错误？见 README 的记录格式）"
    return f"{text} ({english})"
