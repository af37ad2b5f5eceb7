"""Proposals through a GitHub issue form, handed to the same pipeline as the web form.

    fields     the form's fields (the web form's, minus the contact), one table for both
    template   .github/ISSUE_TEMPLATE/proposal.yml, generated from content/council.yml
    parse      an issue body as GitHub renders it → the web form's fields
    submit     an `issues: labeled` event → validated submission → proposal → comment
    cli        ``yishi issue-form render|parse|submit``
"""

from __future__ import annotations

from .parse import parse_issue
from .template import TEMPLATE_PATH, render_template

__all__ = ["TEMPLATE_PATH", "parse_issue", "render_template"]
