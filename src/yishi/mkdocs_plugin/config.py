"""Options of the ``yishi`` plugin in ``mkdocs.yml``."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c


class YishiConfig(base.Config):
    """``plugins: - yishi: {...}``."""

    #: Where the /submit/ form posts (the intake service's base URL).
    intake_url = c.Type(str, default="http://127.0.0.1:8321")
    #: Rows per page of every list; long lists are paginated so pages stay small.
    per_page = c.Type(int, default=50)
    #: Where the records live, for "edit" and history links (defaults to repo_url).
    repo_url = c.Optional(c.Type(str))
    #: Search engine: Pagefind's chunked index (scales, segments Chinese) or none.
    search = c.Choice(("pagefind", "none"), default="pagefind")
    #: Processes that render the generated pages and data files while MkDocs builds:
    #: 0 = one per core, 1 = none (everything renders in the build process).
    jobs = c.Type(int, default=0)
    #: Keep rendered record pages between builds and reuse those whose inputs are
    #: unchanged (see yishi/site/page_cache.py); restore the folder on CI to profit there.
    cache = c.Type(bool, default=True)
    #: Re-render every page read from the cache and fail the build on a difference (a key
    #: that misses an input); also on with the environment variable YISHI_VERIFY_PAGE_CACHE=1.
    cache_verify = c.Type(bool, default=False)
    #: The cache's folder, relative to the folder that holds mkdocs.yml.
    cache_dir = c.Type(str, default=".cache/yishi")
