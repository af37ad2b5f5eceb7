"""The council's time zone: validated once in the council model, and read through
``Council.tz`` / ``Council.today`` by every module that needs the council's date."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from yishi.cli import main
from yishi.council import Council, load_council
from yishi.errors import CouncilError
from yishi.issue_form.event import IssueEvent
from yishi.issue_form.submit import issue_id_for
from yishi.loading import load_repository
from yishi.site.context import SiteContext

PROJECT = Path(__file__).resolve().parents[1]
SOURCE = PROJECT / "src" / "yishi"

#: 2024-03-12 20:30 UTC: already the 13th in Shanghai, still the 12th in New York.
INSTANT = dt.datetime(2024, 3, 12, 20, 30, tzinfo=dt.UTC)


def records_with_timezone(root: Path, zone: str) -> Path:
    """A copy of the demo records whose council is in ``zone``."""
    shutil.copytree(PROJECT / "content", root / "content")
    council = root / "content" / "council.yml"
    text = council.read_text(encoding="utf-8")
    assert 'timezone: "+08:00"' in text
    council.write_text(text.replace('timezone: "+08:00"', f'timezone: "{zone}"'), encoding="utf-8")
    return root


@pytest.mark.parametrize("zone", ["+8", "+0800", "8", "GMT+8", "PRC", "Etc/GMT-8", "Asia/Nowhere",
                                  "+15:00", "../../etc/passwd", ""])
def test_check_refuses_a_zone_the_build_could_not_read(tmp_path: Path, zone: str) -> None:
    root = records_with_timezone(tmp_path, zone)
    result = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert result.exit_code == 1
    line = next(n for n, text in enumerate(
        (root / "content" / "council.yml").read_text(encoding="utf-8").splitlines(), 1)
        if text.startswith("timezone:"))
    assert result.stdout.splitlines()[0] == (
        f"content/council.yml:{line}: timezone: "
        f"时区 {zone!r} 无法识别：请写 UTC 偏移如 \"+08:00\"，或 IANA 时区名如 \"Asia/Shanghai\" "
        f"(unknown time zone {zone!r}; write an offset like \"+08:00\" or a zone like "
        f"\"Asia/Shanghai\")"
    )
    with pytest.raises(CouncilError, match="timezone: 时区"):
        load_council(root)


@pytest.mark.parametrize(("zone", "day"), [
    ("+08:00", dt.date(2024, 3, 13)), ("Asia/Shanghai", dt.date(2024, 3, 13)),
    ("-05:00", dt.date(2024, 3, 12)), ("America/New_York", dt.date(2024, 3, 12)),
    ("+05:45", dt.date(2024, 3, 13)), ("UTC", dt.date(2024, 3, 12)),
])
def test_accepted_zones_give_the_councils_date_everywhere(tmp_path: Path, zone: str,
                                                          day: dt.date) -> None:
    root = records_with_timezone(tmp_path, zone)
    assert CliRunner().invoke(main, ["check", "--root", str(root)]).exit_code == 0
    repo = load_repository(root)
    council = repo.require_council()
    assert council.today(INSTANT) == day
    # The site's build date, the issue form's ids and the exports all read Council.tz.
    site = SiteContext(repo, built_at=INSTANT)
    assert site.today == day
    assert site.tz is council.tz
    event = IssueEvent(number=7, title="t", body="", created_at=INSTANT, html_url="",
                       label="accepted", labels=(), sender="s")
    assert issue_id_for(event, council) == f"{day:%Y-%m%d}-gi7"


def test_today_without_an_instant_is_the_councils_date_now() -> None:
    council = load_council(PROJECT)
    before = dt.datetime.now(council.tz).date()
    assert council.today() in {before, dt.datetime.now(council.tz).date()}


def test_no_module_parses_the_zone_but_the_council() -> None:
    readers = sorted(
        path.relative_to(SOURCE).as_posix() for path in SOURCE.rglob("*.py")
        if re.search(r"\.timezone\b", path.read_text(encoding="utf-8"))
        and path.name != "council.py"
    )
    assert readers == []
    assert "tz" in Council.__dict__ and "today" in Council.__dict__
