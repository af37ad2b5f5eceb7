"""Fixtures every test shares: the session's one headless Chromium, and a guard against
asyncio loops left running in the main thread (they break Playwright's sync API)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

from yishi.testing.static_site import CHROMIUM, CHROMIUM_ARGS

# The loop the shared Playwright keeps running in the main thread while the session lasts.
_SHARED_PLAYWRIGHT_LOOPS: list[asyncio.AbstractEventLoop] = []


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Playwright per process: a second ``sync_playwright()`` in the same thread fails."""
    with sync_playwright() as p:
        loop = _running_loop()
        if loop is not None:
            _SHARED_PLAYWRIGHT_LOOPS.append(loop)
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()
    _SHARED_PLAYWRIGHT_LOOPS.clear()


def _stray_loop(when: str) -> None:
    loop = _running_loop()
    if loop is not None and loop not in _SHARED_PLAYWRIGHT_LOOPS:
        pytest.fail(f"an asyncio loop is running in the main thread {when}: {loop!r}. "
                    "Close it where it was started; for Chromium use the shared `browser` "
                    "fixture, not a sync_playwright() of your own", pytrace=False)


@pytest.fixture(autouse=True)
def no_stray_event_loop() -> Iterator[None]:
    """Fails the test that finds, or leaves behind, a running loop other than Playwright's."""
    _stray_loop("before the test (left by an earlier test or a wider fixture)")
    yield
    _stray_loop("after the test and its fixtures")
