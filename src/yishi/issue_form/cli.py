"""``yishi issue-form render|parse``: keep the issue form in step with the council, and
show what the intake makes of an issue."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click

from ..council import load_council
from ..errors import CouncilError
from ..intake.submission import Invalid, parse_submission
from .fields import FIELDS_BY_ID
from .parse import parse_issue
from .template import TEMPLATE_PATH, render_template

ROOT = click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                    show_default=True, help="The repository holding content/council.yml.")


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
