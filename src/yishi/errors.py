"""Exceptions raised by Yishi: every one derives from :class:`YishiError`.

The general ones are defined here; the others beside the code that raises them (module in
brackets). ``tests/test_errors_hierarchy.py`` fails on an exception class outside this tree,
or missing from this drawing.

    YishiError
    ├── RecordError      a record file cannot be read at all (the checker reports it)
    ├── CouncilError     content/council.yml is missing or invalid
    ├── ForgeError       a forge (local git, GitHub) refused or failed an operation
    │   ├── ForgeRetryable   worth retrying later (rate limit, 5xx, timeout)
    │   └── BaseChanged      main holds newer versions of the files a change was made from
    │                        [forges.base]
    ├── IntegrityError   the published history cannot be verified or was rewritten
    │   ├── LedgerError          the previous ledger cannot be read
    │   ├── RewritesError        content/rewrites.yml is invalid
    │   ├── HistoryIncomplete    a shallow clone lacks the commits the check needs
    │   ├── HistoryRewritten     published commits vanished and no rewrite declares them
    │   └── StalePublication     the commit being published is older than a published one
    ├── GitError         a git command failed [git]
    ├── OperationRefused a council operation would break the lifecycle or the checks
    │   │                [operations.changeset]
    │   └── CsvRefused       a CSV of paper proposals has rows that cannot be imported
    │                        [operations.paper]
    ├── ChangeConflict   a change's records changed since it was made [forges.changes]
    ├── FourEyesRefused  a moderator tried to approve their own change [forges.changes]
    ├── StalePage        a cached page differs from a fresh render [site.page_cache]
    ├── SearchIndexError Pagefind could not index the site [site.search_index]
    ├── EventError       an issue-form event file is unusable [issue_form.event]
    │
    │   the intake service and its store [intake.*]
    ├── Invalid          a submission the form shows again, a message per field
    │                    [intake.submission]
    ├── TokenRefused     a form token missing, forged, expired or used too soon [intake.tokens]
    ├── TooLarge         a request body over the size limit (413) [intake.formdata]
    ├── TooSlow          a request body that paused or took too long (408) [intake.formdata]
    ├── _Refused         a connection answered early (431, 408, 503) [intake.http_limits]
    ├── Busy             too many photo submissions waiting (503) [intake.photo_work]
    ├── StoreError       the intake store cannot be opened or written [intake.store]
    │   └── PurgeIncomplete  rows deleted, but a reader kept the WAL from being emptied
    ├── StoreVersionError  the store was written by a newer Yishi [intake.migrations]
    ├── ChannelError     a notice could not be sent [intake.channels]
    │
    │   the moderators' desk [desk.*]
    ├── AccountError     an account command refused [desk.accounts]
    ├── DeskStoreError   the desk's database cannot be opened, upgraded or written
    │                    [desk.database]
    ├── FormRefused      a desk form cannot become a change [desk.forms]
    ├── ProposalGone     the proposal is no longer open [desk.proposals]
    │
    └── ApiError         an error answer of the GitHub stand-in [testing.github_repository]
"""

from __future__ import annotations


class YishiError(Exception):
    """Base class of every error Yishi raises on purpose."""


class RecordError(YishiError):
    """A record file cannot be parsed."""


class CouncilError(YishiError):
    """The council registry is missing or invalid.

    ``located`` holds each problem as (line, field, message) when the file could be read,
    so ``yishi check`` names the line and the key as it does for records.
    """

    def __init__(self, message: str,
                 located: tuple[tuple[int, str, str], ...] = ()) -> None:
        super().__init__(message)
        self.located = located


class ForgeError(YishiError):
    """A forge operation failed for good."""


class ForgeRetryable(ForgeError):
    """A forge operation failed for now; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class IntegrityError(YishiError):
    """The public record's history cannot be verified, or it was rewritten."""


class LedgerError(IntegrityError):
    """The ledger of earlier publications cannot be read or is not one."""


class RewritesError(IntegrityError):
    """``content/rewrites.yml`` is invalid."""


class HistoryIncomplete(IntegrityError):
    """The clone is shallow and the commits the check needs could not be fetched."""


class HistoryRewritten(IntegrityError):
    """Commits published earlier are gone from the history and no rewrite declares them."""


class StalePublication(IntegrityError):
    """The commit being published is an ancestor of one already published (a rollback)."""
