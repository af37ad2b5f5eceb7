"""Options several commands share, so one thing has one name in every command.

The records folder is ``--root`` everywhere; ``--repo``, its old name in the intake and
review commands, still works (deployed scripts use it) but is not shown in ``--help``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: Old names that still work and are not shown: option → the names it hides.
HIDDEN_ALIASES = {"--root": ("--repo",)}


class AliasedOption(click.Option):
    """An option whose old names still work but are left out of ``--help``."""

    def __init__(self, *args: Any, hidden_aliases: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hidden_aliases = hidden_aliases

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        shown, self.opts = self.opts, [o for o in self.opts if o not in self.hidden_aliases]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = shown


def _existing_folder(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """The records folder, which must exist: a typo must not read (or create) another one."""
    name = repr(str(value))
    if value.exists() and not value.is_dir():
        message = f"{name} 是文件，不是文件夹 ({name} is a file, not a folder)"
    elif not value.exists():
        message = f"文件夹 {name} 不存在 (folder {name} does not exist)"
    else:
        return value
    raise click.BadParameter(message, ctx=ctx, param_hint="'--root'")
    return value


def root_option(help: str = "The folder of records: content/council.yml, content/issues "
                "and content/meetings.") -> Callable[[F], F]:
    """``--root DIR`` (old name ``--repo``, hidden), default the current folder; it must exist."""
    return click.option(
        "--root", *HIDDEN_ALIASES["--root"], "root", cls=AliasedOption,
        hidden_aliases=HIDDEN_ALIASES["--root"],
        type=click.Path(path_type=Path), default=Path("."),
        show_default=True, callback=_existing_folder, help=help,
    )
