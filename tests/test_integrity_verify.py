"""``yishi verify-history``, the ledger read over real HTTP, shallow clones and
``content/rewrites.yml``: real git repositories, a real server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from integrity_support import MEETING_FILE, build, edit
from opendata_repo import MEETING, commit, git, make_repo
from yishi.cli import main
from yishi.errors import LedgerError
from yishi.history import read_history
from yishi.integrity import append_publication, load_rewrites, read_ledger, rewrite_problems

DECISION = "次日组织志愿者集中清理楼道小广告。"


def ledger_at(repo: Path, previous: Path | None = None) -> bytes:
    """The ledger a publish of ``repo`` would write (after ``previous``)."""
    before = read_ledger(str(previous)) if previous else None
    return append_publication(
        before, commit=git(repo, "rev-parse", "HEAD"), published_at="2023-05-01T10:00:00+08:00",
        manifest=b"{}", counts={}, history=read_history(repo)).dumps()


@dataclass
class Story:
    origin: Path  # the council's repository, two commits on main
    ledger: Path  # published after each of them
    first: str
    second: str


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    base = tmp_path_factory.mktemp("verify")
    origin = make_repo(base / "origin")
    first = git(origin, "rev-parse", "HEAD")
    once = base / "once.json"
    once.write_bytes(ledger_at(origin))
    edit(origin, MEETING_FILE, DECISION, "次日组织党员集中清理楼道小广告。")
    second = commit(origin, "Record the decision", "2023-04-19T09:00:00+08:00")
    ledger = base / "publications.json"
    ledger.write_bytes(ledger_at(origin, once))
    return Story(origin, ledger, first, second)


def verify(*args: str) -> Any:
    return CliRunner().invoke(main, ["verify-history", *args])


def clone(story: Story, target: Path, *options: str) -> Path:
    subprocess.run(["git", "clone", "-q", *options, f"file://{story.origin}", str(target)],
                   check=True, capture_output=True)
    return target


def test_verify_history_passes_on_the_published_history(story: Story) -> None:
    result = verify("--ledger", str(story.ledger), "--root", str(story.origin))
    assert result.exit_code == 0, result.output
    assert "OK" in result.output and "2 次发布" in result.output


def test_verify_history_names_a_vanished_commit_and_its_record(story: Story,
                                                                tmp_path: Path) -> None:
    rewritten = clone(story, tmp_path / "rewritten")
    git(rewritten, "reset", "-q", "--hard", story.first)
    edit(rewritten, MEETING_FILE, DECISION, "由物业清理。")
    commit(rewritten, "Amended decision", "2023-04-19T09:00:00+08:00")
    git(rewritten, "reflog", "expire", "--expire=now", "--all")
    git(rewritten, "gc", "-q", "--prune=now")
    result = verify("--ledger", str(story.ledger), "--root", str(rewritten))
    assert result.exit_code == 1
    assert story.second in result.output and MEETING_FILE in result.output
    assert "历史被改写" in result.output

    (rewritten / "content/rewrites.yml").write_text(
        f"rewrites:\n  - date: 2023-04-20\n    commits: [{story.second}]\n"
        f"    reason: 决议录入有误\n    authorised_by: 社区议事会\n    meeting: {MEETING}\n",
        encoding="utf-8")
    result = verify("--ledger", str(story.ledger), "--root", str(rewritten))
    assert result.exit_code == 0, result.output
    assert "已声明的改写" in result.output and story.second in result.output


def test_a_declaration_of_a_commit_still_there_is_refused(story: Story, tmp_path: Path) -> None:
    repo = clone(story, tmp_path / "repo")
    (repo / "content/rewrites.yml").write_text(
        f"rewrites:\n  - date: 2023-04-20\n    commits: [{story.first}]\n"
        "    reason: 误报\n    authorised_by: 社区议事会\n", encoding="utf-8")
    result = verify("--ledger", str(story.ledger), "--root", str(repo))
    assert result.exit_code == 1 and "仍在本次发布的历史中" in result.output


def test_a_shallow_clone_without_a_remote_says_it_needs_the_full_history(
        story: Story, tmp_path: Path) -> None:
    shallow = clone(story, tmp_path / "shallow", "--depth", "1")
    git(shallow, "remote", "remove", "origin")
    result = verify("--ledger", str(story.ledger), "--root", str(shallow), "--fetch")
    assert result.exit_code == 2
    assert "完整的 git 历史" in result.output and "shallow clone" in result.output
    assert "历史被改写" not in result.output and story.first not in result.output  # no false alarm


def test_a_shallow_clone_fetches_what_it_needs(story: Story, tmp_path: Path) -> None:
    shallow = clone(story, tmp_path / "shallow", "--depth", "1")
    result = verify("--ledger", str(story.ledger), "--root", str(shallow))
    assert result.exit_code == 2 and "--fetch" in result.output  # read-only unless asked
    result = verify("--ledger", str(story.ledger), "--root", str(shallow), "--fetch")
    assert result.exit_code == 0, result.output
    assert "fetched the full history" in result.output
    assert git(shallow, "rev-parse", "--is-shallow-repository") == "false"


def test_a_publish_from_a_shallow_clone_fetches_the_history(story: Story,
                                                            tmp_path: Path) -> None:
    shallow = clone(story, tmp_path / "shallow", "--depth", "1")
    done = build(shallow, tmp_path / "site", str(story.ledger))
    assert done.returncode == 0, done.stderr
    assert "fetched the full history of a shallow clone" in done.stderr
    ledger = json.loads((tmp_path / "site/data/publications.json").read_text("utf-8"))
    assert len(ledger["publications"]) == 3 and ledger["publications"][2]["vanished"] == []
    assert ledger["publications"][2]["history_complete"] is True  # read after the fetch


def test_a_publish_from_a_shallow_clone_without_remote_stops_clearly(
        story: Story, tmp_path: Path) -> None:
    shallow = clone(story, tmp_path / "shallow", "--depth", "1")
    git(shallow, "remote", "remove", "origin")
    done = build(shallow, tmp_path / "site", str(story.ledger))
    assert done.returncode != 0
    assert "fetch-depth: 0" in done.stderr and "历史被改写" not in done.stderr
    assert "Traceback" not in done.stderr


def test_verify_history_needs_a_ledger(story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YISHI_PREVIOUS_LEDGER", raising=False)
    result = verify("--root", str(story.origin))
    assert result.exit_code == 2 and "--ledger" in result.output
    monkeypatch.setenv("YISHI_PREVIOUS_LEDGER", str(story.ledger))
    assert verify("--root", str(story.origin)).exit_code == 0


class Answers:
    """What the loopback server answers, per path."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes, float]] = {}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Answers]]:
    answers = Answers()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body, delay = answers.routes.get(self.path, (404, b"not found", 0.0))
            time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", answers
    httpd.shutdown()
    httpd.server_close()


def test_the_ledger_is_read_over_http(server: tuple[str, Answers], story: Story) -> None:
    url, answers = server
    answers.routes["/data/publications.json"] = (200, story.ledger.read_bytes(), 0.0)
    ledger = read_ledger(f"{url}/data/publications.json")
    assert ledger is not None and len(ledger.publications) == 2
    result = verify("--ledger", f"{url}/data/publications.json", "--root", str(story.origin))
    assert result.exit_code == 0, result.output


def test_a_site_without_a_ledger_starts_one(server: tuple[str, Answers]) -> None:
    url, _ = server
    assert read_ledger(f"{url}/missing/publications.json") is None


def test_a_failing_site_stops_the_publish_rather_than_restart_the_ledger(
        server: tuple[str, Answers], story: Story, tmp_path: Path) -> None:
    url, answers = server
    answers.routes["/broken.json"] = (500, b"oops", 0.0)
    answers.routes["/garbage.json"] = (200, b"<html>", 0.0)
    with pytest.raises(LedgerError, match="HTTP 500"):
        read_ledger(f"{url}/broken.json")
    with pytest.raises(LedgerError, match="not valid JSON"):
        read_ledger(f"{url}/garbage.json")
    done = build(clone(story, tmp_path / "repo"), tmp_path / "site", f"{url}/broken.json")
    assert done.returncode != 0 and "HTTP 500" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "site/data/publications.json").exists()


def test_a_slow_site_times_out(server: tuple[str, Answers]) -> None:
    url, answers = server
    answers.routes["/slow.json"] = (200, b"{}", 3.0)
    started = time.monotonic()
    with pytest.raises(LedgerError, match="cannot fetch"):
        read_ledger(f"{url}/slow.json", timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_yishi_check_reports_a_bad_declaration(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", init_git=False)
    (repo / "content/rewrites.yml").write_text(
        "rewrites:\n  - date: 2023-04-20\n    commits: [abc1234]\n    reason: 决议录入有误\n"
        "    authorised_by: 社区议事会\n    meeting: 2023-0418-xx99\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--root", str(repo)])
    assert result.exit_code == 1
    assert ("content/rewrites.yml:3: rewrites.0.commits.0: 必须是完整的 40 位提交哈希"
            in result.output), result.output
    assert "'abc1234'" in result.output
    (repo / "content/rewrites.yml").write_text(
        "rewrites:\n  - date: 2023-04-20\n    commits: [" + "a" * 40 + "]\n    reason: 有误\n"
        "    authorised_by: 社区议事会\n    meeting: 2023-0418-xx99\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--root", str(repo)])
    assert "content/rewrites.yml:6: rewrites.0.meeting: 没有编号为 '2023-0418-xx99' 的议事会" \
        in result.output


def test_the_readme_example_declaration_is_valid(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("# content/rewrites.yml\n", 1)[1].split("```", 1)[0]
    repo = make_repo(tmp_path / "repo", init_git=False)
    (repo / "content/rewrites.yml").write_text(block, encoding="utf-8")
    [rewrite] = load_rewrites(repo)
    assert rewrite.meeting == "2026-1129-sy02" and len(rewrite.commits[0]) == 40
    assert rewrite_problems(repo, ["2026-1129-sy02"]) == []


def test_publishing_an_older_commit_is_a_rollback_not_a_rewrite(story: Story,
                                                                tmp_path: Path) -> None:
    """A re-run of an old publish: the published commits descend from it, none vanished."""
    old = clone(story, tmp_path / "old")
    git(old, "checkout", "-q", story.first)
    result = verify("--ledger", str(story.ledger), "--root", str(old))
    assert result.exit_code == 1
    assert "早于已经发布过的提交" in result.output and story.second in result.output
    assert "历史被改写" not in result.output


def test_the_notice_marks_records_that_no_longer_exist(tmp_path: Path) -> None:
    """A vanished commit that created a record the rewrite removed: listed, not linked."""
    work = make_repo(tmp_path / "work")
    first = git(work, "rev-parse", "HEAD")
    gone = work / "content/issues/2026-1119-zz9z.md"
    gone.write_text((work / "content/issues/2026-1118-cd9p.md").read_text("utf-8")
                    .replace("2026-1118-cd9p", "2026-1119-zz9z")
                    .replace("2026-11-18", "2026-11-19"), encoding="utf-8")
    added = commit(work, "Add a proposal with a phone number", "2026-11-19T10:00:00+08:00")
    ledger = tmp_path / "publications.json"
    ledger.write_bytes(ledger_at(work))
    git(work, "reset", "-q", "--hard", first)
    (work / "content/rewrites.yml").write_text(
        f"rewrites:\n  - date: 2026-11-20\n    commits: [{added}]\n"
        "    reason: 提案含个人信息\n    authorised_by: 社区议事会\n", encoding="utf-8")
    commit(work, "Declare the rewrite", "2026-11-20T10:00:00+08:00")
    done = build(work, tmp_path / "site", str(ledger))
    assert done.returncode == 0, done.stderr
    notice = (tmp_path / "site/data/rewrites/index.html").read_text(encoding="utf-8")
    assert "<code>content/issues/2026-1119-zz9z.md</code>(此记录已不存在" in notice
    assert "<code>content/issues/2026-1118-cd9p.md</code>" not in notice
