"""Importing paper proposals from CSV: the example imports, bad rows are all reported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from operations_support import BY, PROJECT, apply, demo
from yishi.operations import CsvRefused, import_paper_proposals, rerun

EXAMPLE = PROJECT / "docs" / "examples" / "paper-proposals.csv"
ON = dt.date(2026, 11, 30)


def fixed_ids(*values: str) -> Iterator[str]:
    return iter(values)


def test_the_example_csv_imports_as_received_issues_with_the_proposer_as_given() -> None:
    assert EXAMPLE.read_bytes().startswith(b"\xef\xbb\xbf")  # as Excel saves "CSV UTF-8"
    allocated = fixed_ids("2026-1120-aaaa", "2026-1121-bbbb", "2026-1122-cccc")
    change = import_paper_proposals(demo(), EXAMPLE, by=BY, on=ON,
                                    new_id=lambda day: next(allocated))
    assert change.operation == "import"
    assert sorted(change.files) == [f"content/issues/{i}.md" for i in
                                    ("2026-1120-aaaa", "2026-1121-bbbb", "2026-1122-cccc")]
    after = apply(demo(), change)
    joint = after.issues["2026-1120-aaaa"].record
    assert (joint.proposer, joint.channel.value, joint.cosigners, joint.grid) == (
        "3 号楼居民", "mailbox", 8, "二网格")
    assert after.issues["2026-1120-aaaa"].body.endswith("希望尽快修好，再加一盏。")
    by_name = after.issues["2026-1121-bbbb"].record  # Chinese names and 2026/11/21 accepted
    assert (by_name.community, by_name.category, by_name.kind.value, by_name.proposer) == (
        "shenghong", "clutter", "individual", "居民")
    assert by_name.submitted == dt.date(2026, 11, 21)
    assert all(BY not in data.decode() for data in change.files.values())
    assert change.summary == "录入纸质提案 3 件（意见信箱 1、网格员收集 1、会上提出 1）：2026-1120-aaaa 等"


def test_three_bad_rows_are_all_reported_and_nothing_is_produced() -> None:
    csv = ("title,description,community,category,submitted,channel\n"
           "好提案,内容,shengye,ads,2026-11-01,mailbox\n"
           ",缺标题,shengye,ads,2026-11-01,mailbox\n"
           "电话,请打 13912345678,shengy,ads,2026-11-01,mailbox\n"
           "网上,<b>粗体</b>,shengye,ads,2026-11-01,web\n")
    with pytest.raises(CsvRefused) as caught:
        import_paper_proposals(demo(), csv.encode(), by=BY, on=ON, name="paper.csv")
    assert caught.value.errors == [
        "paper.csv:3: title: 必填，不能为空",
        "paper.csv:4: description: 含有手机号（13*******78）；联系方式不能写进公开记录",
        "paper.csv:4: community: 没有“shengy”这个社区；是不是 'shengye'？",
        "paper.csv:5: description: 不能包含 HTML（<b>）；请只写文字",
        "paper.csv:5: channel: 没有“web”这个纸质提案渠道；可选：mailbox, grid_worker, meeting, "
        "意见信箱, 网格员收集, 会上提出",
    ]


def test_gbk_input_gets_a_clear_message_not_a_crash() -> None:
    text = EXAMPLE.read_bytes().decode("utf-8-sig")
    with pytest.raises(CsvRefused) as caught:
        import_paper_proposals(demo(), text.encode("gbk"), by=BY, on=ON, name="信箱.csv")
    (message,) = caught.value.errors
    assert message.startswith("信箱.csv:2: (文件): 文件不是 UTF-8 编码")
    assert "CSV UTF-8" in message


@pytest.mark.parametrize(("csv", "error"), [
    ("title,descripton,community,category,submitted,channel\n",
     "x.csv:1: descripton: 不认识的列名；是不是 'description'？"),
    ("title,community,category,submitted,channel\n", "x.csv:1: description: 缺少这一列（必填）"),
    ("title,description,community,category,submitted,channel\n,,,,,\n",
     "x.csv: 文件里没有提案（只有表头或空行）"),
    ("title,description,community,category,submitted,channel,kind\n"
     "联名,内容,shengye,ads,2026-11-01,mailbox,joint\n",
     "x.csv:2: cosigners: 联名提案请填写联名人数（1 至 10000 的整数），得到 ''"),
    ("title,description,community,category,submitted,channel\n"
     "未来,内容,shengye,ads,2026-12-01,mailbox\n", "x.csv:2: submitted: 提交日期 2026-12-01 晚于今天（2026-11-30）"),
    ("title,description,community,category,submitted,channel\n"
     "同一件,内容,shengye,ads,2026-11-01,mailbox\n同一件,内容,shengye,ads,2026-11-02,mailbox\n",
     "x.csv:3: title: 与第 2 行重复"),
])
def test_header_and_row_errors(csv: str, error: str) -> None:
    with pytest.raises(CsvRefused) as caught:
        import_paper_proposals(demo(), csv.encode(), by=BY, on=ON, name="x.csv")
    assert error in caught.value.errors


def test_an_import_reruns_with_the_same_ids() -> None:
    change = import_paper_proposals(demo(), EXAMPLE, by=BY, on=ON)
    again = rerun(demo(), change)
    assert again.files == change.files
    assert again.id == change.id
