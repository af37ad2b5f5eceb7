"""Fixture records repositories for the open-data tests: real git, real ``mkdocs build``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

DONE = "2023-0403-k7qm"  # decided at MEETING, then done
MERGED = "2023-0405-mq3d"  # merged into DONE
WITHDRAWN = "2025-0506-wd2x"
REJECTED = "2026-0812-rj4w"
RECEIVED = "2026-1118-cd9p"
MEETING = "2023-0418-sy01"
UPCOMING = "2099-0105-up01"  # a meeting far in the future, for the calendar

RECORDS: dict[str, str] = {
    f"issues/{DONE}.md": """\
---
id: 2023-0403-k7qm
title: 楼道小广告层层叠叠,希望集中清理
community: shengye
grid: 二网格
category: ads
kind: joint
cosigners: 12
proposer: 任女士等居民
submitted: 2023-04-03
channel: mailbox
location: 盛业家园 3、5、7 号楼楼道
status: done
screening:
  date: 2023-04-06
  criteria: { public: true, legal: true, urgent: true, feasible: true }
  encouraged_item: 2
timeline:
  - { date: 2023-04-03, status: received, note: 意见信箱收到联名提案 }
  - { date: 2023-04-06, status: accepted }
  - { date: 2023-04-06, status: scheduled, meeting: 2023-0418-sy01 }
  - { date: 2023-04-18, status: decided, meeting: 2023-0418-sy01 }
  - { date: 2023-04-19, status: done, note: 40 余名志愿者清理全部楼道 }
outcome: 整个楼道清新明目。
feedback: { date: 2023-05-10, satisfied: 36, basically_satisfied: 5, dissatisfied: 1, resolved: true }
---
=楼道内的小广告一层一层的,太影响美观了。希望社区组织一次集中清理。
""",
    f"issues/{MERGED}.md": """\
---
id: 2023-0405-mq3d
title: 单元门和电梯间贴满开锁小广告
community: shengye
category: ads
submitted: 2023-04-05
channel: web
location: 盛业家园 2 号楼
status: merged
merged_into: 2023-0403-k7qm
timeline:
  - { date: 2023-04-05, status: received }
  - { date: 2023-04-06, status: merged, note: 与楼道小广告联名提案内容相同，并入一并办理 }
---
单元门上、电梯间里全是开锁的小广告。
""",
    f"issues/{WITHDRAWN}.md": """\
---
id: 2025-0506-wd2x
title: 5 号楼楼道声控灯坏了
community: shenghong
category: amenities
submitted: 2025-05-06
channel: web
status: withdrawn
timeline:
  - { date: 2025-05-06, status: received }
  - { date: 2025-05-09, status: withdrawn, note: 物业已修好，提案人撤回 }
---
5 号楼 2 单元的声控灯坏了一个多月。
""",
    f"issues/{REJECTED}.md": """\
---
id: 2026-0812-rj4w
title: 请村里出面让房东降低租金
community: langezhuang
category: business
submitted: 2026-08-12
channel: mailbox
status: rejected
screening:
  date: 2026-08-20
  criteria: { public: false, legal: true, urgent: false, feasible: false }
  negative_item: 4
  note: 属负面清单第 4 项。
timeline:
  - { date: 2026-08-12, status: received }
  - { date: 2026-08-20, status: rejected, note: 负面清单第 4 项 }
---
希望村里出面跟房东谈一谈。
""",
    f"issues/{RECEIVED}.md": """\
---
id: 2026-1118-cd9p
title: 北门车棚充电口太少
community: shengye
category: amenities
submitted: 2026-11-18
channel: web
location: 盛业家园北门车棚
status: received
timeline:
  - { date: 2026-11-18, status: received }
---
北门车棚只有 12 个充电口。
""",
    f"meetings/{MEETING}.md": """\
---
id: 2023-0418-sy01
title: 盛业家园社区小广告治理协商议事会
date: 2023-04-18
time: "19:00"
level: community
community: shengye
place: 盛业家园社区议事厅
convener: 社区党委
parties:
  - { party: residents_committee, count: 3 }
  - { party: resident_reps, count: 8 }
attendance: 11
agenda:
  - issue: 2023-0403-k7qm
    outcome: decided
    decision: 次日组织志愿者集中清理楼道小广告。
    vote: { for: 10, against: 0, abstain: 1, eligible: 11, threshold: 0.5, result: pass }
---
与会各方讨论后形成决策方案。
""",
    f"meetings/{UPCOMING}.md": """\
---
id: 2099-0105-up01
title: 盛业家园社区新年议事会
date: 2099-01-05
time: "19:30"
level: community
community: shengye
place: 盛业家园社区议事厅
convener: 社区党委
---
""",
}


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` with a fixed identity; the output, stripped."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Secretary", "GIT_AUTHOR_EMAIL": "sec@example.org",
           "GIT_COMMITTER_NAME": "Secretary", "GIT_COMMITTER_EMAIL": "sec@example.org"}
    out = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                         check=True, env=env)
    return out.stdout.strip()


def commit(repo: Path, message: str, when: str) -> str:
    """Commit everything at the ISO date ``when``; the new commit's hash."""
    git(repo, "add", "-A")
    env_date = ["-c", "commit.gpgsign=false"]
    subprocess.run(
        ["git", "-C", str(repo), *env_date, "commit", "-q", "-m", message],
        check=True, capture_output=True,
        env={**os.environ, "GIT_AUTHOR_NAME": "Secretary", "GIT_AUTHOR_EMAIL": "sec@example.org",
             "GIT_COMMITTER_NAME": "Secretary", "GIT_COMMITTER_EMAIL": "sec@example.org",
             "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when},
    )
    return git(repo, "rev-parse", "HEAD")


def make_repo(root: Path, site_url: str = "", init_git: bool = True) -> Path:
    """A records repository: the project's mkdocs.yml and council, the fixture records."""
    root.mkdir(parents=True, exist_ok=True)
    config = (PROJECT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^site_url:.*$", f"site_url: {site_url!r}", config)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    content = root / "content"
    (content / "issues").mkdir(parents=True, exist_ok=True)
    (content / "meetings").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT / "content" / "council.yml", content / "council.yml")
    for rel, text in RECORDS.items():
        (content / rel).write_text(text, encoding="utf-8")
    if init_git:
        git(root, "init", "-q", "-b", "main")
        commit(root, "Add the first records", "2023-04-20T10:00:00+08:00")
    return root


def build(root: Path, site_dir: Path) -> Path:
    """``mkdocs build`` of ``root`` into ``site_dir``, failing the test on any warning."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict",
         "-f", str(root / "mkdocs.yml"), "-d", str(site_dir)],
        capture_output=True, text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return site_dir
