"""``yishi council screen|plan|record|escalate|follow-up|close|feedback|import``.

Each command runs one council operation on the records as the main branch holds them
(never the working tree), prints the ``yishi diff`` summary of its change set, and opens
it in the forge as one change (branch ``change/<id>`` locally, a pull request on GitHub)
for a second moderator to approve with ``yishi review approve``. The change id is the
last line of the output; ``plan`` prints the new meeting's id on the line before. A
refusal exits 1 with the reason (Chinese first) on stderr and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import difflib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from . import operations
from .cli_options import root_option
from .council import Council, parse_timezone
from .diff.git import read_blobs
from .errors import YishiError
from .forges.base import Forge, ProposalRef, ProposalState
from .forges.changes import change_summary, main_records, submit_change
from .forges.local import LocalForge
from .git_records import load_repository_at
from .loading import Repository
from .operations.changeset import ChangeSet

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Step:
    """What every council command is given: where the records are, who asks, and when."""

    root: Path
    by: str
    on: dt.date | None
    dry_run: bool
    forge: str
    main_branch: str | None
    github_repo: str | None
    github_api_url: str


def council_today(council: Council | None, now: dt.datetime | None = None) -> dt.date:
    """Today in the council's time zone (:meth:`Council.today`; ``+08:00`` without one)."""
    if council is not None:
        return council.today(now)
    return (now or dt.datetime.now(dt.UTC)).astimezone(parse_timezone("+08:00")).date()


def _common(func: F) -> F:
    """The options every council command takes."""
    options = [
        root_option("记录仓库 The records repository (a git repository)."),
        click.option("--by", required=True, metavar="NAME",
                     help="提出操作的主持人 The moderator who asks (named in the commit)."),
        click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), default=None,
                     metavar="YYYY-MM-DD",
                     help="这一步的日期，默认议事会时区的今天 Date of the step "
                          "[default: today in the council's time zone]."),
        click.option("--dry-run", is_flag=True,
                     help="只显示改动，不写入 Print the diff, write nothing."),
        click.option("--forge", type=click.Choice(["local", "github"]), default="local",
                     show_default=True, help="变更去向 Where the change goes."),
        click.option("--main-branch", default=None,
                     help="主分支 Branch changes merge into [default: the repo's HEAD]."),
        click.option("--github-repo", metavar="OWNER/NAME",
                     help="GitHub 仓库 GitHub repository (forge github)."),
        click.option("--github-api-url", default="https://api.github.com", show_default=True,
                     help="GitHub API 地址 GitHub API base URL (Enterprise or a stand-in)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _step(kwargs: dict[str, Any]) -> Step:
    """Pop the common options off a command's arguments."""
    on = kwargs.pop("on")
    return Step(
        root=kwargs.pop("root"),
        by=kwargs.pop("by"),
        on=on.date() if on is not None else None,
        dry_run=kwargs.pop("dry_run"),
        forge=kwargs.pop("forge"),
        main_branch=kwargs.pop("main_branch"),
        github_repo=kwargs.pop("github_repo"),
        github_api_url=kwargs.pop("github_api_url"),
    )


def _refuse(command: str, message: str) -> None:
    """A refusal: the reason on stderr, exit status 1, nothing changed."""
    click.echo(f"yishi council {command}: {message}", err=True)
    sys.exit(1)


def _forge(step: Step) -> Forge:
    if step.forge == "local":
        return LocalForge(step.root, step.main_branch)
    if not step.github_repo:
        raise click.UsageError("--forge github needs --github-repo OWNER/NAME")
    from .forges.github import GithubForge  # PyGithub only when it is used

    # The token comes from GITHUB_TOKEN; GithubForge explains when it is missing.
    return GithubForge(step.github_repo, api_url=step.github_api_url)


def _main_rev(step: Step, forge: Forge) -> str:
    """The revision the records are read from: the local forge's main branch, else the
    checkout's ``--main-branch`` or HEAD."""
    if isinstance(forge, LocalForge):
        return forge.main_ref
    return step.main_branch or "HEAD"


def line_diff(root: Path, rev: str, change: ChangeSet) -> str:
    """The lines the change writes, as a unified diff against ``rev``."""
    before = read_blobs(root, rev, sorted(change.files))
    chunks: list[str] = []
    for path in sorted(change.files):
        old = (before[path] or b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = change.files[path].decode("utf-8", "replace").splitlines(keepends=True)
        chunks.extend(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))
    return "".join(chunks)


def _where(ref: ProposalRef) -> str:
    """Where the change now stands: waiting for review, or already merged or declined."""
    if ref.state is ProposalState.MERGED:
        return f"这项变更已批准并合并 This change was already approved: {ref.url}"
    if ref.state is ProposalState.CLOSED:
        return f"这项变更已被退回 This change was declined before: {ref.url}"
    return f"待另一位主持人批准 Waiting for a second moderator: {ref.url}"


def run_operation(command: str, step: Step,
                  make: Callable[[Repository, dt.date], ChangeSet],
                  extra_line: Callable[[ChangeSet], str] | None = None) -> None:
    """Make the change set, show it, open it in the forge, print its id last."""
    try:
        forge = _forge(step)
        rev = _main_rev(step, forge)
        records = load_repository_at(step.root, rev)
        change = make(records, step.on or council_today(records.council))
        summary = change_summary(change, step.root, rev)
        if step.dry_run:
            click.echo(summary)
            click.echo(line_diff(step.root, rev, change))
            click.echo("（演练，未写入 dry run: nothing written）")
        else:
            submitted = submit_change(
                forge, change, lambda c: change_summary(c, step.root, rev),
                records_on_main=main_records(forge) if isinstance(forge, LocalForge) else None,
            )
            change = submitted.change
            click.echo(summary if not submitted.rerun else change_summary(change, step.root, rev))
            if submitted.rerun:
                click.echo("主分支上的记录已更新，已按最新记录重新执行。"
                           " The records changed on main; the operation was run again on them.")
            click.echo(_where(submitted.ref))
    except YishiError as exc:
        _refuse(command, str(exc))
        return
    if extra_line is not None:
        click.echo(extra_line(change))
    click.echo(change.id)


@click.group()
def council() -> None:
    """议事会操作：每一步生成一项待批准的记录变更。 Council operations: each step becomes a
    change to the records that a second moderator approves (`yishi review`)."""


@council.command()
@_common
@click.argument("issue_id")
@click.option("--accept", "decision", flag_value="accept", help="受理 Accept (all criteria met).")
@click.option("--reject", "decision", flag_value="reject", help="不予受理 Reject.")
@click.option("--merge-into", metavar="OTHER_ID", help="并入另一提案 Merge into another issue.")
@click.option("--withdraw", "decision", flag_value="withdraw",
              help="应提议人要求撤回 Withdraw at the proposer's request.")
@click.option("--encouraged", type=int, metavar="N", help="鼓励清单第 N 项 Encouraged-list item.")
@click.option("--reason", help="理由（居民可见） Reason residents can read.")
@click.option("--failed", metavar="public,legal,urgent,feasible",
              help="未满足的条件 Criteria that fail, comma-separated.")
@click.option("--negative", type=int, metavar="N", help="负面清单第 N 项 Negative-list item.")
@click.option("--note", default="", help="备注 Note.")
def screen(**kwargs: Any) -> None:
    """审查提案：受理、不予受理、合并或撤回。 Screen a proposal: accept, reject, merge or
    withdraw."""
    step = _step(kwargs)
    issue_id, decision, into = kwargs["issue_id"], kwargs["decision"], kwargs["merge_into"]
    chosen = [d for d in (decision, into and "merge") if d]
    if len(chosen) != 1:
        _refuse("screen", "请选择且只选择一项：--accept、--reject、--merge-into 或 --withdraw。"
                " Choose exactly one of --accept, --reject, --merge-into, --withdraw.")
    reason = kwargs["reason"]
    if decision in ("reject", "withdraw") and not reason:
        _refuse("screen", f"reason: --{decision} 需要 --reason 理由。 --{decision} needs --reason.")

    def make(repo: Repository, on: dt.date) -> ChangeSet:
        if into:
            return operations.screen_merge(repo, issue_id, by=step.by, on=on, into=into)
        if decision == "accept":
            return operations.screen_accept(repo, issue_id, by=step.by, on=on,
                                               encouraged=kwargs["encouraged"], note=kwargs["note"])
        if decision == "withdraw":
            return operations.screen_withdraw(repo, issue_id, by=step.by, on=on, reason=reason)
        failed = [c.strip() for c in (kwargs["failed"] or "").split(",") if c.strip()]
        return operations.screen_reject(repo, issue_id, by=step.by, on=on, reason=reason,
                                           failed=failed, negative=kwargs["negative"])

    run_operation("screen", step, make)


@council.command()
@_common
@click.option("--date", "meeting_date", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="会议日期 Meeting date (YYYY-MM-DD).")
@click.option("--time", "meeting_time", required=True, metavar="HH:MM", help="时间 Time.")
@click.option("--place", required=True, help="地点 Place.")
@click.option("--level", required=True, help="层级 Level (a slug of content/council.yml).")
@click.option("--community", required=True, help="社区 Community slug.")
@click.option("--convener", required=True, help="召集人 Convener.")
@click.option("--supervisor", default=None, help="监督人 Supervisor.")
@click.option("--agenda", multiple=True, required=True, metavar="ID",
              help="议题（提案编号，可重复） Agenda item: an issue id (repeat for more).")
@click.option("--title", default=None, help="会议标题 Title [default: from date and place].")
def plan(**kwargs: Any) -> None:
    """安排议事会议；新会议编号在变更编号的前一行。 Plan a meeting; prints the new meeting's
    id on the line before the change id."""
    step = _step(kwargs)

    def make(repo: Repository, on: dt.date) -> ChangeSet:
        return operations.plan_meeting(
            repo, by=step.by, on=on, date=kwargs["meeting_date"].date(),
            time=kwargs["meeting_time"], place=kwargs["place"], level=kwargs["level"],
            community=kwargs["community"], convener=kwargs["convener"],
            supervisor=kwargs["supervisor"], agenda=list(kwargs["agenda"]),
            title=kwargs["title"],
        )

    run_operation("plan", step, make,
                  extra_line=lambda change: str(change.params.get("meeting_id", change.subject)))


@council.command()
@_common
@click.argument("meeting_id")
@click.option("--outcomes", required=True, type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE.yml",
              help="会议结果（会议记录的字段名） Outcomes in the meeting record's own field "
                   "names: parties, attendance, agenda (issue, outcome, decision, vote, actions).")
@click.option("--minutes", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.md",
              help="会议纪要（markdown） Minutes (markdown).")
def record(**kwargs: Any) -> None:
    """记录会议结果：出席、决议、表决、行动。 Record a meeting: attendance, decisions, votes,
    actions."""
    step = _step(kwargs)
    outcomes_path: Path = kwargs["outcomes"]
    try:
        outcomes = yaml.safe_load(outcomes_path.read_text(encoding="utf-8-sig"))
        minutes_path: Path | None = kwargs["minutes"]
        minutes = minutes_path.read_text(encoding="utf-8-sig") if minutes_path else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        _refuse("record", f"无法读取文件 cannot read the file: {exc}")
        return
    if not isinstance(outcomes, dict):
        _refuse("record", f"{outcomes_path}: 应为 YAML 映射（parties、attendance、agenda）。"
                " It must be a YAML mapping (parties, attendance, agenda).")

    def make(repo: Repository, on: dt.date) -> ChangeSet:
        return operations.record_meeting(repo, kwargs["meeting_id"], by=step.by, on=on,
                                            outcomes=outcomes, minutes=minutes)

    run_operation("record", step, make)


@council.command()
@_common
@click.argument("issue_id")
@click.option("--level", required=True, help="上一级层级 The higher level (a slug).")
@click.option("--reason", required=True, help="提级理由 Reason.")
@click.option("--body", default=None, help="承接部门 The body that takes it up.")
def escalate(**kwargs: Any) -> None:
    """提级：交上一级处理。 Escalate an issue to a higher level."""
    step = _step(kwargs)

    def make(repo: Repository, on: dt.date) -> ChangeSet:
        return operations.escalate(repo, kwargs["issue_id"], by=step.by, on=on,
                                      level=kwargs["level"], reason=kwargs["reason"],
                                      body=kwargs["body"])

    run_operation("escalate", step, make)


@council.command("follow-up")
@_common
@click.argument("issue_id")
@click.option("--start", is_flag=True, help="开始办理 The issue is in progress.")
@click.option("--note", default=None, help="进展说明 Progress note.")
@click.option("--action", type=click.IntRange(min=1), metavar="N",
              help="第 N 项行动（从 1 数起） Action N (counting from 1).")
@click.option("--done", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="行动完成日期 Date the action was done.")
def follow_up(**kwargs: Any) -> None:
    """跟进：开始办理、进展、行动完成。 Follow up: start, progress note, action done."""
    step = _step(kwargs)
    done = kwargs["done"].date() if kwargs["done"] else None
    if not (kwargs["start"] or kwargs["note"] or done):
        _refuse("follow-up", "请给出 --start、--note 或 --action N --done 日期。"
                " Give --start, --note or --action N --done DATE.")
    if done and not kwargs["action"]:
        _refuse("follow-up", "action: --done 需要 --action N。 --done needs --action N.")

    def make(repo: Repository, on: dt.date) -> ChangeSet:
        return operations.follow_up(repo, kwargs["issue_id"], by=step.by, on=on,
                                       start=kwargs["start"], note=kwargs["note"],
                                       action=kwargs["action"], done=done)

    run_operation("follow-up", step, make)


@council.command()
@_common
@click.argument("issue_id")
@click.option("--outcome", required=True, help="办理结果 Outcome text.")
def close(**kwargs: Any) -> None:
    """办结：写明结果。 Close an issue with its outcome (status done)."""
    step = _step(kwargs)

    def make(repo: Repository, on: dt.date) -> ChangeSet:
        return operations.close_issue(repo, kwargs["issue_id"], by=step.by, on=on,
                                         outcome=kwargs["outcome"])

    run_operation("close", step, make)


@council.command()
@_common
@click.argument("issue_id")
@click.option("--satisfied", type=click.IntRange(min=0), metavar="N",
              help="满意 Satisfied (required unless --ratings-db).")
@click.option("--basically-satisfied", type=click.IntRange(min=0), metavar="N",
              help="基本满意 Basically satisfied (required unless --ratings-db).")
@click.option("--dissatisfied", type=click.IntRange(min=0), metavar="N",
              help="不满意 Dissatisfied (required unless --ratings-db).")
@click.option("--resolved", type=click.Choice(["yes", "no"]),
              help="问题是否解决 Resolved? [default with --ratings-db: what most ratings say]")
@click.option("--note", default="", help="备注 Note.")
@click.option("--ratings-db", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, metavar="DB",
              help="居民在线评价所在的 intake 数据库：其统计加到上面的数目里，并注明多少来自居民"
                   "评价。 Add residents' own ratings from this intake store (from_ratings).")
def feedback(**kwargs: Any) -> None:
    """居民评议：满意度与是否解决。 Residents' feedback: satisfaction counts, resolved or not."""
    step = _step(kwargs)
    counts = {name: kwargs[name] for name in ("satisfied", "basically_satisfied", "dissatisfied")}
    resolved = {"yes": True, "no": False, None: None}[kwargs["resolved"]]
    from_ratings = 0
    if kwargs["ratings_db"] is not None:
        from .intake.ratings import rating_counts
        from .intake.store import Store, StoreError

        try:
            ratings = rating_counts(Store(kwargs["ratings_db"], readonly=True),
                                    kwargs["issue_id"]).feedback_arguments()
        except StoreError as exc:
            _refuse("feedback", f"ratings-db: {exc}")
        counts = {name: (value or 0) + ratings[name] for name, value in counts.items()}
        from_ratings = ratings["from_ratings"]
        resolved = ratings["resolved"] if resolved is None else resolved
    missing = [f"--{name.replace('_', '-')}" for name, value in counts.items() if value is None]
    if missing:
        _refuse("feedback", f"请给出 {', '.join(missing)}（或用 --ratings-db 读取居民评价）。 "
                            f"Missing {', '.join(missing)}.")
    if resolved is None:
        _refuse("feedback", "resolved: 请用 --resolved yes|no 写明问题是否解决。 "
                            "Say whether the problem is resolved.")

    def make(repo: Repository, on: dt.date) -> ChangeSet:
        return operations.record_feedback(
            repo, kwargs["issue_id"], by=step.by, on=on, satisfied=counts["satisfied"],
            basically_satisfied=counts["basically_satisfied"],
            dissatisfied=counts["dissatisfied"], resolved=bool(resolved),
            note=kwargs["note"], from_ratings=from_ratings,
        )

    run_operation("feedback", step, make)


@council.command("import")
@_common
@click.argument("csv_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.csv")
def import_(**kwargs: Any) -> None:
    """导入纸质提案（CSV，每行一件）。 Import paper proposals from a CSV, one per row."""
    step = _step(kwargs)

    def make(repo: Repository, on: dt.date) -> ChangeSet:
        return operations.import_paper_proposals(repo, kwargs["csv_file"], by=step.by, on=on)

    run_operation("import", step, make)
