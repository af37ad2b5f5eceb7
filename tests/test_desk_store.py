"""The desk's database: file mode, schema version and migrations; accounts and the CLI."""

from __future__ import annotations

import sqlite3
import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from desk_support import PASSWORD
from yishi.cli import main
from yishi.desk.accounts import AccountError, Accounts
from yishi.desk.audit import AuditLog
from yishi.desk.database import MIGRATIONS, SCHEMA_VERSION, Database, DeskStoreError


def test_a_new_store_is_private_and_at_the_current_version(tmp_path: Path) -> None:
    db = Database(tmp_path / "var" / "desk.sqlite3")
    assert stat.S_IMODE(db.path.stat().st_mode) == 0o600
    assert db.version() == SCHEMA_VERSION == len(MIGRATIONS)


def test_a_file_made_by_the_first_version_is_migrated_keeping_its_accounts(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    # What the first release of the desk wrote: migration 1 only, one account.
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("INSERT INTO accounts (name, password_hash, approver, created_at) "
                 "VALUES ('amy', 'x', 1, 0)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    db = Database(path)
    assert db.version() == SCHEMA_VERSION
    assert [a.name for a in Accounts(db, lambda: 0.0).all()] == ["amy"]
    assert db.conn.execute("SELECT count(*) FROM changes").fetchone()[0] == 0


def test_a_file_from_a_newer_desk_is_refused_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(DeskStoreError, match="请升级"):
        Database(path)


def test_passwords_are_argon2id_and_never_stored_in_clear(tmp_path: Path) -> None:
    db = Database(tmp_path / "desk.sqlite3")
    accounts = Accounts(db, lambda: 0.0)
    accounts.add("amy", PASSWORD)
    (stored,) = db.conn.execute("SELECT password_hash FROM accounts").fetchone()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.verify("amy", PASSWORD) is not None
    assert accounts.verify("amy", PASSWORD + "x") is None
    assert accounts.verify("nobody", PASSWORD) is None
    with pytest.raises(AccountError, match="密码太短"):
        accounts.add("ben", "short")
    with pytest.raises(AccountError, match="已存在"):
        accounts.add("amy", PASSWORD)
    with pytest.raises(AccountError, match=r"没有用户 'zed'.*amy"):
        accounts.disable("zed")


def test_the_user_commands_read_the_password_from_stdin(tmp_path: Path) -> None:
    db = str(tmp_path / "desk.sqlite3")
    runner = CliRunner()
    added = runner.invoke(main, ["desk", "user", "add", "bo", "--approver", "--db", db],
                          input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    runner.invoke(main, ["desk", "user", "add", "amy", "--db", db], input=PASSWORD + "\n")
    listed = runner.invoke(main, ["desk", "user", "list", "--db", db])
    assert "amy\t议事员\t可用" in listed.output and "bo\t审核人\t可用" in listed.output
    assert PASSWORD not in listed.output
    assert runner.invoke(main, ["desk", "user", "disable", "amy", "--db", db]).exit_code == 0
    assert "amy\t议事员\t已停用" in runner.invoke(main, ["desk", "user", "list", "--db", db]).output
    reset = runner.invoke(main, ["desk", "user", "reset", "amy", "--db", db],
                          input="another long password\n")
    assert reset.exit_code == 0, reset.output
    store = Database(Path(db))
    assert Accounts(store, lambda: 0.0).verify("amy", "another long password") is not None
    short = runner.invoke(main, ["desk", "user", "add", "cy", "--db", db], input="short\n")
    assert short.exit_code == 1 and "密码太短" in short.output
    actions = [(e.action, e.subject) for e in AuditLog(store).latest()]
    assert ("user_reset", "amy") in actions and ("user_disable", "amy") in actions
