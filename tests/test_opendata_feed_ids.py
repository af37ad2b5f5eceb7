"""Feed entry ids survive a move of the site when the council pins its tag authority."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from yishi.exports.atom import feed_id, tag_uri
from yishi.exports.context import ExportContext
from yishi.history import History
from yishi.loading import Repository, load_repository

PROJECT = Path(__file__).resolve().parents[1]
ISSUE = "2023-0403-k7qm"


def _context(repo: Repository, site_url: str) -> ExportContext:
    return ExportContext(repo=repo, history=History(), generated_at=dt.datetime(2026, 1, 1),
                         commit=None, site_url=site_url)


def _with_authority(authority: str) -> Repository:
    repo = load_repository(PROJECT)
    assert repo.council is not None
    repo.council = repo.council.model_copy(update={"feed_authority": authority})
    return repo


def test_pinned_authority_keeps_ids_when_the_site_moves() -> None:
    repo = _with_authority("council.example.org")
    old = _context(repo, "https://old.example.net/yishi/")
    new = _context(repo, "https://new.example.com/")
    key = f"issues/{ISSUE}/status/done"
    assert tag_uri(old, ISSUE, key) == tag_uri(new, ISSUE, key)
    assert tag_uri(new, ISSUE, key) == f"tag:council.example.org,2023-04-03:{key}"
    assert feed_id(old, "feed") == feed_id(new, "feed")


def test_without_a_pinned_authority_the_site_url_names_the_ids() -> None:
    repo = _with_authority("")
    key = f"issues/{ISSUE}/status/done"
    on_a = tag_uri(_context(repo, "https://a.example.org/one/"), ISSUE, key)
    on_b = tag_uri(_context(repo, "https://a.example.org/two/"), ISSUE, key)
    assert on_a == f"tag:a.example.org,2023-04-03:one/{key}"
    assert on_a != on_b
