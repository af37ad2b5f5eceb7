"""The MkDocs adapter: hands the pages and files of :mod:`yishi.site` to MkDocs."""
