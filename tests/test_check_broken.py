"""`yishi check` on a fixture of broken records: one defect per file, each reported at its
exact ``path:line: field``, all of them in one run."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from yishi.cli import main

BROKEN = Path(__file__).parent / "fixtures" / "broken"

#: (rule, file under content/, line, field, message). One row per defect. The rows above
#: "The timeline" give the whole message (schema and file errors: Chinese, then English);
#: the cross-record checks below give a part of it.
EXPECTED: list[tuple[str, str, int, str, str]] = [
    # The file as a whole.
    ("yaml error", "issues/2023-0201-yaml", 5, "(yaml)",
     "YAML 格式错误 (invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that starts on line 4))"),
    ("no front matter", "issues/2023-0213-nofm", 1, "(file)",
     "没有 YAML front matter：文件应以 '---' 开头 (no YAML front matter: the file must start with '---')"),
    ("front matter not closed", "issues/2023-0214-unclosed", 1, "(file)",
     "front matter 没有用第二个 '---' 行结束 (front matter is not closed by a second '---' line)"),
    ("front matter not a mapping", "issues/2023-0215-list", 1, "(file)",
     "front matter 应为键值映射 (front matter must be a mapping of keys)"),
    ("not utf-8", "issues/2023-0216-latin1", 1, "(file)",
     "不是 UTF-8 文本（第 35 字节），请另存为 UTF-8 (not UTF-8 text (byte 35); save it as UTF-8)"),
    # The schema: Chinese first, pydantic's English beside it, the nearest valid value.
    ("unknown key", "issues/2023-0202-unknownkey", 6, "titel",
     "未知的键；是否应为 'title'？ (unknown key; did you mean 'title'?)"),
    ("missing required field", "issues/2023-0203-missing", 1, "channel",
     "缺少必填字段 (required field is missing)"),
    ("wrong type", "issues/2023-0204-wrongtype", 7, "cosigners",
     "应为整数，实际是 'many' (Input should be a valid integer, unable to parse string as an integer, got 'many')"),
    ("impossible date", "issues/2023-0205-baddate", 6, "submitted",
     "不是有效日期（这个月没有这一天），应为 YYYY-MM-DD，实际是 '2023-02-30' (Input should be a valid date or datetime, day value is outside expected range, got '2023-02-30')"),
    ("impossible date in the id", "issues/2023-0230-impossible", 2, "id",
     "编号 '2023-0230-impossible' 里的日期不存在 (id '2023-0230-impossible' encodes an impossible date)"),
    ("unknown community", "issues/2023-0206-community", 4, "community",
     "council.yml 里没有这个社区 'north'；可选：east, west (unknown community 'north'; expected one of east, west)"),
    ("unknown category", "issues/2023-0207-category", 5, "category",
     "council.yml 里没有这个类别 'pets'；可选：parking, noise (unknown category 'pets'; expected one of parking, noise)"),
    ("unknown party in an action", "issues/2023-0208-party", 12, "actions[0].responsible",
     "council.yml 里没有这个参与方 'mayor'；可选：residents_committee, resident_reps, property (unknown party 'mayor'; expected one of residents_committee, resident_reps, property)"),
    ("unknown party at a meeting", "meetings/2023-0302-party", 10, "parties[0].party",
     "council.yml 里没有这个参与方 'mayor'；可选：residents_committee, resident_reps, property (unknown party 'mayor'; expected one of residents_committee, resident_reps, property)"),
    ("unknown level", "meetings/2023-0302-level", 5, "level",
     "council.yml 里没有这个层级 'county'；可选：community, street, town；是否应为 'community'？ (unknown level 'county'; expected one of community, street, town; did you mean 'community'?)"),
    ("unknown status", "issues/2023-0209-status", 8, "status",
     "不是可选值之一，实际是 'opne'；可选：received, accepted, rejected, merged, withdrawn, scheduled, decided, not_adopted, deferred, escalated, in_progress, done；是否应为 'done'？ (Input should be 'received', 'accepted', 'rejected', 'merged', 'withdrawn', 'scheduled', 'decided', 'not_adopted', 'deferred', 'escalated', 'in_progress' or 'done', got 'opne'; did you mean 'done'?)"),
    ("unknown negative-list item", "issues/2023-0313-negative", 14, "screening.negative_item",
     "负面清单没有第 9 项 (negative list has no item 9)"),
    ("joint without co-signers", "issues/2023-0212-cosigners", 1, "cosigners",
     "联名提案需要填写联名人数（cosigners） (a joint proposal (联名) needs its number of co-signers)"),
    ("decided item without decision text", "meetings/2023-0302-nodecision", 12, "agenda[1].decision",
     "形成决议（decided）的议程项需要决议内容 (a decided item needs the decision text)"),
    ("decision without outcome", "meetings/2023-0302-nooutcome", 10, "agenda[0].outcome",
     "有决议、表决或落实事项的议程项需要写明结果（outcome） (an item with a decision, vote or actions needs its outcome)"),
    # Ids.
    ("id differs from file name", "issues/2023-0210-idname", 2, "id",
     "编号 '2023-0210-other' 与文件名 '2023-0210-idname' 不一致 (id '2023-0210-other' does not match the file name '2023-0210-idname')"),
    ("duplicate id", "issues/2023-0211-dupb", 2, "id",
     "编号 '2023-0211-dupa' 重复，content/issues/2023-0211-dupa.md 也用了它 (duplicate id '2023-0211-dupa', also in content/issues/2023-0211-dupa.md)"),
    ("duplicate id (file name)", "issues/2023-0211-dupb", 2, "id",
     "编号 '2023-0211-dupa' 与文件名 '2023-0211-dupb' 不一致 (id '2023-0211-dupa' does not match the file name '2023-0211-dupb')"),
    # The timeline.
    ("timeline out of order", "issues/2023-0220-order", 11, "timeline[1].date", "2023-02-19 is earlier than the entry before it (2023-02-20)"),
    ("illegal transition", "issues/2023-0221-transition", 11, "timeline[1].status", "illegal transition received → done"),
    ("status differs from the timeline", "issues/2023-0222-statuslast", 8, "status", "status is 'withdrawn' but the timeline's last entry is 'received'"),
    ("timeline starts elsewhere", "issues/2023-0223-start", 10, "timeline[0].status", "must start with 'received', got 'accepted'"),
    ("submitted differs from the id", "issues/2023-0224-submitted", 6, "submitted", "differs from the date in the id (2023-02-24)"),
    ("timeline before submission", "issues/2023-0225-early", 10, "timeline[0].date", "before the submission date 2023-02-25"),
    # Issues and meetings agreeing.
    ("status disagrees with the meeting", "issues/2023-0226-disagree", 13, "timeline[3].status", "decided disagrees with meeting 2023-0226-report, whose agenda item outcome is 'progress_report'"),
    ("meeting outcome missing from the timeline", "issues/2023-0227-unrecorded", 8, "status", "meeting 2023-0228-decided recorded outcome 'decided' for this issue"),
    ("timeline names a missing meeting", "issues/2023-0228-nomeeting", 12, "timeline[2].meeting", "no meeting '2023-0299-ghost' exists"),
    ("meeting has no item for the issue", "issues/2023-0228-noitem", 12, "timeline[2].meeting", "meeting 2023-0120-meet has no agenda item for 2023-0228-noitem"),
    ("decided before the meeting", "issues/2023-0304-beforemeet", 13, "timeline[3].date", "2023-03-19 is before meeting 2023-0320-hub"),
    ("agenda item names a missing issue", "meetings/2023-0302-missingissue", 10, "agenda[0].issue", "no issue '2023-0299-ghost' exists"),
    # Votes.
    ("votes exceed eligible", "meetings/2023-0302-votes", 12, "agenda[0].vote.eligible", "= 8 exceeds the 7 eligible"),
    ("vote result disagrees", "meetings/2023-0302-result", 12, "agenda[0].vote.result", "result 'pass' disagrees with the counts and threshold"),
    ("individual votes disagree", "meetings/2023-0302-ballots", 16, "agenda[0].vote.votes", "the individual votes count"),
    ("decided on a failed vote", "meetings/2023-0304-failed", 11, "agenda[0].outcome", "decided, but the vote did not reach its threshold"),
    # What each status requires.
    ("accepted without screening", "issues/2023-0309-accepted", 11, "timeline[1].status", "accepted requires a screening"),
    ("screening misses criteria", "issues/2023-0310-criteria", 14, "screening.criteria", "missing: feasible, urgent"),
    ("rejected without reason", "issues/2023-0305-rejected", 8, "status", "rejected requires a screening that cites"),
    ("merged without merged_into", "issues/2023-0306-merged", 8, "status", "merged requires merged_into"),
    ("merged into a missing issue", "issues/2023-0307-mergedghost", 12, "merged_into", "no issue '2023-0299-ghost' exists"),
    ("withdrawn without note", "issues/2023-0308-withdrawn", 11, "timeline[1].note", "withdrawn requires a note"),
    ("decided without a meeting", "issues/2023-0312-decided", 13, "timeline[3].meeting", "decided must name the meeting"),
    ("escalated without escalated_to", "issues/2023-0301-escalated", 8, "status", "escalated requires escalated_to"),
    ("in_progress without actions", "issues/2023-0302-inprogress", 14, "timeline[4].status", "in_progress requires at least one action"),
    ("done without outcome", "issues/2023-0303-done", 14, "timeline[4].status", "done requires an outcome"),
    ("related names a missing issue", "issues/2023-0311-related", 11, "related[1]", "no issue '2023-0299-ghost' exists"),
    # Personal data and markup.
    ("mobile in front matter", "issues/2023-0401-phonefront", 11, "location", "contains a mobile phone number (手机号) (13*******78)"),
    ("mobile in body", "issues/2023-0402-phonebody", 14, "(body)", "contains a mobile phone number (手机号)"),
    ("ID card in body", "issues/2023-0403-idcard", 13, "(body)", "contains an ID card number (身份证号)"),
    ("e-mail in front matter", "issues/2023-0404-emailfront", 3, "title", "contains an e-mail address (电子邮箱)"),
    ("e-mail in body", "issues/2023-0405-emailbody", 15, "(body)", "contains an e-mail address (电子邮箱)"),
    ("raw HTML tag", "issues/2023-0406-html", 13, "(body)", "raw HTML '<script>' is not allowed"),
    ("raw HTML comment", "issues/2023-0407-comment", 14, "(body)", "raw HTML '<!--' is not allowed"),
]

#: Valid records: the base the defects refer to, and the other half of a cross-file defect.
VALID = (
    "2023-0101-good", "2023-0102-later", "2023-0120-meet", "2023-0320-hub", "2030-0101-next",
    "2023-0211-dupa", "2023-0226-report", "2023-0228-decided", "2023-0228-votefail",
)


@pytest.fixture(scope="module")
def result() -> Result:
    """One run of ``yishi check`` over the whole fixture."""
    return CliRunner().invoke(main, ["check", "--root", str(BROKEN)])


def _location(path: str, line: int, field: str) -> str:
    return f"content/{path}.md:{line}: {field}: "


@pytest.mark.parametrize(
    ("path", "line", "field", "message"),
    [pytest.param(*row[1:], id=row[0]) for row in EXPECTED],
)
def test_defect_is_reported_at_its_key(
    result: Result, path: str, line: int, field: str, message: str
) -> None:
    prefix = _location(path, line, field)
    found = [out for out in result.stdout.splitlines() if out.startswith(prefix)]
    assert any(message in out for out in found), (prefix, message, result.stdout)


#: Rows whose message is given whole: the line must be exactly the location and it.
EXACT = EXPECTED[:EXPECTED.index(next(r for r in EXPECTED if r[0] == "timeline out of order"))]


@pytest.mark.parametrize(
    ("path", "line", "field", "message"),
    [pytest.param(*row[1:], id=row[0]) for row in EXACT],
)
def test_schema_and_file_errors_are_chinese_with_the_english_beside(
    result: Result, path: str, line: int, field: str, message: str
) -> None:
    assert _location(path, line, field) + message in result.stdout.splitlines()


def _prefix(out: str) -> str:
    where, field, _message = out.split(": ", 2)
    return f"{where}: {field}: "


def test_one_run_reports_every_defect_and_nothing_else(result: Result) -> None:
    reported = result.stdout.splitlines()
    assert sorted(_prefix(out) for out in reported) == sorted(
        _location(*row[1:4]) for row in EXPECTED
    )
    assert result.exit_code == 1
    files = len({row[1] for row in EXPECTED})
    assert (f"{files} 个文件共 {len(EXPECTED)} 个问题 "
            f"({len(EXPECTED)} problem(s) in {files} file(s)).") in result.stderr


def test_valid_records_of_the_fixture_are_not_reported(result: Result) -> None:
    for record_id in VALID:
        assert f"/{record_id}.md:" not in result.stdout


def test_every_fixture_file_has_exactly_one_defect(result: Result) -> None:
    paths = [out.split(":", 1)[0] for out in result.stdout.splitlines()]
    files = sorted(p.relative_to(BROKEN).as_posix() for p in BROKEN.glob("content/*/*.md"))
    broken = [f for f in files if not any(f"/{v}.md" in f for v in VALID)]
    # A duplicate id is also an id that differs from its file name: the one file with two.
    assert sorted(set(paths)) == broken
    assert {p: paths.count(p) for p in paths if paths.count(p) > 1} == {
        "content/issues/2023-0211-dupb.md": 2
    }


def test_real_subprocess_reports_the_same_and_exits_1(result: Result) -> None:
    run = subprocess.run(
        [str(Path(sys.executable).with_name("yishi")), "check", "--root", str(BROKEN)],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )
    assert run.returncode == 1
    assert run.stdout == result.stdout
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().endswith("file(s)).")


def test_every_message_is_chinese_first(result: Result) -> None:
    """Moderators read Chinese: each message starts in Chinese, English beside it."""
    for out in result.stdout.splitlines():
        message = out.split(": ", 2)[2]
        assert re.match(r"[^(]*[\u4e00-\u9fff]", message), out
        assert message.endswith(")"), out
