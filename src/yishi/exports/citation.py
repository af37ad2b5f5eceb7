"""“Cite this record”: one record as plain text (GB/T 7714), BibTeX and CSL-JSON.

A citation names the exact version: the git commit that last changed the record.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

#: Characters BibTeX treats specially, with their escapes.
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_BIBTEX_SPECIAL = re.compile("|".join(re.escape(c) for c in _BIBTEX_ESCAPES))


def bibtex_escape(text: str) -> str:
    """Text safe inside a braced BibTeX field."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES[m.group()], text)


@dataclass(frozen=True)
class Citation:
    """What a reader needs to cite one record at one version."""

    record_id: str
    kind: str  # "issue" or "meeting"
    title: str
    council: str
    date: dt.date  # submitted (issue) or held (meeting)
    permalink: str
    accessed: dt.date
    commit: str | None = None  # the version: the commit that last changed the record

    @property
    def short(self) -> str | None:
        return self.commit[:7] if self.commit else None

    @property
    def genre(self) -> str:
        return "居民提案" if self.kind == "issue" else "议事会记录"

    def text(self) -> str:
        """GB/T 7714-2015 style for online resources, with the version."""
        version = f" 版本 {self.short}." if self.short else ""
        return (
            f"{self.council}. {self.title}[EB/OL]. ({self.date.isoformat()})"
            f"[{self.accessed.isoformat()}]. {self.permalink}.{version}"
        )

    def bibtex(self) -> str:
        """A ``@misc`` entry readable by BibTeX and biblatex."""
        fields = [
            ("title", bibtex_escape(self.title)),
            ("author", "{" + bibtex_escape(self.council) + "}"),
            ("howpublished", bibtex_escape(self.genre)),
            ("year", str(self.date.year)),
            ("date", self.date.isoformat()),
            ("url", self.permalink),
            ("urldate", self.accessed.isoformat()),
        ]
        if self.commit:
            fields.append(("version", self.commit))
            fields.append(("note", f"Git commit {self.commit}"))
        key = "yishi-" + self.record_id
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{{key},\n{body}\n}}"

    def csl(self) -> dict[str, Any]:
        """A CSL-JSON item (Zotero, Pandoc, citeproc)."""
        item: dict[str, Any] = {
            "id": self.record_id,
            "type": "document",
            "genre": self.genre,
            "title": self.title,
            "author": [{"literal": self.council}],
            "publisher": self.council,
            "issued": {"date-parts": [[self.date.year, self.date.month, self.date.day]]},
            "accessed": {
                "date-parts": [[self.accessed.year, self.accessed.month, self.accessed.day]]
            },
            "URL": self.permalink,
        }
        if self.commit:
            item["version"] = self.commit
        return item

    def csl_json(self) -> str:
        """The CSL-JSON item as the one-element array tools import."""
        return json.dumps([self.csl()], ensure_ascii=False, indent=2)
