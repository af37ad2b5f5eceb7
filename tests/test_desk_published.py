"""With the public site's address, an approved change's page says 已发布 once the built site
(real MkDocs build, served on loopback) shows the record's latest commit, and until then
已批准,等待网站下次构建; the site's answer is cached, so it is not fetched per view."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_support import CRITERIA, RECEIVED, live_desk, login, post, submit
from site_support import build
from yishi.desk.published import RECHECK_AFTER, latest_commit
from yishi.testing.static_site import serve_directory


def test_a_change_is_published_once_the_rebuilt_site_shows_its_commit(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    with serve_directory(site) as site_url, live_desk(tmp_path, site_url=site_url) as live:
        amy, bo = login(live, "amy"), login(live, "bo")
        change = submit(amy, f"/issues/{RECEIVED}/screen",
                        {"decision": "accept", "criteria": CRITERIA})
        waiting = amy.get(f"/changes/{change}").text
        assert "已发布" not in waiting and "等待网站下次构建" not in waiting  # not approved yet
        assert post(bo, f"/changes/{change}/approve", {}).status_code == 200
        page = f"{site_url}issues/{RECEIVED}/"
        assert "已批准,等待网站下次构建" in amy.get(f"/changes/{change}").text
        build(live.root, site_dir=site)
        commit = latest_commit(live.root, "main", f"content/issues/{RECEIVED}.md")
        assert commit is not None and f'data-commit="{commit}"' in (
            site / "issues" / RECEIVED / "index.html").read_text(encoding="utf-8")
        # "Not yet" is believed for a while: the site is not asked on every view.
        assert "等待网站下次构建" in amy.get(f"/changes/{change}").text
        live.clock.advance(RECHECK_AFTER + 1)
        shown = amy.get(f"/changes/{change}").text
        assert '<strong id="published">已发布</strong>' in shown and f'href="{page}"' in shown
    # Once shown, it stays shown without asking the site again (the server is gone now).
    assert live.desk.is_published("issues", RECEIVED)


def test_an_unreachable_site_means_waiting_and_no_error(tmp_path: Path) -> None:
    with live_desk(tmp_path, site_url="http://127.0.0.1:9/") as live:
        amy, bo = login(live, "amy"), login(live, "bo")
        change = submit(amy, f"/issues/{RECEIVED}/screen",
                        {"decision": "accept", "criteria": CRITERIA})
        post(bo, f"/changes/{change}/approve", {})
        page = amy.get(f"/changes/{change}")
        assert page.status_code == 200 and "已批准,等待网站下次构建" in page.text
