"""The ``yishi diff BASE HEAD`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..cli_options import root_option
from .compare import compare
from .git import GitError
from .markdown import render


@click.command("diff")
@click.argument("base")
@click.argument("head", default="HEAD")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True, help="Markdown for job summaries and PR comments, or JSON.")
@click.option("--merge-base", "use_merge_base", is_flag=True,
              help="Compare HEAD with its common ancestor with BASE (what a PR changes).")
@root_option("The records repository (holding content/).")
def diff_command(base: str, head: str, fmt: str, use_merge_base: bool, root: Path) -> None:
    """Summarise what the change BASE..HEAD does to the records: new issues, status changes,
    new meetings and their decisions, edited decisions, deleted and other edited records."""
    try:
        result = compare(root, base, head, use_merge_base=use_merge_base)
    except GitError as exc:
        click.echo(f"yishi diff: {exc}", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(render(result))
