"""``yishi desk user add|list|disable|reset`` and ``yishi desk serve``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..cli_options import root_option
from ..errors import YishiError
from .accounts import Accounts
from .audit import AuditLog
from .database import Database

DEFAULT_DB = Path("var") / "desk.sqlite3"

DB = click.option(
    "--db", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_DB,
    show_default=True,
    help="议事台账号库(SQLite,含密码哈希,勿放入记录仓库)。The desk's account store.")


def _database(db: Path) -> Database:
    try:
        return Database(db)
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc


def _password(prompt: str) -> str:
    """The password from a hidden prompt (typed twice), or the first line of stdin."""
    if sys.stdin.isatty():
        value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=True)
        return value
    return sys.stdin.readline().rstrip("\r\n")


def _clock() -> float:
    from .app import system_clock

    return system_clock()


@click.group()
def desk() -> None:
    """议事台:议事员在浏览器中办理议事流程。The moderators' desk."""


@desk.group()
def user() -> None:
    """管理议事台账号。Manage desk accounts."""


@user.command("add")
@DB
@click.argument("name")
@click.option("--approver", is_flag=True, help="可以审核他人提交的变更。May approve others' changes.")
def add(db: Path, name: str, approver: bool) -> None:
    """新建账号,密码从提示或标准输入读取。Add an account (password from a prompt or stdin)."""
    store = _database(db)
    try:
        account = Accounts(store, _clock).add(name, _password("密码 Password"), approver=approver)
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc
    AuditLog(store).record(_clock(), "(命令行)", "user_add", account.name)
    click.echo(f"已新建{account.role} {account.name}。Added {account.name}.")


@user.command("list")
@DB
def list_(db: Path) -> None:
    """列出账号(不显示密码)。List accounts."""
    accounts = Accounts(_database(db), _clock).all()
    for account in accounts:
        state = "已停用 disabled" if account.disabled else "可用 active"
        click.echo(f"{account.name}\t{account.role}\t{state}")
    click.echo(f"{len(accounts)} 个账号 account(s).", err=True)


@user.command()
@DB
@click.argument("name")
def disable(db: Path, name: str) -> None:
    """停用账号,立即结束其登录。Disable an account and end its sessions."""
    store = _database(db)
    try:
        Accounts(store, _clock).disable(name)
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc
    AuditLog(store).record(_clock(), "(命令行)", "user_disable", name)
    click.echo(f"已停用 {name}。Disabled {name}.")


@user.command()
@DB
@click.argument("name")
def reset(db: Path, name: str) -> None:
    """重设密码并启用账号,结束其登录、解除锁定。Reset a password (re-enables, unlocks)."""
    store = _database(db)
    try:
        Accounts(store, _clock).reset(name, _password("新密码 New password"))
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc
    AuditLog(store).record(_clock(), "(命令行)", "user_reset", name)
    click.echo(f"已重设 {name} 的密码。Reset {name}.")


@desk.command()
@DB
@root_option("记录仓库(git)。The git repository of records.")
@click.option("--main-branch", default="main", show_default=True,
              help="记录的主分支。The branch that holds the published records.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8323, show_default=True)
@click.option("--site-url", default=None, help="公开网站地址。Public site URL, for links.")
@click.option("--session-hours", type=float, default=8.0, show_default=True,
              help="登录有效时长(小时)。Hours a login lasts.")
@click.option("--intake-db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="意见征集服务的库,审核人可从中查看提案人联系方式。The intake store "
                   "(proposers' contacts, for approvers).")
@click.option("--forge", type=click.Choice(["local", "github"]), default="local",
              show_default=True, help="变更去向。Where changes go.")
@click.option("--github-repo", metavar="OWNER/NAME", help="GitHub 仓库(forge github)。")
@click.option("--github-api-url", default="https://api.github.com", show_default=True,
              help="GitHub API 地址(企业版或本地替身)。GitHub API base URL.")
def serve(db: Path, root: Path, main_branch: str, host: str, port: int, site_url: str | None,
          session_hours: float, intake_db: Path | None, forge: str, github_repo: str | None,
          github_api_url: str) -> None:
    """启动议事台网页服务。Run the desk's web service."""
    import logging

    import uvicorn

    from ..forges.base import Forge
    from ..forges.local import LocalForge
    from .app import Desk, DeskSettings, create_app, system_clock
    from .pulls import PullRequests
    from .snapshot import LiveRecords
    from .workflow import Workflow

    # Parsed front matter is kept beside the account store, so a restart is quick.
    records = LiveRecords(root, main_branch, db.with_suffix(".front-matter-cache"))
    try:
        records.current()  # load once before the first request, and fail early
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc
    changes_forge: Forge
    pulls: PullRequests | None = None
    try:
        if forge == "local":
            changes_forge = LocalForge(root, main_branch)
        else:
            if not github_repo:
                raise click.UsageError("--forge github 需要 --github-repo OWNER/NAME")
            from ..forges.github import GithubForge

            # The token comes from GITHUB_TOKEN; GithubForge explains when it is missing.
            changes_forge = GithubForge(github_repo, api_url=github_api_url)
            pulls = PullRequests(github_repo, github_api_url)
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc
    settings = DeskSettings(session_hours=session_hours, site_url=site_url, intake_db=intake_db)
    app = create_app(Desk(_database(db), records, Workflow(changes_forge, root, pulls), system_clock,
                          settings))
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    uvicorn.run(app, host=host, port=port, access_log=False, log_config=None)
