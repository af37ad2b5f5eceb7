"""``yishi diff``: what a change between two git revisions does to the public record.

    compare(root, base, head) -> RecordDiff      (compare.py, reading git with yishi.git)
    compare_files(root, base, files) -> RecordDiff   (a change set not yet committed)
    render(diff) -> markdown                     (markdown.py)
    diff.to_json() -> the "yishi-diff/1" shape   (model.py documents it)
"""

from __future__ import annotations

from ..git import GitError
from .compare import compare, compare_files
from .markdown import render
from .model import RecordDiff

__all__ = ["GitError", "RecordDiff", "compare", "compare_files", "render"]
