"""Exceptions raised by Yishi.

    YishiError
    ├── RecordError      a record file cannot be read at all (the checker reports it)
    ├── CouncilError     content/council.yml is missing or invalid
    ├── ForgeError       a forge (local git, GitHub) refused or failed an operation
    │   └── ForgeRetryable   worth retrying later (rate limit, 5xx, timeout)
    └── IntegrityError   the published history cannot be verified or was rewritten
        ├── LedgerError          the previous ledger cannot be read
        ├── RewritesError        content/rewrites.yml is invalid
        ├── HistoryIncomplete    a shallow clone lacks the commits the check needs
        ├── HistoryRewritten     published commits vanished and no rewrite declares them
        └── StalePublication     the commit being published is older than a published one
"""

from __future__ import annotations


class YishiError(Exception):
    """Base class of every error Yishi raises on purpose."""


class RecordError(YishiError):
    """A record file cannot be parsed."""


class CouncilError(YishiError):
    """The council registry is missing or invalid."""


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
