"""Accessibility: axe-core finds no serious or critical violation on the main pages."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from conftest import Served

pytestmark = pytest.mark.browser


def pages(served: Served) -> dict[str, str]:
    issue = next(i for i in sorted(served.repo.issues) if served.repo.decision(i))
    meeting = served.repo.decision(issue).meeting.id  # type: ignore[union-attr]
    return {"home": "", "issue": f"issues/{issue}/", "meeting": f"meetings/{meeting}/",
            "stats": "stats/", "submit": "submit/", "issues": "issues/", "track": "track/"}


@pytest.mark.parametrize("name", ["home", "issue", "meeting", "stats", "submit", "issues",
                                  "track"])
def test_no_serious_violations(served: Served, page: Page, name: str) -> None:
    page.goto(served.url + pages(served)[name])
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert violations == []
