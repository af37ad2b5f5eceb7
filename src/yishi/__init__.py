"""Yishi (议事): a deliberation council's work as public, citable records.

The core (``council``, ``lifecycle``, ``records``, ``loading``, ``checks``) knows nothing of
MkDocs, HTTP or GitHub; the site, the intake service and the forges are adapters around it.
"""

__version__ = "0.1.0"
