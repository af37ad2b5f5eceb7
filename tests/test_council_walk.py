"""One proposal from ``received`` to ``done`` by council operations alone, on the command
line, each change approved by a second moderator, against a real git repository; ``yishi
check`` passes after every step, and a real ``mkdocs build`` shows the result."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner, Result

from intake_support import git, make_records_repo
from site_support import build, read_page
from yishi.cli import main
from yishi.operations.changeset import CHANGE_ID_RE

ISSUE = "2026-1118-cd9p"  # received on 2026-11-18, in the demo records
DECISION = "北门车棚新增 24 个充电口，由物业公司负责安装。"
OUTCOMES = f"""\
parties:
  - {{ party: residents_committee, count: 3 }}
  - {{ party: resident_reps, count: 10 }}
  - {{ party: property, count: 2 }}
attendance: 15
agenda:
  - issue: {ISSUE}
    outcome: decided
    decision: {DECISION}
    vote: {{ for: 13, against: 1, abstain: 1, eligible: 15, threshold: 0.5 }}
    actions:
      - {{ what: 安装 24 个充电口, responsible: property, due: 2026-11-27 }}
      - {{ what: 张贴充电安全须知, responsible: residents_committee, due: 2026-11-26 }}
"""
OUTCOME = "北门车棚已新增 24 个充电口，排队现象消失。"


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, f"yishi {' '.join(args)}:\n{result.output}"
    return result


def step(records: Path, on: str, *args: str) -> list[str]:
    """One council command by 王主持, approved by 李委员; the records then pass the checks."""
    lines = run("council", *args, "--root", str(records), "--by", "王主持",
                "--on", on).stdout.strip().splitlines()
    change_id = lines[-1]
    assert CHANGE_ID_RE.match(change_id), lines
    run("review", "approve", change_id, "--by", "李委员", "--repo", str(records))
    assert git(records, "status", "--porcelain", "--untracked-files=no") == ""
    checked = run("check", "--root", str(records))
    assert checked.stdout.startswith("OK:"), checked.output
    return lines


def status(records: Path) -> str:
    text = (records / "content" / "issues" / f"{ISSUE}.md").read_text(encoding="utf-8")
    found = re.search(r"^status: (\w+)$", text, re.M)
    assert found is not None
    return found[1]


def test_a_proposal_walks_from_received_to_done(tmp_path: Path) -> None:
    records = make_records_repo(tmp_path / "records", full=True)
    assert status(records) == "received"

    step(records, "2026-11-19", "screen", ISSUE, "--accept")
    assert status(records) == "accepted"

    planned = step(records, "2026-11-20", "plan", "--date", "2026-11-24", "--time", "19:00",
                   "--place", "盛业家园议事厅", "--level", "community", "--community", "shengye",
                   "--convener", "社区党委", "--agenda", ISSUE)
    meeting = planned[-2]
    assert (records / "content" / "meetings" / f"{meeting}.md").is_file()
    assert status(records) == "scheduled"

    outcomes = tmp_path / "outcomes.yml"
    outcomes.write_text(OUTCOMES, encoding="utf-8")
    minutes = tmp_path / "minutes.md"
    minutes.write_text("居民代表介绍排队充电的情况，物业公司说明安装方案。\n", encoding="utf-8")
    step(records, "2026-11-24", "record", meeting, "--outcomes", str(outcomes),
         "--minutes", str(minutes))
    assert status(records) == "decided"

    step(records, "2026-11-25", "follow-up", ISSUE, "--start")
    assert status(records) == "in_progress"
    step(records, "2026-11-26", "follow-up", ISSUE, "--action", "2", "--done", "2026-11-26")
    step(records, "2026-11-27", "follow-up", ISSUE, "--action", "1", "--done", "2026-11-27")
    step(records, "2026-11-28", "close", ISSUE, "--outcome", OUTCOME)
    assert status(records) == "done"
    step(records, "2026-11-29", "feedback", ISSUE, "--satisfied", "30",
         "--basically-satisfied", "4", "--dissatisfied", "1", "--resolved", "yes")

    # Every step is one reviewed change by the moderator who asked, merged by another.
    history = git(records, "log", "--format=%an|%s", "main").splitlines()
    asked = [line for line in history if line.startswith("王主持|")]
    approved = [line for line in history if line.startswith("李委员|批准变更")]
    assert len(asked) == len(approved) == 8
    assert git(records, "branch", "--list", "change/*") == ""

    site = build(records)
    issue_page = read_page(site / "issues" / ISSUE / "index.html")
    assert DECISION in issue_page.text
    assert "赞成 13" in issue_page.text and "反对 1" in issue_page.text
    assert OUTCOME in issue_page.text
    assert f"meetings/{meeting}/#{ISSUE}" in " ".join(issue_page.links)
    meeting_page = read_page(site / "meetings" / meeting / "index.html")
    assert ISSUE in meeting_page.ids
    html = (site / "meetings" / meeting / "index.html").read_text(encoding="utf-8")
    anchored = html[html.index(f'id="{ISSUE}"'):]
    assert DECISION in anchored[: anchored.index("</section>")]
