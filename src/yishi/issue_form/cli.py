"""``yishi issue-form render|parse|submit``: keep the issue form in step with the council,
show what the intake makes of an issue, and hand an accepted issue to the intake."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click

from ..cli_options import root_option
from ..council import load_council
from ..errors import CouncilError, ForgeRetryable, YishiError
from ..intake.submission import Invalid, parse_submission
from .event import IssueEvent
from .fields import FIELDS_BY_ID
from .parse import parse_issue
from .submit import Result, submit_issue
from .template import TEMPLATE_PATH, render_template

ROOT = root_option("The repository holding content/council.yml.")


@click.group("issue-form")
def issue_form() -> None:
    """The GitHub issue form for proposals (.github/ISSUE_TEMPLATE/proposal.yml)."""


@issue_form.command()
@ROOT
@click.option("--check", is_flag=True, help="Only check that the file is up to date; exit 1 if not.")
def render(root: Path, check: bool) -> None:
    """Write the issue form from content/council.yml (its dropdowns list the registry)."""
    try:
        text = render_template(load_council(root))
    except CouncilError as exc:
        raise click.ClickException(str(exc)) from exc
    path = root / TEMPLATE_PATH
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if check:
        if current != text:
            click.echo(f"{TEMPLATE_PATH.as_posix()} is out of date with content/council.yml; "
                       "run `yishi issue-form render`.", err=True)
            sys.exit(1)
        click.echo(f"{TEMPLATE_PATH.as_posix()} is up to date.")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(f"{'Unchanged' if current == text else 'Wrote'} {TEMPLATE_PATH.as_posix()}.")


@issue_form.command()
@ROOT
@click.option("--title", required=True, help="The issue's title.")
@click.argument("body", type=click.File("r", encoding="utf-8"))
def parse(root: Path, title: str, body: TextIO) -> None:
    """Print the submission an issue body (a file, or - for stdin) makes, or its errors."""
    try:
        council = load_council(root)
    except CouncilError as exc:
        raise click.ClickException(str(exc)) from exc
    form = parse_issue(title, body.read(), council)
    try:
        submission = parse_submission(form, council)
    except Invalid as exc:
        for field, message in exc.errors.items():
            known = FIELDS_BY_ID.get(field)
            click.echo(f"{known.label if known else field} ({field}): {message}", err=True)
        sys.exit(1)
    click.echo(json.dumps(submission.public(), ensure_ascii=False, indent=2))


@issue_form.command()
@ROOT
@click.option("--event", "event_path", required=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The `issues` event file ($GITHUB_EVENT_PATH in GitHub Actions).")
@click.option("--github-repo", required=True, metavar="OWNER/NAME", envvar="GITHUB_REPOSITORY",
              help="The repository of the issue and the records [env: GITHUB_REPOSITORY].")
@click.option("--github-api-url", default="https://api.github.com", envvar="GITHUB_API_URL",
              show_default=True, help="GitHub API base URL [env: GITHUB_API_URL].")
def submit(root: Path, event_path: Path, github_repo: str, github_api_url: str) -> None:
    """Turn an issue labelled `accepted` by a maintainer into a proposal pull request,
    through the web form's pipeline, and comment the link on the issue.

    The token comes from GITHUB_TOKEN and needs contents, pull-requests and issues: write."""
    # PyGithub is imported only by the command that talks to GitHub.
    from ..forges.github import GithubForge
    from .github_thread import GithubThread

    try:
        event = IssueEvent.from_file(event_path)
        council = load_council(root)
        github = GithubForge(github_repo, api_url=github_api_url)
        thread = GithubThread(github_repo, event.number, api_url=github_api_url)
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        outcome = submit_issue(event, council, github, thread)
    except ForgeRetryable as exc:
        click.echo(f"GitHub asked us to wait: {exc}. Re-run the job later; it will not open "
                   "a second pull request.", err=True)
        sys.exit(75)  # EX_TEMPFAIL
    except YishiError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        github.close()
        thread.close()
    click.echo(outcome.message)
    if outcome.result in (Result.INVALID, Result.REFUSED):
        sys.exit(1)
