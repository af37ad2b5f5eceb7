"""The baseline site: the same issue and meeting pages as plain markdown, built by plain
MkDocs + Material (its own search, jieba for Chinese) with a small fixed navigation and no
Yishi plugin. It is what a council would get by writing pages by hand."""

from __future__ import annotations

from pathlib import Path

from yishi.lifecycle import label
from yishi.loading import Repository, load_repository
from yishi.records import KIND_LABELS, OUTCOME_LABELS, Issue, Meeting

MKDOCS_YML = """\
site_name: 示范街道居民议事协商(基线)
docs_dir: docs
site_dir: site
theme:
  name: material
  language: zh
  features:
    - navigation.tabs
    - navigation.top
plugins:
  - search:
      lang: zh
markdown_extensions:
  - toc:
      permalink: true
      slugify: !!python/object/apply:pymdownx.slugs.slugify
        kwds:
          case: lower
  - attr_list
  - tables
nav:
  - 首页: index.md
  - 提案: issues.md
  - 议事会: meetings.md
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def issue_markdown(repo: Repository, issue: Issue, body: str) -> str:
    """An issue page as a council might write it by hand."""
    council = repo.council
    assert council is not None
    facts = [
        ("编号", issue.id), ("社区", council.community_names[issue.community]),
        ("类别", council.category_names[issue.category]), ("状态", label(issue.status)),
        ("提案类型", KIND_LABELS[issue.kind]), ("提案人", issue.proposer),
        ("提交日期", issue.submitted.isoformat()), ("地点", issue.location or ""),
    ]
    out = [f"# {issue.title}", "", "| 项目 | 内容 |", "|---|---|"]
    out += [f"| {k} | {_cell(v)} |" for k, v in facts]
    out += ["", "## 提案内容", "", body, "", "## 办理进程", ""]
    out += [f"- {e.date} {label(e.status)}" + (f":{e.note}" if e.note else "")
            + (f"([议事会](../meetings/{e.meeting}.md))" if e.meeting else "")
            for e in issue.timeline]
    decision = repo.decision(issue.id)
    if decision is not None:
        out += ["", "## 决议", "", f"> {decision.item.decision}", "",
                f"见[{decision.meeting.title}](../meetings/{decision.meeting.id}.md#{issue.id})。"]
        if decision.item.vote is not None:
            vote = decision.item.vote
            out += ["", f"表决:赞成 {vote.yes},反对 {vote.no},弃权 {vote.abstain}(应到 {vote.eligible})。"]
    actions = [*(decision.item.actions if decision else []), *issue.actions]
    if actions:
        out += ["", "## 措施", "", "| 事项 | 责任方 | 期限 | 进展 |", "|---|---|---|---|"]
        out += [f"| {_cell(a.what)} | {council.party_names[a.responsible]} | {a.due or ''} | "
                f"{_cell(a.progress)} |" for a in actions]
    if issue.outcome:
        out += ["", "## 结果", "", issue.outcome]
    if issue.feedback is not None:
        f = issue.feedback
        out += ["", "## 居民评价", "",
                f"满意 {f.satisfied},基本满意 {f.basically_satisfied},不满意 {f.dissatisfied}。"]
    return "\n".join(out) + "\n"


def meeting_markdown(repo: Repository, meeting: Meeting, body: str) -> str:
    """A meeting page with its agenda items anchored by issue id."""
    council = repo.council
    assert council is not None
    out = [f"# {meeting.title}", "", "| 项目 | 内容 |", "|---|---|",
           f"| 日期 | {meeting.date} {meeting.time or ''} |", f"| 地点 | {_cell(meeting.place)} |",
           f"| 召集人 | {_cell(meeting.convener)} |", f"| 监督人 | {_cell(meeting.supervisor or '')} |",
           "", "## 参会各方", ""]
    out += [f"- {council.party_names[p.party]} {p.count} 人" for p in meeting.parties]
    out += ["", "## 议题", ""]
    for item in meeting.agenda:
        issue = repo.issues.get(item.issue)
        title = issue.record.title if issue else item.issue
        outcome = OUTCOME_LABELS[item.outcome] if item.outcome else "待议"
        out += [f"### {title} {{#{item.issue}}}", "",
                f"[提案 {item.issue}](../issues/{item.issue}.md):{outcome}。", ""]
        if item.decision:
            out += [f"> {item.decision}", ""]
        if item.note:
            out += [item.note, ""]
    out += ["## 会议纪要", "", body]
    return "\n".join(out) + "\n"


def write_baseline(repo_root: Path, out: Path) -> int:
    """Write the baseline MkDocs project for the records under ``repo_root``; pages written."""
    repo = load_repository(repo_root)
    docs = out / "docs"
    (docs / "issues").mkdir(parents=True, exist_ok=True)
    (docs / "meetings").mkdir(parents=True, exist_ok=True)
    (out / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (docs / "index.md").write_text(
        "# 示范街道居民议事协商\n\n居民提案、议事会和决议。\n", encoding="utf-8")
    (docs / "issues.md").write_text(
        f"# 提案\n\n共 {len(repo.issues)} 项提案,请使用搜索查找。\n", encoding="utf-8")
    (docs / "meetings.md").write_text(
        f"# 议事会\n\n共 {len(repo.meetings)} 次议事会,请使用搜索查找。\n", encoding="utf-8")
    for issue_id, loaded in repo.issues.items():
        (docs / "issues" / f"{issue_id}.md").write_text(
            issue_markdown(repo, loaded.record, loaded.body), encoding="utf-8")
    for meeting_id, loaded_meeting in repo.meetings.items():
        (docs / "meetings" / f"{meeting_id}.md").write_text(
            meeting_markdown(repo, loaded_meeting.record, loaded_meeting.body), encoding="utf-8")
    return len(repo.issues) + len(repo.meetings) + 3
