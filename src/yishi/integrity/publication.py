"""What a publish checks first: the previous ledger, the declared rewrites, the ancestry."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .ancestry import VanishedCommit, Verification, require_declared, verify_history
from .ledger import Ledger, read_ledger
from .rewrites import Rewrite, load_rewrites

#: Where the build finds the previous ledger: a file or an http(s) URL (the live site's).
PREVIOUS_LEDGER_ENV = "YISHI_PREVIOUS_LEDGER"


@dataclass(frozen=True)
class Integrity:
    """What a build knows about the history it publishes."""

    #: The ledger of earlier publications (None: this publish starts one).
    previous: Ledger | None = None
    #: The rewrites the council declared in content/rewrites.yml, oldest first.
    rewrites: tuple[Rewrite, ...] = ()
    #: The ancestry check (None without a previous ledger to check against).
    verification: Verification | None = None
    _by_record: dict[str, list[VanishedCommit]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, previous: Ledger | None, rewrites: list[Rewrite],
           verification: Verification | None) -> Integrity:
        by_record = verification.by_record() if verification else {}
        return cls(previous, tuple(rewrites), verification, by_record)

    @property
    def vanished(self) -> tuple[VanishedCommit, ...]:
        """Published commits no longer in the history (all declared, once checked)."""
        return self.verification.vanished if self.verification else ()

    def vanished_versions(self, path: str) -> list[VanishedCommit]:
        """The vanished commits that had changed the record at ``path``."""
        return self._by_record.get(path, [])


def check_publication(root: Path, previous_ledger: str | None, *,
                      fetch: bool = True) -> Integrity:
    """Read the previous ledger and the declared rewrites, and check the history against
    them; raises an :class:`~yishi.errors.IntegrityError` when publishing must stop."""
    rewrites = load_rewrites(root)
    previous = read_ledger(previous_ledger) if previous_ledger else None
    verification = None
    if previous is not None:
        verification = verify_history(root, previous, rewrites, fetch=fetch)
        require_declared(verification)
    return Integrity.of(previous, rewrites, verification)
