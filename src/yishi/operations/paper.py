"""Importing paper proposals (意见信箱, 网格员, 议事会现场) from a CSV file.

The CSV is UTF-8, with or without the byte-order mark Excel writes ("CSV UTF-8"); its
first row names the columns with the issue record's field names:

============  ========  ==============================================================
column        required  value
============  ========  ==============================================================
title         yes       the proposal's title (≤ 80 characters)
description   yes       what the resident wrote; becomes the record's body as plain text
community     yes       community slug or its Chinese name (``shengye`` / 盛业家园社区)
category      yes       category slug or its Chinese name (``ads`` / 小广告)
submitted     yes       the date on the paper, ``2024-03-12`` (Excel's ``2024/3/12`` too)
channel       yes       ``mailbox`` 意见信箱, ``grid_worker`` 网格员收集 or ``meeting`` 会上提出
kind          no        ``individual`` 个人 (default), ``joint`` 联名 or ``organization`` 组织
cosigners     joint     number of co-signers of a joint proposal
organization  org.      the organisation behind an organisation proposal
proposer      no        the public name the proposer chose; 居民 when empty
location      no        where the problem is
grid          no        the community's grid (网格), one of those in council.yml
============  ========  ==============================================================

Every row is checked before anything is produced; every error is reported as
``file.csv:row: column: message`` (rows counted as Excel counts them, the header being
row 1), and one bad row means no change at all. Text goes through the intake's cleaning
and privacy check; raw HTML is refused. The proposer is the one on the paper, never the
moderator who imports it (the moderator is named in the commit).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import ids
from ..council import Council
from ..errors import YishiError
from ..intake.record import ANONYMOUS, render_record
from ..intake.submission import clean
from ..lifecycle import INITIAL
from ..loading import Repository
from ..privacy import find_personal_data
from ..records import CHANNEL_LABELS, KIND_LABELS, Channel, Issue, Kind
from .changeset import ChangeSet, OperationRefused
from .common import RAW_HTML, council_of, issue_path, nearest, seal
from .record_text import RecordText

COLUMNS = ("title", "description", "community", "category", "kind", "cosigners", "organization",
           "proposer", "submitted", "channel", "location", "grid")
REQUIRED = ("title", "description", "community", "category", "submitted", "channel")
#: Channels a paper proposal comes by (web and issue-form proposals have their own intake).
PAPER_CHANNELS = (Channel.MAILBOX, Channel.GRID_WORKER, Channel.MEETING)
LIMITS = {"title": 80, "description": 5000, "organization": 60, "proposer": 40, "location": 100}
MAX_ROWS = 2000

_SLASH_DATE = re.compile(r"^(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?$")
_PERSONAL_DATA = {"mobile": "手机号", "id_card": "身份证号", "email": "电子邮箱"}


class CsvRefused(OperationRefused):
    """A CSV with rows that cannot be imported; ``errors`` lists every one, nothing is made."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("csv", "\n".join(errors))
        self.errors = errors


def import_paper_proposals(
    repo: Repository, csv_path_or_bytes: Path | str | bytes, *, by: str, on: dt.date,
    new_id: Callable[[dt.date], str] = ids.new_id, name: str | None = None,
) -> ChangeSet:
    """One new issue record per CSV row, all in one change set, or :class:`CsvRefused`."""
    council = council_of(repo)
    if isinstance(csv_path_or_bytes, bytes):
        data, label = csv_path_or_bytes, name or "import.csv"
    else:
        path = Path(csv_path_or_bytes)
        label = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CsvRefused([f"{label}: 无法读取文件（{exc.strerror}）"]) from None
    text = _decode(data, label)
    rows = _rows(text, label)
    errors: list[str] = []
    issues: list[tuple[Issue, str]] = []
    taken: set[str] = set()
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows:
        problems: list[tuple[str, str]] = []
        issue = _issue(council, row, on, problems)
        if issue is not None:
            key = (issue[0]["title"], issue[1])
            if key in seen:
                problems.append(("title", f"与第 {seen[key]} 行重复"))
            seen.setdefault(key, number)
        if problems or issue is None:
            errors.extend(f"{label}:{number}: {column}: {message}" for column, message in problems)
            continue
        fields, description = issue
        issue_id = _fresh(repo, new_id, fields["submitted"], taken)
        taken.add(issue_id)
        try:
            record = Issue.model_validate({"id": issue_id, **fields}, context={"council": council})
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                column = str(err["loc"][0]) if err["loc"] else "(row)"
                errors.append(f"{label}:{number}: {column}: {err['msg']}")
            continue
        issues.append((record, description))
    if errors:
        raise CsvRefused(errors)
    if not issues:
        raise CsvRefused([f"{label}: 文件里没有提案（只有表头或空行）"])
    edits: dict[str, tuple[RecordText, str | None]] = {}
    for record, description in issues:
        path_in_repo = issue_path(record.id)
        edits[path_in_repo] = (RecordText(path_in_repo, render_record(record, description)), None)
    by_channel: dict[str, int] = {}
    for record, _ in issues:
        channel = CHANNEL_LABELS[record.channel]
        by_channel[channel] = by_channel.get(channel, 0) + 1
    tally = "、".join(f"{channel} {n}" for channel, n in by_channel.items())
    first = issues[0][0]
    return seal(repo, operation="import", subject=first.id, by=by, on=on,
                summary=f"录入纸质提案 {len(issues)} 件（{tally}）：{first.id} 等",
                edits=edits,
                params={"op": "import_paper_proposals", "csv": text, "name": label,
                        "ids": [record.id for record, _ in issues]})


def _decode(data: bytes, label: str) -> str:
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        guess = ""
        try:
            data.decode("gb18030")
            guess = "（看起来是 GBK/GB18030，Excel 在中文 Windows 上的默认编码）"
        except UnicodeDecodeError:
            pass
        raise CsvRefused([
            f"{label}:{line}: (文件): 文件不是 UTF-8 编码{guess}；请在 Excel 中另存为 "
            "'CSV UTF-8（逗号分隔）(*.csv)' 后再导入"]) from None


def _rows(text: str, label: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise CsvRefused([f"{label}: 文件是空的"]) from None
    except csv.Error as exc:
        raise CsvRefused([f"{label}:1: (表头): 无法读取（{exc}）"]) from None
    errors = []
    for column in header:
        if column and column not in COLUMNS:
            errors.append(f"{label}:1: {column}: 不认识的列名{nearest(column, COLUMNS)}")
    for column in REQUIRED:
        if column not in header:
            errors.append(f"{label}:1: {column}: 缺少这一列（必填）")
    if len(set(filter(None, header))) != len([c for c in header if c]):
        errors.append(f"{label}:1: (表头): 有重复的列名")
    if errors:
        raise CsvRefused(errors)
    rows = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # Excel keeps empty rows at the end
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                errors.append(f"{label}:{number}: (行): 比表头多出 {len(cells) - len(header)} 列")
                continue
            rows.append((number, {column: (cells[i] if i < len(cells) else "")
                                  for i, column in enumerate(header) if column}))
            if len(rows) > MAX_ROWS:
                raise CsvRefused([f"{label}: 一次最多导入 {MAX_ROWS} 件提案，请分成几个文件"])
    except csv.Error as exc:
        errors.append(f"{label}:{reader.line_num}: (行): 无法读取（{exc}）")
    if errors:
        raise CsvRefused(errors)
    return rows


def _issue(council: Council, row: dict[str, str], on: dt.date,
           problems: list[tuple[str, str]]) -> tuple[dict[str, Any], str] | None:
    """The issue's fields and body from one row, or None with ``problems`` filled in."""
    text = {column: clean(row.get(column, ""), multiline=column == "description")
            for column in COLUMNS}
    for column in REQUIRED:
        if not text[column]:
            problems.append((column, "必填，不能为空"))
    for column, limit in LIMITS.items():
        if len(text[column]) > limit:
            problems.append((column, f"太长（{len(text[column])} 字），最多 {limit} 字"))
    for column in ("title", "description", "organization", "proposer", "location"):
        finding = next(find_personal_data(text[column]), None)
        if finding is not None:
            problems.append((column, f"含有{_PERSONAL_DATA.get(finding.kind, finding.kind)}"
                                     f"（{finding.masked}）；联系方式不能写进公开记录"))
        match = RAW_HTML.search(text[column])
        if match is not None:
            problems.append((column, f"不能包含 HTML（{match.group()[:20]}）；请只写文字"))
    community = _slug(text["community"], council.community_names, "community", "社区", problems)
    category = _slug(text["category"], council.category_names, "category", "类别", problems)
    channels = {c.value: CHANNEL_LABELS[c] for c in PAPER_CHANNELS}
    channel = _slug(text["channel"], channels, "channel", "纸质提案渠道", problems)
    kinds = {k.value: KIND_LABELS[k] for k in Kind}
    kind = _slug(text["kind"] or Kind.INDIVIDUAL.value, kinds, "kind", "提案类型", problems)
    submitted = _date(text["submitted"], on, problems)
    fields: dict[str, Any] = {"title": text["title"], "community": community,
                              "category": category, "kind": kind}
    if kind == Kind.JOINT.value:
        raw = text["cosigners"]
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 10_000):
            problems.append(("cosigners", f"联名提案请填写联名人数（1 至 10000 的整数），得到 {raw!r}"))
        else:
            fields["cosigners"] = int(raw)
    elif text["cosigners"] and text["cosigners"] != "0":
        problems.append(("cosigners", "只有联名提案（joint）填写联名人数"))
    if kind == Kind.ORGANIZATION.value:
        if not text["organization"]:
            problems.append(("organization", "组织提案请填写组织名称"))
        fields["organization"] = text["organization"]
    elif text["organization"]:
        problems.append(("organization", "只有组织提案（organization）填写组织名称"))
    if text["grid"] and community:
        grids = council.community(community).grids
        if text["grid"] not in grids:
            problems.append(("grid", f"{council.community_names[community]}没有“{text['grid']}”"
                                     f"{nearest(text['grid'], grids) if grids else '；这个社区没有登记网格'}"))
    if problems or submitted is None or channel is None:
        return None
    fields["grid"] = text["grid"] or None
    fields["proposer"] = text["proposer"] or ANONYMOUS
    fields["submitted"] = submitted
    fields["channel"] = channel
    fields["location"] = text["location"] or None
    fields["status"] = INITIAL
    fields["timeline"] = [{"date": submitted, "status": INITIAL,
                           "note": f"{CHANNEL_LABELS[Channel(channel)]}（纸质提案录入）"}]
    return fields, text["description"]


def _slug(value: str, names: dict[str, str], column: str, what: str,
          problems: list[tuple[str, str]]) -> str | None:
    """A registry slug from the slug itself or its Chinese name."""
    if not value:
        return None
    if value in names:
        return value
    for slug, chinese in names.items():
        if value == chinese:
            return slug
    # Paper forms write 个人 for 个人提案, 盛业家园 for 盛业家园社区: a unique prefix will do.
    starting = [slug for slug, chinese in names.items() if len(value) >= 2 and chinese.startswith(value)]
    if len(starting) == 1:
        return starting[0]
    problems.append((column, f"没有“{value}”这个{what}{nearest(value, [*names, *names.values()])}"))
    return None


def _date(value: str, on: dt.date, problems: list[tuple[str, str]]) -> dt.date | None:
    if not value:
        return None
    match = _SLASH_DATE.match(value)
    try:
        day = (dt.date(int(match[1]), int(match[2]), int(match[3])) if match
               else dt.date.fromisoformat(value))
    except ValueError:
        problems.append(("submitted", f"日期 {value!r} 应写成 YYYY-MM-DD，如 2024-03-12"))
        return None
    if day > on:
        problems.append(("submitted", f"提交日期 {day} 晚于今天（{on}）"))
        return None
    return day


def _fresh(repo: Repository, new_id: Callable[[dt.date], str], day: dt.date,
           taken: set[str]) -> str:
    for _ in range(100):
        candidate = new_id(day)
        if not repo.exists(candidate) and candidate not in taken:
            return candidate
    raise YishiError("the id source keeps giving ids that exist already")
