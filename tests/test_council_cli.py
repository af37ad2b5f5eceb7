"""``yishi council …`` and ``yishi review`` of council changes, through click on real git."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from intake_support import git, make_records_repo
from yishi.cli import main
from yishi.council import load_council
from yishi.council_cli import council_today
from yishi.operations.changeset import CHANGE_ID_RE

RECEIVED = "2026-1118-cd9p"
PATH = f"content/issues/{RECEIVED}.md"


@pytest.fixture
def records(tmp_path: Path) -> Path:
    return make_records_repo(tmp_path / "records", full=True)


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def council(records: Path, *args: str, by: str = "王主持", on: str = "2026-11-20") -> Result:
    return run("council", *args, "--root", str(records), "--by", by, "--on", on)


def change_id(result: Result) -> str:
    assert result.exit_code == 0, result.output
    last = result.stdout.strip().splitlines()[-1]
    assert CHANGE_ID_RE.match(last), last
    return last


def change_branches(records: Path) -> list[str]:
    return git(records, "branch", "--list", "change/*", "--format=%(refname:short)").split()


def test_screen_accept_opens_one_change_and_prints_its_id_last(records: Path) -> None:
    before = (records / PATH).read_bytes()
    dry = council(records, "screen", RECEIVED, "--accept", "--dry-run")
    dry_id = change_id(dry)
    assert "状态变化 status changes **1**" in dry.stdout and "accepted" in dry.stdout
    assert "-status: received\n+status: accepted\n" in dry.stdout  # only the lines it means to
    assert change_branches(records) == []  # a dry run writes nothing
    made = change_id(council(records, "screen", RECEIVED, "--accept"))
    assert made == dry_id and made.startswith(f"{RECEIVED}-screen-")
    assert change_branches(records) == [f"change/{made}"]
    assert (records / PATH).read_bytes() == before  # main and the working tree wait for review
    assert git(records, "log", "-1", "--format=%an", f"change/{made}").strip() == "王主持"
    listed = run("review", "list", "--repo", str(records))
    assert listed.exit_code == 0
    assert f"{made}  screen  王主持  受理提案 {RECEIVED}" in listed.stdout
    shown = run("review", "show", made, "--repo", str(records))
    assert shown.exit_code == 0
    assert "申请人 requested by: 王主持" in shown.stdout and "accepted" in shown.stdout
    assert "-status: received\n+status: accepted\n" in shown.stdout


def test_a_refusal_exits_1_with_the_reason_and_changes_nothing(records: Path) -> None:
    refused = council(records, "screen", "2026-1103-yq5g", "--accept")  # already accepted
    assert refused.exit_code == 1
    assert refused.stderr.startswith("yishi council screen: status: 提案 2026-1103-yq5g")
    assert "Traceback" not in refused.output and refused.stdout == ""
    assert change_branches(records) == []
    unknown = council(records, "screen", RECEIVED, "--reject", "--reason", "不属于公共事务",
                      "--failed", "publik")
    assert unknown.exit_code == 1 and "failed" in unknown.stderr and "public" in unknown.stderr
    neither = council(records, "screen", RECEIVED)
    assert neither.exit_code == 1 and "--accept" in neither.stderr


def test_four_eyes_on_the_command_line(records: Path) -> None:
    made = change_id(council(records, "screen", RECEIVED, "--accept", "--repo", str(records)))
    own = run("review", "approve", made, "--by", "王主持", "--repo", str(records))
    assert own.exit_code == 1 and "四眼原则" in own.output
    anonymous = run("review", "approve", made, "--repo", str(records))
    assert anonymous.exit_code == 1 and "--by" in anonymous.output
    approved = run("review", "approve", made, "--by", "李委员", "--repo", str(records))
    assert approved.exit_code == 0, approved.output
    assert "status: accepted" in (records / PATH).read_text()
    assert change_branches(records) == []


def test_two_moderators_accept_and_reject_the_same_proposal(records: Path) -> None:
    accept = change_id(council(records, "screen", RECEIVED, "--accept", by="王主持"))
    reject = change_id(council(records, "screen", RECEIVED, "--reject", "--reason",
                               "属于个人诉求", "--failed", "public", by="赵委员"))
    assert run("review", "approve", accept, "--by", "李委员", "--repo", str(records)).exit_code == 0
    accepted = git(records, "show", f"main:{PATH}")
    second = run("review", "approve", reject, "--by", "李委员", "--repo", str(records))
    assert second.exit_code == 1
    assert "王主持" in second.output and PATH in second.output and "无法应用变更" in second.output
    assert git(records, "show", f"main:{PATH}") == accepted  # never overwritten


def test_two_identical_accepts_the_second_is_already_done(records: Path) -> None:
    first = change_id(council(records, "screen", RECEIVED, "--accept", by="王主持"))
    again = change_id(council(records, "screen", RECEIVED, "--accept", by="赵委员"))
    assert first != again
    assert run("review", "approve", first, "--by", "李委员", "--repo", str(records)).exit_code == 0
    accepted = git(records, "show", f"main:{PATH}")
    done = run("review", "approve", again, "--by", "李委员", "--repo", str(records))
    assert done.exit_code == 0 and "无需重复应用" in done.stdout
    assert git(records, "show", f"main:{PATH}") == accepted
    assert git(records, "log", "--no-merges", "--format=%s", "main").count("受理提案") == 1
    # The same step asked for again once main has it is refused by the lifecycle.
    late = council(records, "screen", RECEIVED, "--accept", by="赵委员")
    assert late.exit_code == 1 and "已受理" in late.stderr


def test_the_change_is_made_from_main_not_the_working_tree(records: Path) -> None:
    edited = (records / PATH).read_text().replace("\nstatus: received\n", "\nstatus: rejected\n")
    (records / PATH).write_text(edited)  # an uncommitted edit in the checkout
    made = change_id(council(records, "screen", RECEIVED, "--accept"))
    assert "status: accepted" in git(records, "show", f"change/{made}:{PATH}")
    assert (records / PATH).read_text() == edited


def test_today_is_the_councils_today() -> None:
    council = load_council(Path(__file__).resolve().parents[1])
    assert council.timezone == "+08:00"
    late_evening_utc = dt.datetime(2026, 11, 19, 20, 30, tzinfo=dt.UTC)
    assert council_today(council, late_evening_utc) == dt.date(2026, 11, 20)
    west = council.model_copy(update={"timezone": "America/New_York"})
    assert council_today(west, late_evening_utc) == dt.date(2026, 11, 19)


def test_declining_a_change_sets_it_aside(records: Path) -> None:
    made = change_id(council(records, "screen", RECEIVED, "--withdraw", "--reason", "提议人撤回"))
    declined = run("review", "decline", made, "--reason", "提议人又改主意了", "--repo", str(records))
    assert declined.exit_code == 0 and made in declined.stdout
    assert change_branches(records) == []
    assert made not in run("review", "list", "--repo", str(records)).stdout
    again = run("review", "approve", made, "--by", "李委员", "--repo", str(records))
    assert again.exit_code == 1 and "closed" in again.output
    assert "status: received" in git(records, "show", f"main:{PATH}")


def test_import_makes_one_change_or_refuses_every_bad_row(records: Path, tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "docs" / "examples" / "paper-proposals.csv"
    made = change_id(council(records, "import", str(example), on="2026-11-25"))
    added = git(records, "diff", "--name-status", "main", f"change/{made}").splitlines()
    rows = len(list(csv.DictReader(io.StringIO(example.read_text(encoding="utf-8-sig")))))
    assert len(added) == rows and all(line.startswith("A\tcontent/issues/") for line in added)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(example.read_bytes().replace(b"mailbox", b"pigeon"))
    refused = council(records, "import", str(bad), on="2026-11-25")
    assert refused.exit_code == 1 and "bad.csv:" in refused.stderr and "channel" in refused.stderr
    assert change_branches(records) == [f"change/{made}"]


def test_escalate_on_the_command_line(records: Path) -> None:
    accepted = change_id(council(records, "screen", RECEIVED, "--accept", on="2026-11-19"))
    assert run("review", "approve", accepted, "--by", "李委员", "--repo", str(records)).exit_code == 0
    planned = council(records, "plan", "--date", "2026-11-20", "--time", "19:00", "--place", "议事厅",
                      "--level", "community", "--community", "shengye", "--convener", "社区党委",
                      "--agenda", RECEIVED, on="2026-11-19")
    meeting = planned.stdout.strip().splitlines()[-2]
    assert meeting.startswith("2026-1120-")  # the new meeting's id, on the line before
    assert run("review", "approve", change_id(planned), "--by", "李委员",
               "--repo", str(records)).exit_code == 0
    made = change_id(council(records, "escalate", RECEIVED, "--level", "town",
                             "--reason", "需镇城建科协调", "--body", "镇城建科", on="2026-11-21"))
    assert "escalated_to" in git(records, "show", f"change/{made}:{PATH}")


def test_an_edit_elsewhere_in_the_record_is_kept_and_the_step_rerun(records: Path) -> None:
    made = change_id(council(records, "screen", RECEIVED, "--accept", by="王主持"))
    text = (records / PATH).read_text(encoding="utf-8")
    (records / PATH).write_text(text.replace("location: 盛业家园北门车棚",
                                             "location: 盛业家园北门车棚（东侧）"), encoding="utf-8")
    git(records, "commit", "-qam", "更正地点")
    approved = run("review", "approve", made, "--by", "李委员", "--repo", str(records))
    assert approved.exit_code == 0 and "重新执行" in approved.stdout
    final = git(records, "show", f"main:{PATH}")
    assert "（东侧）" in final and "\nstatus: accepted\n" in final
    assert run("check", "--root", str(records)).exit_code == 0
