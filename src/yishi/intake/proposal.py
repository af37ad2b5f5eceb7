"""A queued submission → the :class:`~yishi.forges.base.Proposal` a forge opens.

The pull request summarises the submission for the moderator and carries the council's
screening checklist; like the record, it holds nothing private.
"""

from __future__ import annotations

from ..council import Council
from ..forges.base import Proposal
from ..forges.inert import inert
from ..ids import id_date
from ..records import KIND_LABELS
from .record import ANONYMOUS, build_issue, escape_markdown, photo_paths, render_record
from .submission import Submission

LABEL = "proposal"


def shown(text: str) -> str:
    """Resident text as a forge shows it: inert markdown (no markup, mention or reference)."""
    return inert(escape_markdown(text))


def commit_message(issue_id: str, channel: str, submission: Submission) -> str:
    """The proposal's commit message; the resident's title in it is inert."""
    return f"Add proposal {issue_id} ({channel})\n\n{inert(submission.title)}\n"


def _summary(issue_id: str, submission: Submission, council: Council, photos: int) -> str:
    kind = KIND_LABELS[submission.kind]
    if submission.cosigners:
        kind += f"({submission.cosigners} 人联名)"
    if submission.organization:
        kind += f"({shown(submission.organization)})"
    rows = [
        ("回执编号", f"`{issue_id}`"),
        ("社区", council.community_names[submission.community]),
        ("类别", council.category_names[submission.category]),
        ("提案类型", kind),
        ("提案人(公开)", shown(submission.name or ANONYMOUS)),
        ("地点", shown(submission.location or "—")),
        ("照片", f"{photos} 张" if photos else "无"),
    ]
    table = "\n".join(f"| {key} | {value} |" for key, value in rows)
    quoted = "\n".join(f"> {line}" if line else ">" for line in
                       shown(submission.description).split("\n"))
    criteria = "\n".join(f"- [ ] {c.name}:{c.description}" for c in council.criteria)
    return (
        f"### {shown(submission.title)}\n\n| 项目 | 内容 |\n| --- | --- |\n{table}\n\n"
        f"{quoted}\n\n"
        f"#### 筛选清单\n\n{criteria}\n- [ ] 不属于负面清单\n\n"
        f"合并即登记为“已收到”;筛选结果请在合并后编辑记录的 `screening` 和 `timeline`。\n"
        f"联系方式不在此处,只保存在受理服务的私密存储中。\n"
    )


def build_proposal(
    issue_id: str, submission: Submission, photos: list[bytes], council: Council
) -> Proposal:
    """The branch, commit and pull request for a queued submission."""
    submitted = id_date(issue_id)
    if submitted is None:
        raise ValueError(f"not a record id: {issue_id!r}")
    issue = build_issue(issue_id, submission, submitted, council, photo_count=len(photos))
    files = {f"content/issues/{issue_id}.md": render_record(issue, submission.description).encode()}
    for path, data in zip(photo_paths(issue_id, len(photos)), photos, strict=True):
        files[f"content/{path}"] = data
    return Proposal(
        issue_id=issue_id,
        title=f"提案 {issue_id}:{inert(submission.title)}",
        body=_summary(issue_id, submission, council, len(photos)),
        files=files,
        commit_message=commit_message(issue_id, "web form", submission),
        labels=(LABEL, submission.community, submission.category),
    )
