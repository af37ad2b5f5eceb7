"""Issue and meeting pages rendered straight from records (no MkDocs): the facts they show."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from site_support import PROJECT
from yishi.loading import load_repository
from yishi.site.context import SiteContext, SiteSettings
from yishi.site.record_pages import render_issue, render_meeting

DECIDED = """---
id: 2024-0105-dcd1
title: 三号楼加装电梯
community: shengye
category: elevators
submitted: 2024-01-05
channel: web
status: in_progress
timeline:
  - { date: 2024-01-05, status: received }
  - { date: 2024-01-08, status: accepted }
  - { date: 2024-01-08, status: scheduled, meeting: 2024-0120-mtg1 }
  - { date: 2024-01-20, status: decided, meeting: 2024-0120-mtg1 }
  - { date: 2024-01-25, status: in_progress }
actions:
  - { what: 征求全体业主意见, responsible: owners_committee, due: 2024-02-01, done: 2024-01-30 }
  - { what: 提交加装申请, responsible: residents_committee, due: 2024-03-01 }
  - { what: 施工, responsible: property, due: 2099-01-01 }
---
三号楼老人多,上下楼困难。
"""

MERGED = """---
id: 2024-0106-mrg2
title: 希望三号楼装电梯
community: shengye
category: elevators
submitted: 2024-01-06
channel: mailbox
status: merged
merged_into: 2024-0105-dcd1
timeline:
  - { date: 2024-01-06, status: received }
  - { date: 2024-01-08, status: merged, note: 与 2024-0105-dcd1 相同 }
---
同上。
"""

ESCALATED = """---
id: 2024-0107-esc3
title: 河道异味
community: heipan
category: waste
submitted: 2024-01-07
channel: grid_worker
status: escalated
escalated_to: { level: district, body: 区水务局 }
timeline:
  - { date: 2024-01-07, status: received }
  - { date: 2024-01-08, status: accepted }
  - { date: 2024-01-08, status: scheduled, meeting: 2024-0120-mtg1 }
  - { date: 2024-01-20, status: escalated, meeting: 2024-0120-mtg1 }
---
河道夏天有异味。
"""

MEETING = """---
id: 2024-0120-mtg1
title: 一月议事会
date: 2024-01-20
level: community
community: shengye
place: 社区议事厅
convener: 社区党委
supervisor: 监督委员会主任
parties:
  - { party: resident_reps, count: 7 }
  - { party: property, count: 2 }
agenda:
  - issue: 2024-0105-dcd1
    outcome: decided
    decision: 同意启动加装电梯,由业委会征求意见。
    vote: { for: 8, against: 1, abstain: 1, eligible: 10, threshold: 0.667 }
  - issue: 2024-0107-esc3
    outcome: escalated
    note: 超出社区能力。
---
会议纪要。
"""


@pytest.fixture
def ctx(tmp_path: Path) -> SiteContext:
    (tmp_path / "content" / "issues").mkdir(parents=True)
    (tmp_path / "content" / "meetings").mkdir()
    shutil.copy(PROJECT / "content" / "council.yml", tmp_path / "content" / "council.yml")
    for text in (DECIDED, MERGED, ESCALATED):
        record_id = text.split("id: ", 1)[1].split("\n", 1)[0]
        (tmp_path / "content" / "issues" / f"{record_id}.md").write_text(text, encoding="utf-8")
    (tmp_path / "content" / "meetings" / "2024-0120-mtg1.md").write_text(MEETING, encoding="utf-8")
    repo = load_repository(tmp_path)
    assert repo.problems == [] and len(repo.issues) == 3
    built = datetime(2024, 6, 1, 12, tzinfo=timezone(timedelta(hours=8)))
    return SiteContext(repo, SiteSettings(), built)


def test_decided_issue_quotes_the_decision_vote_and_overdue_actions(ctx: SiteContext) -> None:
    html = render_issue(ctx, ctx.repo.issues["2024-0105-dcd1"])
    assert "同意启动加装电梯,由业委会征求意见。" in html
    assert 'href="../../meetings/2024-0120-mtg1/#2024-0105-dcd1"' in html
    assert "赞成 <strong>8</strong>" in html and "应参与表决 <strong>10</strong>" in html
    assert "67%" in html and "赞成票达到门槛" in html and ">通过<" in html
    # Due 2024-03-01, not done, built 2024-06-01: overdue. The 2099 one is not; the done one is not.
    assert html.count("已逾期") == 1
    assert "2024-01-30 完成" in html
    assert "业委会" in html and "物业公司" in html


def test_merged_issue_points_to_the_issue_it_joined(ctx: SiteContext) -> None:
    html = render_issue(ctx, ctx.repo.issues["2024-0106-mrg2"])
    assert 'href="../../issues/2024-0105-dcd1/">三号楼加装电梯</a>' in html


def test_escalated_issue_names_where_it_went(ctx: SiteContext) -> None:
    html = render_issue(ctx, ctx.repo.issues["2024-0107-esc3"])
    assert "已提级至区级:区水务局" in html


def test_meeting_page_anchors_items_and_shows_parties(ctx: SiteContext) -> None:
    html = render_meeting(ctx, ctx.repo.meetings["2024-0120-mtg1"])
    assert '<section class="yi-agenda-item" id="2024-0105-dcd1">' in html
    assert '<section class="yi-agenda-item" id="2024-0107-esc3">' in html
    assert "居民代表 <strong>7</strong> 人" in html and "物业公司 <strong>2</strong> 人" in html
    assert "监督委员会主任" in html and "提级协商" in html and "会议纪要。" in html
