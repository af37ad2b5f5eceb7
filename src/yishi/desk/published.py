"""Whether the public site already shows an approved change: the record's page is fetched
(short timeout) and looked at for the record's latest commit, which its history block
lists (``data-commit``). A page that shows it is remembered for good; one that does not
yet is asked again only after a while, so a change page never waits on the site for long.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

import httpx

from ..diff.git import git
from ..errors import YishiError

log = logging.getLogger("yishi.desk.published")

#: How long the desk waits for the public site.
TIMEOUT = 2.0
#: How long "not shown yet" is believed before the page is fetched again.
RECHECK_AFTER = 60.0


def latest_commit(root: Path, branch: str, path: str) -> str | None:
    """The newest commit on ``branch`` that changed ``path`` (what the site's history shows
    first)."""
    try:
        found = git(root, "log", "-1", "--format=%H", f"refs/heads/{branch}", "--", path)
    except YishiError:
        return None
    return found.decode().strip() or None


class PublishedPages:
    """Answers "does the public page show this commit yet?", cached per page and commit."""

    def __init__(self, clock: Callable[[], float], *, timeout: float = TIMEOUT,
                 recheck_after: float = RECHECK_AFTER) -> None:
        self.clock = clock
        self.timeout = timeout
        self.recheck_after = recheck_after
        self._shown: set[tuple[str, str]] = set()
        self._not_yet: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def shows(self, url: str, commit: str) -> bool:
        """Whether the page at ``url`` lists ``commit`` in its history."""
        key, now = (url, commit), self.clock()
        with self._lock:
            if key in self._shown:
                return True
            asked = self._not_yet.get(key)
            if asked is not None and now - asked < self.recheck_after:
                return False
        try:
            answer = httpx.get(url, timeout=self.timeout, follow_redirects=True)
            shown = answer.status_code == 200 and f'data-commit="{commit}"' in answer.text
        except httpx.HTTPError as exc:
            log.info("the public page %s could not be fetched: %s", url, exc)
            shown = False
        with self._lock:
            if shown:
                self._shown.add(key)
                self._not_yet.pop(key, None)
            else:
                self._not_yet[key] = now
        return shown
