"""Public-record integrity: the ledger of publications and the check that no published
commit vanished from the history (no MkDocs, no HTTP server).

``ledger`` (data/publications.json, read from a file or URL), ``rewrites`` (the council's
declarations in content/rewrites.yml), ``ancestry`` (is every published commit still an
ancestor of HEAD?) and ``publication`` (what a publish checks first).
"""

from __future__ import annotations

from .ancestry import VanishedCommit, Verification, require_declared, verify_history
from .ledger import LEDGER_FILE, Ledger, append_publication, read_ledger
from .publication import PREVIOUS_LEDGER_ENV, Integrity, check_publication
from .rewrites import REWRITES_FILE, Rewrite, load_rewrites, rewrite_problems

__all__ = [
    "LEDGER_FILE",
    "PREVIOUS_LEDGER_ENV",
    "REWRITES_FILE",
    "Integrity",
    "Ledger",
    "Rewrite",
    "VanishedCommit",
    "Verification",
    "append_publication",
    "check_publication",
    "load_rewrites",
    "read_ledger",
    "require_declared",
    "rewrite_problems",
    "verify_history",
]
