"""Round-trip editing: records written through ruamel keep every byte they did not change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from operations_support import BY, PROJECT, demo, diff_lines
from yishi.loading import RecordLoader
from yishi.operations import screen_accept
from yishi.operations.record_text import RecordText, dump_unchanged
from yishi.synthetic import write_synthetic_repository

RECORDS = sorted((PROJECT / "content").glob("*/*.md"))


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.name)
def test_every_demo_record_round_trips_byte_for_byte(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert dump_unchanged(path.name, text) == text


def test_synthetic_records_round_trip_byte_for_byte(tmp_path: Path) -> None:
    write_synthetic_repository(tmp_path, 60, seed=3)
    paths = sorted((tmp_path / "content").glob("*/*.md"))
    assert len(paths) > 60
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert dump_unchanged(path.name, text) == text, path.name


@pytest.mark.parametrize("value", ["no", "yes", "on", "off", "10:00", "19:30", "2024-01-01",
                                   "null", "~", "1e3", "0x1f", "true", "- 列表", "a: b", "#注释",
                                   "'引号", "普通文字", "12"])
def test_new_strings_read_back_identically_by_the_project_loader(value: str) -> None:
    record = RecordText("x.md", "---\nid: x\n---\nbody\n")
    record.set("note", value)
    record.set("entry", {"date": dt.date(2024, 1, 2), "note": value}, flow=True)
    front = record.front_matter()
    data = yaml.load(front, Loader=RecordLoader)
    assert data["note"] == value
    assert data["entry"] == {"date": "2024-01-02", "note": value}
    assert record.text().endswith("---\nbody\n")


def test_flow_entries_keep_the_records_spacing_and_long_lines_stay_unwrapped() -> None:
    record = RecordText("x.md", "---\ntimeline:\n  - { date: 2024-01-01, status: received }\n---\n")
    note = "很长的说明" * 60
    record.append("timeline", {"date": dt.date(2024, 1, 5), "status": "accepted", "note": note})
    assert record.front_matter() == (
        "timeline:\n  - { date: 2024-01-01, status: received }\n"
        f"  - {{ date: 2024-01-05, status: accepted, note: {note} }}\n")


def test_comments_key_order_and_quoting_survive_an_edit() -> None:
    text = ("---\n# 手写的注释\nid: x   # 行尾注释\ntime: \"19:00\"\nstatus: received\n"
            "timeline:\n  - {date: 2024-01-01, status: received}\n---\n正文 <保持原样>\n")
    record = RecordText("x.md", text)
    record.set("status", "accepted")
    record.append("timeline", {"date": dt.date(2024, 1, 2), "status": "accepted"})
    assert record.text() == text.replace("status: received\n", "status: accepted\n").replace(
        "status: received}\n", "status: received}\n  - {date: 2024-01-02, status: accepted}\n")


def test_screening_changes_only_the_screening_block_the_status_and_one_timeline_line() -> None:
    repo = demo()
    change = screen_accept(repo, "2026-1118-cd9p", by=BY, on=dt.date(2026, 11, 25),
                           encouraged=6)
    removed, added = diff_lines(repo, change, "content/issues/2026-1118-cd9p.md")
    assert removed == ["status: received"]
    assert added == [
        "status: accepted",
        "screening:",
        "  date: 2026-11-25",
        "  criteria: { public: true, legal: true, urgent: true, feasible: true }",
        "  encouraged_item: 6",
        "  - { date: 2026-11-25, status: accepted }",
    ]


def test_a_windows_file_keeps_its_crlf_line_ends() -> None:
    text = "---\r\nid: x\r\nstatus: received\r\n---\r\n正文\r\n"
    assert dump_unchanged("x.md", text) == text
    record = RecordText("x.md", text)
    record.set("status", "accepted")
    assert record.text() == text.replace("received", "accepted")
