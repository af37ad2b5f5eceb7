"""The ``yishi verify-history`` command: the publish's history check, for anyone with a clone."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from ..cli_options import root_option
from ..errors import (
    HistoryIncomplete,
    HistoryRewritten,
    LedgerError,
    RewritesError,
    StalePublication,
)
from .ancestry import require_declared, verify_history
from .ledger import read_ledger
from .publication import PREVIOUS_LEDGER_ENV
from .rewrites import load_rewrites


def _fail(message: str, code: int) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


@click.command("verify-history")
@click.option("--ledger", "source", envvar=PREVIOUS_LEDGER_ENV, metavar="FILE|URL",
              help="The ledger (data/publications.json): a saved copy or the site's URL "
                   f"[default: ${PREVIOUS_LEDGER_ENV}].")
@root_option("The records repository (a git clone holding content/).")
@click.option("--fetch", is_flag=True,
              help="Fetch the full history from the remote when the clone is shallow.")
def verify_history_command(source: str | None, root: Path, fetch: bool) -> None:
    """Check that every commit the ledger lists as published is still in the history.

    Exits 0 when it is (declared rewrites are listed), 1 when a published commit vanished
    without a declaration in content/rewrites.yml, 2 when the check cannot be made.
    """
    if not source:
        _fail(f"请用 --ledger 指定账本(文件或网址)· give the ledger with --ledger FILE|URL "
              f"(or ${PREVIOUS_LEDGER_ENV})", 2)
    try:
        ledger = read_ledger(source)
        if ledger is None:
            _fail(f"该网址没有账本(404)· no ledger at {source} (404)", 2)
        rewrites = load_rewrites(root)
        verification = verify_history(root, ledger, rewrites, fetch=fetch)
        require_declared(verification)
    except (LedgerError, HistoryIncomplete) as exc:
        _fail(str(exc), 2)
    except (HistoryRewritten, RewritesError, StalePublication) as exc:
        _fail(str(exc), 1)
    if verification.fetched:
        click.echo("已取回浅克隆缺少的历史 · fetched the full history of the shallow clone")
    for vanished in verification.vanished:
        rewrite = vanished.rewrite
        assert rewrite is not None  # require_declared passed
        records = ", ".join(vanished.records) or "-"
        click.echo(f"已声明的改写 · declared rewrite {rewrite.date.isoformat()}: "
                   f"{vanished.commit} ({records}): {rewrite.reason}")
    click.echo(f"OK: 账本中 {len(ledger.publications)} 次发布、{verification.checked} 个已发布的提交"
               f"都在 {verification.head[:12]} 的历史中或已公开声明 · "
               f"{len(ledger.publications)} publications, {verification.checked} published "
               "commits: all in the history or declared rewritten")
