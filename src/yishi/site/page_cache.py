"""Rendered pages kept between builds, found again by a digest of everything they show.

A merge changes a handful of records; a council's site holds thousands. A cached page is
a template and the values it is rendered with (:class:`yishi.site.render.TemplateCall`), and
its key is a digest of exactly those values (:func:`fingerprint`) and of the code and
templates that render them: the template sees nothing the key leaves out, so a page is read
back only when rendering it again would give the same bytes. The key names the inputs, never a file's time, so a fresh clone with the folder
restored (``actions/cache`` on CI) hits as well as a developer's working tree. A miss costs
one render, as without a cache; entries this build did not use are removed at its end, so
the folder holds one site's pages at most.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import zlib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import yishi

from ..atomic_files import replace_file
from ..errors import YishiError

#: Set to 1 to check every page read from the cache against a fresh render (the tests do);
#: the plugin's ``cache_verify`` option does the same.
VERIFY_ENV = "YISHI_VERIFY_PAGE_CACHE"


class StalePage(YishiError):
    """A page read from the cache differs from a fresh render: its key misses an input."""

#: Packages whose code changes what a page looks like, besides Yishi's own files.
RENDERING_PACKAGES = ("mkdocs", "mkdocs-material", "jinja2", "markdown", "pymdown-extensions",
                      "nh3", "markupsafe")
#: Files of the package that take part in rendering: code, templates, theme overrides, assets.
PACKAGE_SUFFIXES = (".py", ".html", ".css", ".js", ".svg", ".yml", ".json")
SUFFIX = ".html.z"


def digest(*parts: str | bytes) -> str:
    """A hex SHA-256 over ``parts``, each length-prefixed (no two lists of parts collide)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


@cache
def code_digest() -> str:
    """Yishi's rendering code and the versions of the packages it renders with.

    Hashes the installed files rather than trusting the version number, so an edited
    template in a development checkout is never served from an older build's cache.
    """
    package = Path(yishi.__file__).parent
    parts: list[str | bytes] = [yishi.__version__]
    for path in sorted(package.rglob("*")):
        if path.suffix in PACKAGE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            parts += [path.relative_to(package).as_posix(), path.read_bytes()]
    for name in RENDERING_PACKAGES:
        try:
            parts += [name, metadata.version(name)]
        except metadata.PackageNotFoundError:
            parts += [name, "-"]
    return digest(*parts)


def fingerprint(value: Any) -> str:
    """A digest of a template's value, exact to what a template can read of it.

    Refuses a type it cannot spell out (the build context, a function): handing such a
    thing to a cached template would let the page show what its key does not name.
    """
    parts: list[str] = []
    _spell(value, parts.append)
    return digest(*parts)


def _spell(value: Any, out: Callable[[str], object]) -> None:
    kind = type(value)
    out(kind.__qualname__)
    if value is None or isinstance(value, bool | int | float | str):
        out(str(value))  # str subclasses (Markup, StrEnum) are told apart by their name
    elif isinstance(value, dt.date):  # datetimes too: isoformat keeps the offset
        out(value.isoformat())
    elif isinstance(value, BaseModel):
        out(value.model_dump_json(by_alias=True))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            out(field.name)
            _spell(getattr(value, field.name), out)
    elif isinstance(value, Mapping):
        out(str(len(value)))
        for key, item in value.items():  # in order: templates iterate in this order
            _spell(key, out)
            _spell(item, out)
    elif isinstance(value, list | tuple):
        out(str(len(value)))
        for item in value:
            _spell(item, out)
    else:
        raise TypeError(f"a cached template cannot be given a {kind.__qualname__}: its page's "
                        "key could not name it (pass the plain values the template shows)")


class PageCache:
    """A folder of rendered pages, one compressed file per key.

    Safe for several processes at once (the build's workers): an entry is written with
    :func:`replace_file`, so a reader sees a whole page or none.
    """

    def __init__(self, folder: Path, *, verify: bool = False) -> None:
        self.folder = folder
        #: Re-render every page found here and fail on a difference (tests, debugging).
        self.verify = verify

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / (key + SUFFIX)

    def get(self, key: str) -> str | None:
        """The page stored under ``key``, or None (also for a damaged entry)."""
        try:
            return zlib.decompress(self._path(key).read_bytes()).decode("utf-8")
        except (OSError, zlib.error, UnicodeDecodeError):
            return None

    def put(self, key: str, html: str) -> None:
        """Store ``html`` under ``key``; a cache that cannot be written is only slower."""
        try:
            replace_file(self._path(key), zlib.compress(html.encode("utf-8"), 1))
        except OSError:
            return

    def prune(self, keep: Iterable[str]) -> int:
        """Remove every entry but ``keep`` (the keys this build used); how many went."""
        wanted = {key + SUFFIX for key in keep}
        removed = 0
        if not self.folder.is_dir():
            return 0
        for path in self.folder.glob("*/*"):
            if path.name not in wanted:
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
        return removed
