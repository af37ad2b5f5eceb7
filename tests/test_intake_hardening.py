"""The audit's smaller findings, each tried as it was found: purge and the WAL, store file
modes, the client hash's pepper, forged log lines, the Host header, replayed form tokens,
IPv6 clients, ids with a trailing newline, and receipt lookups."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from intake_support import Clock, LiveIntake, form, make_records_repo, serve_intake
from yishi.council import load_council
from yishi.ids import ID_RE, id_date
from yishi.intake.abuse import RateLimit, client_key
from yishi.intake.service import ServiceSettings
from yishi.intake.store import Store, StoreError
from yishi.intake.submission import parse_submission

Service = Callable[..., AbstractContextManager[LiveIntake]]


@pytest.fixture
def service(tmp_path: Path) -> Service:
    def start(**settings: object) -> AbstractContextManager[LiveIntake]:
        return serve_intake(tmp_path, ServiceSettings(**settings))  # type: ignore[arg-type]
    return start


def _admit_with_contact(store: Store, repo: Path) -> None:
    submission = parse_submission(form(contact="微信 wx_secret_contact"), load_council(repo))
    store.admit(submission, [], client="c", now=1000.0, new_id=lambda: "2024-0312-2222",
                limit=RateLimit(5, 600))


def test_purge_says_when_a_reader_keeps_the_contact_in_the_wal(tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    db = tmp_path / "intake.sqlite3"
    store = Store(db)
    _admit_with_contact(store, repo)
    reader = sqlite3.connect(db)
    reader.execute("BEGIN")
    assert reader.execute("SELECT contact FROM private").fetchall()  # holds a snapshot
    with pytest.raises(StoreError, match=r"intake\.sqlite3-wal") as refused:
        store.purge(2000.0)
    assert "purge" in str(refused.value) and "1" in str(refused.value)
    reader.rollback()
    reader.close()
    assert store.purge(2000.0) == 0  # already deleted; now the WAL is emptied too
    leftovers = db.read_bytes() + (Path(f"{db}-wal").read_bytes()
                                   if Path(f"{db}-wal").exists() else b"")
    assert b"wx_secret_contact" not in leftovers
    store.close()


def test_store_and_wal_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    repo = make_records_repo(tmp_path / "records")
    old = os.umask(0o022)
    try:
        db = tmp_path / "intake.sqlite3"
        store = Store(db)
        _admit_with_contact(store, repo)
        files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        assert all(f.exists() for f in files)
        modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files}
        assert modes == {f.name: 0o600 for f in files}
        store.close()
        # A store made before the rule is tightened when opened.
        db.chmod(0o644)
        Store(db).close()
        assert stat.S_IMODE(db.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_the_client_pepper_is_not_in_the_store(tmp_path: Path, service: Service) -> None:
    # A store from an earlier version, with its salt inside: it is dropped.
    Store(tmp_path / "intake.sqlite3").setting("client-salt", lambda: "old-salt")
    with service() as live:
        assert live.submit(form()).status_code == 202
        db = live.store.path
        with sqlite3.connect(db) as conn:
            [client] = [row[0] for row in conn.execute("SELECT client FROM private")]
            settings = dict(conn.execute("SELECT key, value FROM settings").fetchall())
    assert "client-salt" not in settings and settings  # the form-token secret stays
    for value in settings.values():
        assert client_key(value, "127.0.0.1") != client
    pepper = db.with_name(db.name + ".pepper")  # its own file, the owner's only
    assert stat.S_IMODE(pepper.stat().st_mode) == 0o600
    assert client == client_key(pepper.read_text().strip(), "127.0.0.1")
    assert pepper.read_text().strip().encode() not in db.read_bytes()


def test_a_configured_pepper_keys_the_client(service: Service) -> None:
    with service(client_pepper="from-a-file") as live:
        assert live.submit(form()).status_code == 202
        with sqlite3.connect(live.store.path) as conn:
            [client] = [row[0] for row in conn.execute("SELECT client FROM private")]
    assert client == client_key("from-a-file", "127.0.0.1")


def test_a_newline_in_the_path_cannot_forge_a_log_line(
        service: Service, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="yishi.intake.service")
    with service() as live:
        live.client.get(f"{live.base}/receipt/x%0A2024-03-12 INFO forged%0D%0Aline")
    lines = [r.getMessage() for r in caplog.records if r.name == "yishi.intake.service"]
    [line] = [m for m in lines if "forged" in m]
    assert "\n" not in line and "\r" not in line
    assert "\\n" in line and line.startswith("GET /receipt/x")


def test_redirects_and_receipt_links_use_the_public_url(service: Service) -> None:
    public = "https://intake.example.org/"
    with service(public_url=public) as live:
        forged = {"Host": "evil.example"}
        answer = live.submit(form(), headers=forged)
        assert answer.status_code == 202
        assert answer.json()["receipt_url"].startswith("https://intake.example.org/receipt/")
        redirect = live.submit(form(title="另一条"), json=False, headers=forged)
        assert redirect.status_code == 303
        assert redirect.headers["location"].startswith("https://intake.example.org/receipt/")
        page = live.client.get(f"{live.base}/submit", headers=forged).text
        assert 'action="https://intake.example.org/api/submissions"' in page
        assert "evil.example" not in page


def test_a_form_token_admits_one_submission(service: Service) -> None:
    with service(rate_limit=RateLimit(100, 60)) as live:
        token = live.token()
        live.clock.advance(5)
        fixable = live.submit(form(title=""), token)
        assert fixable.status_code == 422 and "title" in fixable.json()["errors"]
        assert live.submit(form(), token).status_code == 202  # fixed, same token
        replayed = live.submit(form(title="换个标题再来一次"), token)
        assert replayed.status_code == 422
        assert "已经提交过" in replayed.json()["errors"]["token"]
        assert live.submit(form(title="新表单")).status_code == 202  # a new token works


def test_ipv6_clients_are_one_client_per_64() -> None:
    pepper = "p"
    same = client_key(pepper, "2001:db8:1:2::1")
    assert client_key(pepper, "2001:db8:1:2:ffff:ee:dd:9") == same
    assert client_key(pepper, "2001:db8:1:3::1") != same
    assert client_key(pepper, "::ffff:192.0.2.7") == client_key(pepper, "192.0.2.7")
    assert client_key(pepper, "192.0.2.7") != client_key(pepper, "192.0.2.8")


@pytest.mark.parametrize("text", ["2024-0312-abcd\n", "2024-0312-abcd\n\n", "\n2024-0312-abcd"])
def test_an_id_with_a_newline_is_not_an_id(text: str) -> None:
    assert ID_RE.match(text) is None and ID_RE.fullmatch(text) is None
    assert id_date(text) is None
    assert ID_RE.match(text.strip())


def test_receipt_lookups_are_throttled(service: Service) -> None:
    with service(lookup_limit=RateLimit(3, 60)) as live:
        issue_id = live.submit(form()).json()["id"]
        urls = [f"{live.base}/api/submissions/{issue_id}", f"{live.base}/receipt/{issue_id}",
                f"{live.base}/api/submissions/2024-0312-zzzz"]
        assert [live.client.get(u).status_code for u in urls] == [200, 200, 404]
        limited = live.client.get(urls[0])
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        live.clock.advance(61)
        assert live.client.get(urls[1]).status_code == 200


def test_a_token_bound_above_one_is_still_a_bound() -> None:
    from yishi.intake.tokens import FormTokens, TokenPolicy, TokenRefused

    clock = Clock()
    tokens = FormTokens("secret", clock, TokenPolicy(min_fill_seconds=0, max_uses=3))
    token = tokens.issue()
    nonces = [tokens.verify(token) for _ in range(3)]
    with pytest.raises(TokenRefused, match="已经提交过"):
        tokens.verify(token)
    tokens.release(nonces[0])  # one of them was not admitted: one more use
    tokens.verify(token)
    with pytest.raises(TokenRefused):
        tokens.verify(token)
