"""Resident text a forge shows (pull request titles and bodies, commit messages, job
summaries), made unable to act on the forge.

On GitHub, ``@name`` and ``@org/team`` notify people, ``#12``, ``GH-12`` and
``owner/repo#12`` cross-reference issues (here and in other repositories), and a closing
keyword (``fixes #12``, ``Closes: owner/repo#3``) closes an issue when the pull request is
merged. An anonymous resident must do none of that through the council's bot, so a zero-width
joiner is put where it breaks each pattern; the text still reads the same.
"""

from __future__ import annotations

import re

JOINER = "\u200d"
#: ``#12``, ``GH-12`` (any case): the references GitHub links, alone or after ``owner/repo``.
_REFERENCE = re.compile(r"(#|\bgh-)(?=\d)", re.IGNORECASE)
#: GitHub's closing keywords, in any case, wherever they stand (also glued to Chinese text).
_KEYWORD = re.compile(r"(?<![A-Za-z0-9_])(c)(los(?:e|es|ed))(?![A-Za-z0-9_])|"
                      r"(?<![A-Za-z0-9_])(f)(ix(?:|es|ed))(?![A-Za-z0-9_])|"
                      r"(?<![A-Za-z0-9_])(r)(esolv(?:e|es|ed))(?![A-Za-z0-9_])", re.IGNORECASE)


def _split_keyword(match: re.Match[str]) -> str:
    first, rest = next((a, b) for a, b in zip(match.groups()[::2], match.groups()[1::2],
                                              strict=True) if a)
    return f"{first}{JOINER}{rest}"


def inert(text: str) -> str:
    """``text`` with every mention, issue reference and closing keyword broken by a joiner."""
    text = text.replace("@", "@" + JOINER)
    text = _REFERENCE.sub(lambda m: m[1] + JOINER, text)
    return _KEYWORD.sub(_split_keyword, text)
