"""The ``yishi`` command line: one group, each subcommand a thin wrapper over the core."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from .checks import run_checks
from .cli_options import root_option
from .lifecycle import LABELS, Status
from .loading import load_repository


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="yishi")
def main() -> None:
    """Yishi (议事): publish a deliberation council's work as public, citable records."""


@main.command()
@root_option()
def check(root: Path) -> None:
    """Check every record; print problems as path:line: field: message, or a summary."""
    repo = load_repository(root)
    problems = run_checks(repo)
    if problems:
        for problem in problems:
            click.echo(str(problem))
        files = len({p.path for p in problems})
        click.echo(f"{files} 个文件共 {len(problems)} 个问题 "
                   f"({len(problems)} problem(s) in {files} file(s)).", err=True)
        sys.exit(1)
    counts = Counter(loaded.record.status for loaded in repo.issues.values())
    by_status = ", ".join(
        f"{LABELS[s]} {s.value} {counts[s]}" for s in Status if counts[s]
    )
    click.echo(
        f"OK: {len(repo.issues)} issues, {len(repo.meetings)} meetings"
        + (f" ({by_status})" if by_status else "")
    )


from .diff.cli import diff_command  # noqa: E402  (registration, after main is defined)

main.add_command(diff_command)

from .issue_form.cli import issue_form  # noqa: E402

main.add_command(issue_form)

from .intake.cli import intake, review  # noqa: E402

main.add_command(intake)
main.add_command(review)

from .council_cli import council  # noqa: E402

main.add_command(council)

from .integrity.cli import verify_history_command  # noqa: E402

main.add_command(verify_history_command)

from .desk.cli import desk  # noqa: E402

main.add_command(desk)
