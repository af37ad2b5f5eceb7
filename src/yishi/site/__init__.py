"""The public site, independent of the generator: pages and data files derived from records.

Providers (``providers.py``) turn a :class:`~yishi.site.context.SiteContext` into
:class:`~yishi.site.model.GeneratedPage` and :class:`~yishi.site.model.DataFile` objects; the
MkDocs plugin (``yishi.mkdocs_plugin``) only hands them to MkDocs. A port to another
generator (Zensical) is a new adapter beside that plugin, not a rewrite of this package.
"""
