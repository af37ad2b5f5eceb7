"""The intake store carries a schema version: a file written before versioning upgrades with
every row intact, reopening changes nothing, and a newer file or a read-only command is safe."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from intake_support import YISHI
from yishi.intake.migrations import CURRENT_VERSION
from yishi.intake.store import QueueStatus, Store, StoreError

FIXTURE = Path(__file__).parent / "fixtures" / "intake-store" / "v0.sqlite3"


def _copy(tmp_path: Path) -> Path:
    db = tmp_path / "intake.sqlite3"
    shutil.copy(FIXTURE, db)
    return db


def _user_version(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def test_the_fixture_is_a_store_from_before_versioning() -> None:
    # The fixture must stay what the released code wrote, or the upgrade test proves nothing.
    assert _user_version(FIXTURE) == 0
    with sqlite3.connect(FIXTURE) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(private)")}
    assert "notify" not in columns and "contact" in columns


def test_a_released_store_upgrades_with_its_data_intact(tmp_path: Path) -> None:
    db = _copy(tmp_path)
    with Store(db) as store:
        assert _user_version(db) == CURRENT_VERSION
        assert [e.id for e in store.entries()] == ["2024-0312-aaaa", "2024-0312-aaab",
                                                   "2024-0312-aaac"]
        published = store.get("2024-0312-aaab")
        assert published is not None and published.status is QueueStatus.PUBLISHED
        assert published.pr_url == "proposal/2024-0312-aaab"
        submission, photos = store.content("2024-0312-aaaa")
        assert submission.title == "小区东门路灯坏了三盏" and photos == [b"\xff\xd8fake-jpeg"]
        joint, _ = store.content("2024-0312-aaab")
        assert joint.cosigners == 12 and joint.name == "热心居民"
        assert store.contact("2024-0312-aaaa") == "fixture-resident@example.invalid"
        # Secrets survive: form tokens issued before the upgrade stay valid.
        assert store.setting("form-token-secret") == "fixture-token-secret"
        # The new tables work on the upgraded file.
        assert store.notify_wanted("2024-0312-aaaa") is False


def test_reopening_an_upgraded_store_changes_nothing(tmp_path: Path) -> None:
    db = _copy(tmp_path)
    Store(db).close()
    with sqlite3.connect(db) as conn:
        schema = conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    Store(db).close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == schema
    assert _user_version(db) == CURRENT_VERSION


def test_a_new_store_starts_at_the_current_version(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    Store(db).close()
    assert _user_version(db) == CURRENT_VERSION


def test_a_store_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    db = _copy(tmp_path)
    Store(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {CURRENT_VERSION + 1}")
    before = db.read_bytes()
    with pytest.raises(StoreError, match=f"结构版本是 {CURRENT_VERSION + 1}.*请升级 Yishi"):
        Store(db)
    assert db.read_bytes() == before
    done = subprocess.run([YISHI, "intake", "status", "--db", str(db)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0 and "请升级 Yishi" in done.stderr and "Traceback" not in done.stderr


def test_read_only_commands_neither_create_nor_migrate(tmp_path: Path) -> None:
    missing = tmp_path / "var" / "intake.sqlite3"
    done = subprocess.run([YISHI, "intake", "status", "--db", str(missing)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "不存在" in done.stderr
    assert not missing.exists() and not missing.parent.exists()

    db = _copy(tmp_path)
    before = db.read_bytes()
    done = subprocess.run([YISHI, "intake", "status", "--db", str(db)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "yishi intake work" in done.stderr
    assert db.read_bytes() == before and _user_version(db) == 0

    Store(db).close()
    done = subprocess.run([YISHI, "intake", "status", "--db", str(db)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "queued 1" in done.stdout and "published 1" in done.stdout
