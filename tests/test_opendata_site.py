"""Open data in real ``mkdocs build``s of a fixture repository with a git history.

One module-scoped set of builds: ``before`` (first commit), ``after`` (after the issue was
retitled and edited: three commits to one record) and ``again`` (a rebuild of ``after``).
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import feedparser
import icalendar
import jsonschema
import pytest

from opendata_repo import (
    DONE,
    MEETING,
    MERGED,
    RECEIVED,
    REJECTED,
    UPCOMING,
    WITHDRAWN,
    build,
    commit,
    git,
    make_repo,
)
from yishi.exports.fields import ENVELOPE_FIELDS, ISSUE_FIELDS, MEETING_FIELDS
from yishi.exports.tables import ISSUE_COLUMNS, MEETING_COLUMNS
from yishi.lifecycle import OPEN311_CLOSED
from yishi.testing.static_site import serve_directory

SITE_URL = "https://council.example.org/yishi/"
ID = re.compile(r"^\d{4}-\d{4}-[a-z0-9]+$")
OLD_TITLE = "楼道小广告层层叠叠,希望集中清理"
NEW_TITLE = "楼道小广告清理(已更名)"

#: GeoReport v2, GET requests.json: every field a service request carries.
GEOREPORT_REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
}
#: GeoReport v2, GET services.json.
GEOREPORT_SERVICE_FIELDS = {
    "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
}
GEOREPORT_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


@dataclass
class Builds:
    before: Path
    after: Path
    again: Path
    hashes: list[str]  # the three commits to DONE, newest first
    head: str


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    base = tmp_path_factory.mktemp("opendata-site")
    repo = make_repo(base / "repo", site_url=SITE_URL)
    first = git(repo, "rev-parse", "HEAD")
    before = build(repo, base / "before")
    record = repo / f"content/issues/{DONE}.md"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace(f"title: {OLD_TITLE}", f"title: {NEW_TITLE}"), encoding="utf-8")
    second = commit(repo, "Retitle the cleaning proposal", "2023-05-01T09:30:00+08:00")
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace("outcome: 整个楼道清新明目。", "outcome: 楼道清新明目。"),
                      encoding="utf-8")
    third = commit(repo, "Record the outcome", "2023-06-02T18:05:00+08:00")
    after = build(repo, base / "after")
    again = build(repo, base / "again")
    return Builds(before, after, again, [third, second, first], third)


def _json(site: Path, path: str) -> object:
    return json.loads((site / path).read_text(encoding="utf-8"))


def _page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def _issues(site: Path) -> dict[str, dict[str, object]]:
    data = _json(site, "data/issues.json")
    assert isinstance(data, dict)
    return {item["id"]: item for item in data["issues"]}


def _page_ids(site: Path, folder: str) -> set[str]:
    return {p.parent.name for p in (site / folder).glob("*/index.html") if ID.match(p.parent.name)}


@pytest.mark.parametrize(("data", "schema"), [
    ("data/issues.json", "data/schema/issue.json"),
    ("data/meetings.json", "data/schema/meeting.json"),
])
def test_exports_validate_against_their_schemas(builds: Builds, data: str, schema: str) -> None:
    document = _json(builds.after, schema)
    assert isinstance(document, dict)
    jsonschema.Draft202012Validator.check_schema(document)
    validator = jsonschema.Draft202012Validator(document, format_checker=jsonschema.FormatChecker())
    exported = _json(builds.after, data)
    validator.validate(exported)
    assert isinstance(exported, dict)
    # The schema is strict: a field it does not know fails validation.
    key = "issues" if "issues" in data else "meetings"
    broken = json.loads(json.dumps(exported))
    broken[key][0]["unexpected"] = 1
    assert not validator.is_valid(broken)


def test_every_json_export_carries_generated_at_and_commit(builds: Builds) -> None:
    for path in ("data/issues.json", "data/meetings.json", "data/manifest.json"):
        document = _json(builds.after, path)
        assert isinstance(document, dict)
        assert document["commit"] == builds.head
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", document["generated_at"])
        assert document["licence"] == "CC BY 4.0"


def test_open311_follows_georeport_v2(builds: Builds) -> None:
    services = _json(builds.after, "open311/services.json")
    assert isinstance(services, list) and services
    for service in services:
        assert set(service) == GEOREPORT_SERVICE_FIELDS
        assert service["metadata"] is False and service["type"] in {"realtime", "batch", "blackbox"}
    assert "ads" in {s["service_code"] for s in services}
    requests = _json(builds.after, "open311/requests.json")
    assert isinstance(requests, list)
    issues = _issues(builds.after)
    assert {r["service_request_id"] for r in requests} == set(issues)
    codes = {s["service_code"] for s in services}
    for request in requests:
        assert set(request) == GEOREPORT_REQUEST_FIELDS
        issue = issues[request["service_request_id"]]
        expected = "closed" if issue["status"] in {s.value for s in OPEN311_CLOSED} else "open"
        assert request["status"] == expected
        assert request["service_code"] in codes
        assert GEOREPORT_DATETIME.match(request["requested_datetime"])
        assert GEOREPORT_DATETIME.match(request["updated_datetime"])
    by_id = {r["service_request_id"]: r for r in requests}
    assert by_id[DONE]["status"] == "closed" and by_id[RECEIVED]["status"] == "open"
    assert by_id[DONE]["requested_datetime"] == "2023-04-03T00:00:00+08:00"
    assert by_id[DONE]["updated_datetime"] == "2023-04-19T00:00:00+08:00"
    assert by_id[DONE]["address"] == "盛业家园 3、5、7 号楼楼道"
    assert by_id[WITHDRAWN]["address"] is None


def test_open311_answers_a_request_by_id_as_a_client_asks(builds: Builds) -> None:
    """GeoReport's ``GET requests/{id}.json`` over HTTP: an array of the one request, the
    same as in ``requests.json``; a query string changes nothing on a static site."""
    requests = _json(builds.after, "open311/requests.json")
    assert isinstance(requests, list)
    by_id = {r["service_request_id"]: r for r in requests}
    written = {p.name for p in (builds.after / "open311" / "requests").iterdir()}
    assert written == {f"{issue_id}.json" for issue_id in by_id}
    with serve_directory(builds.after) as base:
        for issue_id in (DONE, RECEIVED, WITHDRAWN):
            with urllib.request.urlopen(f"{base}open311/requests/{issue_id}.json") as answer:
                assert answer.status == 200
                assert json.loads(answer.read()) == [by_id[issue_id]]
        with urllib.request.urlopen(f"{base}open311/requests.json?status=closed") as answer:
            assert len(json.loads(answer.read())) == len(requests)


def test_open311_has_no_service_definitions_because_no_service_has_metadata(
    builds: Builds,
) -> None:
    services = _json(builds.after, "open311/services.json")
    assert isinstance(services, list)
    assert all(service["metadata"] is False for service in services)
    assert not (builds.after / "open311" / "services").exists()


def test_manifest_leaves_out_the_per_request_files(builds: Builds) -> None:
    manifest = _json(builds.after, "data/manifest.json")
    assert isinstance(manifest, dict)
    paths = [entry["path"] for entry in manifest["files"]]
    assert "open311/requests.json" in paths
    assert not [path for path in paths if path.startswith("open311/requests/")]


def test_data_page_says_query_parameters_are_ignored(builds: Builds) -> None:
    page = _page(builds.after, "data")
    assert "<code>/open311/requests/&lt;id&gt;.json</code>(按编号取一个请求,是只含一项的数组)" in page
    assert ("<strong>查询参数不起作用:</strong>这是静态网站,<code>requests.json?status=open</code>"
            in page)
    assert "<strong>Query parameters are ignored:</strong> this is a static site" in page
    assert ("The filters that exist as files are by id (<code>/open311/requests/&lt;id&gt;.json"
            "</code>) and by community") in page


def test_counts_and_ids_agree_between_pages_and_exports(builds: Builds) -> None:
    site = builds.after
    issue_ids = _page_ids(site, "issues")
    meeting_ids = _page_ids(site, "meetings")
    assert issue_ids == {DONE, MERGED, WITHDRAWN, REJECTED, RECEIVED}
    assert meeting_ids == {MEETING, UPCOMING}
    issues = _json(site, "data/issues.json")
    meetings = _json(site, "data/meetings.json")
    assert isinstance(issues, dict) and isinstance(meetings, dict)
    assert {i["id"] for i in issues["issues"]} == issue_ids and issues["count"] == len(issue_ids)
    assert {m["id"] for m in meetings["meetings"]} == meeting_ids
    assert meetings["count"] == len(meeting_ids)
    rows = list(csv.DictReader(io.StringIO((site / "data/issues.csv").read_text("utf-8-sig"))))
    assert {row["id"] for row in rows} == issue_ids
    meeting_rows = list(csv.DictReader(
        io.StringIO((site / "data/meetings.csv").read_text("utf-8-sig"))))
    assert {row["id"] for row in meeting_rows} == meeting_ids
    manifest = _json(site, "data/manifest.json")
    assert isinstance(manifest, dict)
    assert manifest["counts"]["issues"] == len(issue_ids)
    assert manifest["counts"]["meetings"] == len(meeting_ids)
    assert sum(manifest["counts"]["issues_by_status"].values()) == len(issue_ids)
    # Every exported URL is the page's permalink on the configured site.
    for item in issues["issues"]:
        assert item["url"] == f"{SITE_URL}issues/{item['id']}/"


def test_manifest_lists_every_file_with_size_and_digest(builds: Builds) -> None:
    manifest = _json(builds.after, "data/manifest.json")
    assert isinstance(manifest, dict)
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for path in ("data/issues.json", "data/meetings.json", "data/issues.csv", "data/meetings.csv",
                 "data/schema/issue.json", "data/schema/meeting.json", "feed.xml",
                 "communities/shengye/feed.xml", "meetings.ics", "open311/services.json",
                 "open311/requests.json"):
        content = (builds.after / path).read_bytes()
        assert listed[path]["bytes"] == len(content)
        assert listed[path]["sha256"] == hashlib.sha256(content).hexdigest()


def test_csv_opens_in_excel_and_neutralises_formulas(builds: Builds) -> None:
    raw = (builds.after / "data/issues.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    header = next(reader)
    assert header == [c.name for c in ISSUE_COLUMNS]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in reader}
    done = rows[DONE]
    assert done["title"] == NEW_TITLE and done["decision_meeting"] == MEETING
    assert done["vote_for"] == "10" and done["feedback_resolved"] == "true"
    # The description starts with "=": a spreadsheet must not run it as a formula.
    assert done["description"].startswith("'=楼道内")
    assert done["version"] == builds.hashes[0]
    meetings = (builds.after / "data/meetings.csv").read_text("utf-8-sig").splitlines()[0]
    assert meetings.split(",") == [c.name for c in MEETING_COLUMNS]


def test_feeds_parse_and_every_entry_links_to_a_page(builds: Builds) -> None:
    feed = feedparser.parse((builds.after / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title.endswith("公开动态")
    ids = [entry.id for entry in feed.entries]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("tag:council.example.org,") for i in ids)
    titles = {entry.title for entry in feed.entries}
    assert f"新提案:{NEW_TITLE}" in titles and f"决议:{NEW_TITLE}" in titles
    assert "议事会:盛业家园社区小广告治理协商议事会" in titles
    for entry in feed.entries:
        assert entry.link.startswith(SITE_URL)
        path = entry.link.removeprefix(SITE_URL).partition("#")[0]
        assert (builds.after / path / "index.html").exists(), entry.link
    decision = next(e for e in feed.entries if e.title.startswith("决议"))
    assert decision.link == f"{SITE_URL}meetings/{MEETING}/#{DONE}"
    assert decision.published.startswith("2023-04-18T19:00:00+08:00")
    # A community's feed has that community's changes only.
    shenghong = feedparser.parse((builds.after / "communities/shenghong/feed.xml").read_bytes())
    assert not shenghong.bozo
    assert {e.link for e in shenghong.entries} == {f"{SITE_URL}issues/{WITHDRAWN}/"}


def test_feed_entry_ids_identical_across_two_builds(builds: Builds) -> None:
    for path in ("feed.xml", "communities/shengye/feed.xml"):
        one = feedparser.parse((builds.after / path).read_bytes())
        two = feedparser.parse((builds.again / path).read_bytes())
        assert [e.id for e in one.entries] == [e.id for e in two.entries]
        assert [e.updated for e in one.entries] == [e.updated for e in two.entries]
        assert one.entries


def test_retitled_issue_keeps_its_url_and_feed_entry_ids(builds: Builds) -> None:
    old_page, new_page = _page(builds.before, f"issues/{DONE}"), _page(builds.after, f"issues/{DONE}")
    assert OLD_TITLE in old_page and NEW_TITLE not in old_page
    assert NEW_TITLE in new_page
    assert _issues(builds.before)[DONE]["url"] == _issues(builds.after)[DONE]["url"]

    def entries(site: Path) -> dict[str, str]:
        feed = feedparser.parse((site / "feed.xml").read_bytes())
        return {e.id: e.title for e in feed.entries if f"/{DONE}" in e.id}

    old, new = entries(builds.before), entries(builds.after)
    assert old.keys() == new.keys() and len(old) >= 4
    assert any(OLD_TITLE in t for t in old.values()) and any(NEW_TITLE in t for t in new.values())


def test_history_of_three_commits_on_the_page_and_in_issues_json(builds: Builds) -> None:
    item = _issues(builds.after)[DONE]
    assert [c["commit"] for c in item["history"]] == builds.hashes
    assert [c["subject"] for c in item["history"]] == [
        "Record the outcome", "Retitle the cleaning proposal", "Add the first records",
    ]
    assert item["history"][0]["date"] == "2023-06-02T18:05:00+08:00"
    assert item["last_changed"] == "2023-06-02T18:05:00+08:00"
    assert item["history_complete"] is True
    page = _page(builds.after, f"issues/{DONE}")
    assert re.findall(r'data-commit="([0-9a-f]{40})"', page) == builds.hashes
    assert "Retitle the cleaning proposal" in page and "yi-history-incomplete" not in page
    # Untouched records show their one commit.
    assert [c["commit"] for c in _issues(builds.after)[MERGED]["history"]] == [builds.hashes[2]]


def test_cite_block_names_the_version_and_the_permalink(builds: Builds) -> None:
    page = _page(builds.after, f"issues/{DONE}")
    permalink = f"{SITE_URL}issues/{DONE}/"
    cite = page[page.index('id="cite"'):]
    assert f'href="{permalink}"' in cite and builds.hashes[0] in cite
    text = html.unescape(re.search(r'data-format="text">(.*?)</pre>', cite, re.S)[1])  # type: ignore[index]
    assert text.startswith(f"示范街道居民议事协商委员会. {NEW_TITLE}[EB/OL]. (2023-04-03)[")
    assert permalink in text and builds.hashes[0][:7] in text
    bibtex = html.unescape(re.search(r'data-format="bibtex">(.*?)</pre>', cite, re.S)[1])  # type: ignore[index]
    assert bibtex.startswith(f"@misc{{yishi-{DONE},") and f"url = {{{permalink}}}" in bibtex
    assert f"version = {{{builds.hashes[0]}}}" in bibtex
    csl = json.loads(html.unescape(re.search(r'data-format="csl">(.*?)</pre>', cite, re.S)[1]))  # type: ignore[index]
    assert csl[0]["URL"] == permalink and csl[0]["version"] == builds.hashes[0]
    assert csl[0]["issued"] == {"date-parts": [[2023, 4, 3]]}
    meeting = _page(builds.after, f"meetings/{MEETING}")
    assert 'id="cite"' in meeting and f"{SITE_URL}meetings/{MEETING}/" in meeting


def test_merged_and_withdrawn_issues_keep_their_pages(builds: Builds) -> None:
    for issue_id in (MERGED, WITHDRAWN, REJECTED):
        assert 'id="cite"' in _page(builds.after, f"issues/{issue_id}")
    issues = _issues(builds.after)
    merged_into = issues[MERGED]["references"]["merged_into"]  # type: ignore[index]
    assert merged_into == {"id": DONE, "title": NEW_TITLE, "status": "done",
                           "url": f"{SITE_URL}issues/{DONE}/"}
    assert [r["id"] for r in issues[DONE]["references"]["merged_from"]] == [MERGED]  # type: ignore[index]


def test_decision_permalink_is_the_agenda_item_anchor(builds: Builds) -> None:
    decision = _issues(builds.after)[DONE]["references"]["decision"]  # type: ignore[index]
    assert decision["url"] == f"{SITE_URL}meetings/{MEETING}/#{DONE}"
    assert decision["decision"] == "次日组织志愿者集中清理楼道小广告。"
    assert decision["vote"]["for"] == 10
    assert f'id="{DONE}"' in _page(builds.after, f"meetings/{MEETING}")


def test_calendar_lists_upcoming_meetings(builds: Builds) -> None:
    calendar = icalendar.Calendar.from_ical((builds.after / "meetings.ics").read_bytes())
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"{UPCOMING}@council.example.org"]
    start = events[0].decoded("DTSTART")
    assert start.isoformat() == "2099-01-05T11:30:00+00:00"  # 19:30 at +08:00
    assert str(events[0]["URL"]) == f"{SITE_URL}meetings/{UPCOMING}/"


def test_last_changed_on_every_page(builds: Builds) -> None:
    pages = [p for p in builds.after.rglob("index.html") if "pagefind" not in p.parts]
    assert len(pages) > 10
    missing = [str(p) for p in pages if "最后修改 20" not in p.read_text(encoding="utf-8")]
    assert not missing
    assert "最后修改 2023-06-02 18:05" in _page(builds.after, f"issues/{DONE}")
    assert "最后修改 2023-04-20 10:00" in _page(builds.after, f"issues/{MERGED}")


def test_an_archive_volume_last_changed_with_its_own_records(builds: Builds) -> None:
    # DONE changed last (2023-06-02); the amenities volume holds none of its changes, so a
    # later merge elsewhere neither changes its date nor evicts it from the page cache.
    assert "最后修改 2023-06-02 18:05" in _page(builds.after, "archive/issues/ads/1")
    assert "最后修改 2023-06-02 18:05" in _page(builds.after, "archive/meetings/1")  # DONE on the agenda
    amenities = _page(builds.after, "archive/issues/amenities/1")
    assert "最后修改 2023-04-20 10:00" in amenities and "2023-06-02" not in amenities


def test_data_page_documents_every_file_and_field(builds: Builds) -> None:
    page = _page(builds.after, "data")
    assert "CC BY 4.0" in page and "开放数据" in page
    for path in ("data/issues.json", "data/issues.csv", "data/schema/meeting.json", "feed.xml",
                 "communities/heipan/feed.xml", "meetings.ics", "open311/requests.json",
                 "data/manifest.json"):
        assert f"<code>/{path}</code>" in page, path
    documented = {name for name, _, _ in ENVELOPE_FIELDS + ISSUE_FIELDS + MEETING_FIELDS}
    for schema_path, key in (("data/schema/issue.json", "Issue"),
                             ("data/schema/meeting.json", "Meeting")):
        schema = _json(builds.after, schema_path)
        assert isinstance(schema, dict)
        fields = set(schema["$defs"][key]["properties"]) | set(schema["properties"])
        assert fields <= documented, fields - documented
        for name in fields:
            assert f"<code>{name}</code>" in page, name
    for column in ISSUE_COLUMNS + MEETING_COLUMNS:  # type: ignore[operator]
        assert f"<code>{column.name}</code>" in page
    # In the navigation of every other page.
    assert 'href="../data/" class="md-nav__link' in _page(builds.after, "about")
