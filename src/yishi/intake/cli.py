"""``yishi intake serve|work|status|purge`` and ``yishi review list|show|approve|decline``
(the latter for residents' proposals and moderators' council changes alike)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from ..cli_options import root_option
from ..council import load_council
from ..diff import compare, render
from ..errors import YishiError
from ..forges.base import Forge, ProposalKind
from ..forges.changes import approve_change, decline_change, read_change
from ..forges.local import LocalForge
from ..git import git
from ..operations.changeset import CHANGE_ID_RE
from .abuse import RateLimit, load_pepper
from .store import PENDING, QueueStatus, Store, StoreError
from .worker import Worker

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DB = Path("var") / "intake.sqlite3"


def _options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func
    return apply


ROOT = root_option("The git repository of records (content/council.yml is read here).")
DB = click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
    show_default=True, help="The intake store (SQLite); it holds private data: keep it out of git.")
MAIN_BRANCH = click.option(
    "--main-branch", default=None, help="Branch proposals merge into [default: the repo's HEAD].")
#: The worker's options: where proposals go.
FORGE_OPTIONS = _options(
    ROOT, DB, MAIN_BRANCH,
    click.option("--forge", type=click.Choice(["local", "github"]), default="local",
                 show_default=True, help="Where proposals go."),
    click.option("--github-repo", metavar="OWNER/NAME", help="GitHub repository (forge github)."),
    click.option("--github-api-url", default="https://api.github.com", show_default=True,
                 help="GitHub API base URL (GitHub Enterprise or a local stand-in)."),
)


NOTICE_OPTIONS = _options(
    click.option("--smtp-host", metavar="HOST", help="SMTP server for e-mail notices."),
    click.option("--smtp-port", type=int, metavar="PORT",
                 help="SMTP port [default: 465 with --smtp-tls, 587 with --smtp-starttls, else 25]."),
    click.option("--smtp-from", metavar="ADDR", help="Sender address of e-mail notices."),
    click.option("--smtp-user", metavar="USER",
                 help="SMTP login; the password comes from YISHI_SMTP_PASSWORD."),
    click.option("--smtp-starttls", "smtp_security", flag_value="starttls",
                 help="Upgrade the SMTP connection with STARTTLS."),
    click.option("--smtp-tls", "smtp_security", flag_value="tls",
                 help="Connect to the SMTP server over TLS (port 465)."),
    click.option("--notify-webhook", metavar="URL",
                 help="SMS/WeChat gateway for phone contacts: a JSON POST signed with "
                      "HMAC-SHA256 (secret from YISHI_NOTIFY_SECRET)."),
    click.option("--site-url", metavar="URL", help="Public site URL, for issue permalinks."),
    click.option("--intake-url", metavar="URL",
                 help="Public URL of this intake service, for the rating link of the last notice."),
)


def _setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")


def _store(db: Path, *, readonly: bool = False) -> Store:
    try:
        return Store(db, readonly=readonly)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc


def _forge(forge: str, root: Path, db: Path, main_branch: str | None, github_repo: str | None,
           github_api_url: str, per_minute: int = 80, per_hour: int = 500) -> Forge:
    try:
        if forge == "local":
            return LocalForge(root, main_branch)
        if not github_repo:
            raise click.UsageError("--forge github needs --github-repo OWNER/NAME")
        # Imported here so the local forge works without PyGithub's import cost.
        from ..forges.github import GithubForge
        from ..forges.ratelimit import RequestBudget

        # The budget's state sits beside the store, so restarts and several workers on
        # this machine share one allowance of content-creating requests.
        budget = RequestBudget(per_minute=per_minute, per_hour=per_hour,
                               state_file=db.with_suffix(".github-budget.json"))
        # The token comes from GITHUB_TOKEN; GithubForge explains when it is missing.
        return GithubForge(github_repo, api_url=github_api_url, budget=budget)
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc


def _council(root: Path) -> Any:
    try:
        return load_council(root)
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def intake() -> None:
    """The resident's web form → durable queue → pull request pipeline."""


@intake.command()
@ROOT
@DB
@click.option("--min-fill-seconds", type=float, default=3.0, show_default=True,
              help="Refuse forms submitted sooner than this after their token was issued.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8321, show_default=True)
@click.option("--allow-origin", default=None,
              help="Origin allowed to post from scripts (CORS) [default: the --site-url's].")
@click.option("--public-url", default=None,
              help="URL residents reach this service at, for redirects and receipt links "
                   "[default: from the request's Host header, for local use only].")
@click.option("--pepper-file", type=click.Path(dir_okay=False, path_type=Path),
              envvar="YISHI_INTAKE_PEPPER_FILE", default=None,
              help="Secret for hashing client addresses, kept outside the store (created "
                   "when missing) [default: DB.pepper beside the store]. "
                   "Env: YISHI_INTAKE_PEPPER_FILE.")
@click.option("--rate-limit", default="5/600", show_default=True, metavar="COUNT/SECONDS",
              help="Submissions allowed per client in the window.")
@click.option("--site-url", default=None, help="Public site URL, for links to published issues.")
@click.option("--token-uses", type=click.IntRange(1), default=1, hidden=True,
              help="Submissions one form token admits (load tests with fixed bodies only).")
@click.option("--max-connections", type=click.IntRange(1), default=256,
              show_default=True, help="Connections held open at once; more get a 503.")
def serve(root: Path, db: Path, min_fill_seconds: float, host: str, port: int,
          allow_origin: str | None, public_url: str | None, pepper_file: Path | None,
          rate_limit: str, site_url: str | None, token_uses: int,
          max_connections: int) -> None:
    """Run the HTTP service residents' forms post to (the worker runs separately)."""
    import uvicorn

    from .http_limits import ConnectionLimits, server_config
    from .service import ServiceSettings, create_app

    try:
        limit = RateLimit.parse(rate_limit)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--rate-limit") from exc
    try:
        pepper = load_pepper(pepper_file) if pepper_file else None
    except (OSError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="--pepper-file") from exc
    settings = ServiceSettings(min_fill_seconds=min_fill_seconds, rate_limit=limit,
                               allow_origin=allow_origin, site_url=site_url,
                               public_url=public_url, client_pepper=pepper,
                               token_uses=token_uses,
                               limits=ConnectionLimits(max_connections=max_connections))
    app = create_app(_store(db), _council(root), settings=settings)
    _setup_logging()
    # uvicorn's access log prints client addresses; the app logs requests without them.
    uvicorn.Server(server_config(app, settings.limits, host=host, port=port)).run()


@intake.command()
@FORGE_OPTIONS
@click.option("--once", is_flag=True, help="Stop when the queue is empty (exit 1 if items keep failing).")
@click.option("--github-per-minute", type=int, default=80, show_default=True,
              help="Content-creating GitHub requests allowed a minute.")
@click.option("--github-per-hour", type=int, default=500, show_default=True,
              help="Content-creating GitHub requests allowed an hour.")
@click.option("--poll", type=float, default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--lease", type=float, default=60.0, show_default=True,
              help="Seconds an entry stays reserved for the worker processing it (after a "
                   "crash, another worker resumes it once the lease runs out).")
@click.option("--nice", type=click.IntRange(0, 19), default=10, show_default=True,
              help="How much lower the worker's CPU priority is than the service's (POSIX).")
@NOTICE_OPTIONS
def work(root: Path, db: Path, main_branch: str | None, forge: str, github_repo: str | None,
         github_api_url: str, once: bool, github_per_minute: int,
         github_per_hour: int, poll: float, lease: float, nice: int,
         **notice_options: Any) -> None:
    """Turn queued submissions into proposals, follow them until merged or declined, and
    send opted-in proposers a notice at each public step of their issue."""
    from .notice_options import build_notifier
    from .service import system_clock

    _setup_logging()
    if nice and hasattr(os, "nice"):
        # Residents wait for the service's answer; nobody waits for the branch (the receipt
        # says queued). When both share a machine, a burst is answered first and drained
        # after: the worker and the git commands it runs yield the CPU to the service.
        os.nice(nice)
    forge_ = _forge(forge, root, db, main_branch, github_repo, github_api_url,
                    github_per_minute, github_per_hour)
    store, council = _store(db), _council(root)
    branch = main_branch or (forge_.main_branch if isinstance(forge_, LocalForge) else "main")
    notifier = build_notifier(store, root, branch, council, system_clock, lease=lease,
                              **notice_options)
    worker = Worker(store, forge_, council, system_clock, lease=lease, notifier=notifier)
    try:
        code = worker.run(once=once, poll=poll)
    except KeyboardInterrupt:
        code = 0
    if code:
        click.echo("仍有提案发送失败，详见 `yishi intake status` / Some submissions are still failing; see `yishi intake status`.", err=True)
    raise SystemExit(code)


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).astimezone().strftime("%Y-%m-%d %H:%M:%S")


@intake.command()
@DB
def status(db: Path) -> None:
    """Counts by status, then every queued, retrying and failed item with its last error."""
    store = _store(db, readonly=True)
    counts = store.counts()
    click.echo(", ".join(f"{s.value} {n}" for s, n in counts.items()))
    for entry in store.entries(*PENDING):
        state = "failed" if entry.permanent_error else entry.status.value
        line = f"{entry.id}  {state}  attempts {entry.attempts}  next {_when(entry.next_attempt_at)}"
        click.echo(line + (f"  last error: {entry.last_error}" if entry.last_error else ""))
    from .outbox import NoticeState, Outbox

    outbox = Outbox(store)
    notices = outbox.counts()
    click.echo("通知 notices: " + ", ".join(f"{s.value} {n}" for s, n in notices.items()))
    for row in outbox.rows():
        if row.state in (NoticeState.SENT, NoticeState.QUEUED):
            continue
        line = f"{row.submission_id}  {row.step}  {row.state.value}  attempts {row.attempts}"
        if row.state in (NoticeState.RETRYING, NoticeState.SENDING):
            line += f"  next {_when(row.next_attempt_at)}"
        click.echo(line + (f"  {row.last_error}" if row.last_error else ""))


@intake.command()
@DB
@click.option("--older-than", "days", type=float, required=True, metavar="DAYS",
              help="Delete contacts and client hashes of submissions older than this "
                   "(for proposers who asked for notices: counted from the issue's closing).")
def purge(db: Path, days: float) -> None:
    """Delete private data (contact, hashed address, notices, rating comments) older than
    DAYS days; a proposer who asked for notices is kept until DAYS after the issue closed."""
    from .service import system_clock

    cutoff = system_clock().timestamp() - days * 86400
    if not db.is_file():  # a purge never creates the store it was to clean
        _store(db, readonly=True)
    try:
        removed = _store(db).purge(cutoff)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"已清除 {removed} 份超过 {days:g} 天的提案的私人信息 / Purged private data of {removed} submission(s) older than {days:g} day(s).")


@intake.command()
@DB
@click.argument("issue_id")
@click.option("--count", type=click.IntRange(1, 500), required=True,
              help="How many cosigners to invite (one link each).")
@click.option("--intake-url", required=True, metavar="URL",
              help="Public URL of the intake service (the rating page is served there).")
def invite(db: Path, issue_id: str, count: int, intake_url: str) -> None:
    """Print rating links for COUNT cosigners of joint proposal ISSUE_ID, one a line.

    Hand each cosigner their own link: it rates once. The proposer gets theirs with the
    notice that the issue is done.
    """
    from .ratings import Ratings
    from .service import system_clock

    store = _store(db)
    if store.get(issue_id) is None:
        raise click.ClickException(f"intake 数据库中没有提案 {issue_id} / no submission {issue_id}")
    tokens = Ratings(store).invite_cosigners(issue_id, issue_id, count,
                                             now=system_clock().timestamp())
    for token in tokens:
        click.echo(f"{intake_url.rstrip('/')}/rate/{token}")


@intake.command()
@DB
@click.argument("issue_id")
@click.option("--comments", is_flag=True, help="Also print the private comments (moderators only).")
def ratings(db: Path, issue_id: str, comments: bool) -> None:
    """Residents' ratings of ISSUE_ID: the counts the feedback step starts from."""
    from .ratings import rating_comments, rating_counts

    store = _store(db, readonly=True)
    counts = rating_counts(store, issue_id)
    click.echo(f"满意 satisfied {counts.satisfied}, 基本满意 basically_satisfied "
               f"{counts.basically_satisfied}, 不满意 dissatisfied {counts.dissatisfied}; "
               f"已解决 resolved {counts.resolved_yes}, 未解决 not resolved {counts.resolved_no}")
    if comments:
        for comment in rating_comments(store, issue_id):
            click.echo(f"- {comment}")


@click.group()
def review() -> None:
    """审核待批准的提案与议事会变更（本地分支 proposal/<id>、change/<id>）。 Moderate the
    local forge's proposals and council changes (branches proposal/<id>, change/<id>)."""


def _local(root: Path, main_branch: str | None) -> LocalForge:
    try:
        return LocalForge(root, main_branch)
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc


def _is_change(some_id: str) -> bool:
    """Whether ``some_id`` names a council change rather than a resident's proposal."""
    return CHANGE_ID_RE.match(some_id) is not None


@review.command("list")
@ROOT
@MAIN_BRANCH
def list_(root: Path, main_branch: str | None) -> None:
    """Open proposals (id and commit subject), then open council changes (id, operation,
    who asked, summary)."""
    forge = _local(root, main_branch)
    proposals = forge.open_proposals()
    for proposal in proposals:
        click.echo(f"{proposal.issue_id}  {proposal.subject}")
    changes = forge.open_proposals(ProposalKind.CHANGE)
    for open_change in changes:
        try:
            change = read_change(forge, open_change.issue_id)
        except YishiError:
            click.echo(f"{open_change.issue_id}  ?  ?  {open_change.subject}")
            continue
        click.echo(f"{open_change.issue_id}  {change.operation}  {change.by}  {change.summary}")
    click.echo(f"待审提案 {len(proposals)} 份 / {len(proposals)} open proposal(s).", err=True)
    if changes:
        click.echo(f"待审变更 {len(changes)} 项 / {len(changes)} open council change(s).", err=True)


@review.command()
@ROOT
@DB
@MAIN_BRANCH
@click.argument("issue_id")
@click.option("--contact", "with_contact", is_flag=True,
              help="Also print the resident's private contact from the store.")
def show(root: Path, db: Path, main_branch: str | None, issue_id: str, with_contact: bool) -> None:
    """Print a proposal's record and list its photos; for a change id, who asked and the
    ``yishi diff`` summary of the change."""
    forge = _local(root, main_branch)
    if _is_change(issue_id):
        try:
            change = read_change(forge, issue_id)
            commit, parent, _message = forge.change_commit(issue_id)
            summary = render(compare(root, parent, commit), heading=f"## {change.summary}")
            lines = git(root, "diff", "--no-color", parent, commit, "--").decode("utf-8", "replace")
        except YishiError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"变更 change {issue_id}\n操作 operation: {change.operation}\n"
                   f"申请人 requested by: {change.by}\n日期 on: {change.on.isoformat()}\n")
        click.echo(summary)
        click.echo(lines)
        return
    try:
        files = forge.proposal_files(issue_id)
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc
    for path, data in files.items():
        if path.endswith(".md"):
            click.echo(f"# {path}\n{data.decode()}")
        else:
            click.echo(f"# {path} ({len(data)} bytes)")
    if with_contact:
        click.echo(f"contact (private): {_store(db, readonly=True).contact(issue_id) or '—'}")


def _record(db: Path, issue_id: str, status: QueueStatus, reason: str | None = None) -> None:
    """Tell the intake store (when there is one) so the receipt shows the outcome at once."""
    if not db.exists():
        return
    from .service import system_clock

    store = _store(db)
    if store.get(issue_id) is not None:
        store.set_status(issue_id, status, system_clock().timestamp(), reason=reason)


@review.command()
@ROOT
@DB
@MAIN_BRANCH
@click.argument("issue_id")
@click.option("--by", "approver", default=None, metavar="NAME",
              help="批准人（变更须由提出者以外的主持人批准） The approving moderator; a council "
                   "change must be approved by someone other than who asked (four eyes).")
def approve(root: Path, db: Path, main_branch: str | None, issue_id: str,
            approver: str | None) -> None:
    """Merge proposal or council change ISSUE_ID into the main branch."""
    forge = _local(root, main_branch)
    if _is_change(issue_id):
        try:
            approved = approve_change(forge, issue_id, by=approver or "")
        except YishiError as exc:
            raise click.ClickException(str(exc)) from exc
        if approved.already_done:
            click.echo(f"变更 {issue_id} 的内容已在 {forge.main_branch} 上，无需重复应用，已移出列表。"
                       f" Change {issue_id} was already done on {forge.main_branch}; set aside.")
            return
        if approved.rerun:
            click.echo("主分支上的记录已更新，已按最新记录重新执行后合并。"
                       " The records changed on main; the operation was run again on them.")
        click.echo(f"已批准变更 Approved {issue_id}: merged into {forge.main_branch} "
                   f"({approved.commit[:10]}).")
        return
    try:
        commit = forge.approve(issue_id, approver=approver)
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc
    _record(db, issue_id, QueueStatus.PUBLISHED)
    click.echo(f"已批准提案 {issue_id}，已合并进 {forge.main_branch}（{commit[:10]}）/ Approved {issue_id}: merged into {forge.main_branch} ({commit[:10]}).")


@review.command()
@ROOT
@DB
@MAIN_BRANCH
@click.argument("issue_id")
@click.option("--reason", required=True, help="Why (kept in the intake store, not in git).")
def decline(root: Path, db: Path, main_branch: str | None, issue_id: str, reason: str) -> None:
    """Decline proposal or council change ISSUE_ID; a proposal's reason is kept in the
    intake store."""
    forge = _local(root, main_branch)
    try:
        if _is_change(issue_id):
            decline_change(forge, issue_id)
            click.echo(f"已退回变更 Declined change {issue_id}.")
            return
        forge.decline(issue_id)
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc
    _record(db, issue_id, QueueStatus.DECLINED, reason)
    click.echo(f"已退回提案 {issue_id} / Declined {issue_id}.")
