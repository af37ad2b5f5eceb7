"""Connection-level limits, tried with raw sockets on loopback as an abusive client would:
oversized and too many headers, slow headers, bodies that stop or trickle, more connections
than the cap, and a client that goes away mid-upload. Each is bounded in count and time."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from intake_support import Clock, Suffixes, form, make_records_repo, serve_app
from yishi.council import load_council
from yishi.intake.http_limits import ConnectionLimits
from yishi.intake.service import ServiceSettings, create_app
from yishi.intake.store import Store

LIMITS = ConnectionLimits(max_header_bytes=4096, max_headers=20, header_timeout=0.6,
                          body_idle_timeout=0.6, body_timeout=1.5, max_connections=3)


@contextmanager
def service(tmp_path: Path, limits: ConnectionLimits) -> Iterator[tuple[str, int]]:
    repo = make_records_repo(tmp_path / "records")
    app = create_app(Store(tmp_path / "intake.sqlite3"), load_council(repo), clock=Clock(),
                     suffix=Suffixes(), settings=ServiceSettings(limits=limits))
    with serve_app(app, limits) as base:
        yield base, int(base.rsplit(":", 1)[1])


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, int]]:
    with service(tmp_path, LIMITS) as answer:
        yield answer


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send(sock: socket.socket, data: bytes, piece: int = 16 * 1024) -> None:
    """Send what the server still takes (it may close the connection half-way)."""
    for start in range(0, len(data), piece):
        try:
            sock.sendall(data[start:start + piece])
        except OSError:
            return


def read_answer(sock: socket.socket, within: float = 5.0) -> tuple[bytes, float]:
    """Everything the server sends until it closes (or ``within`` seconds), and when it closed."""
    started = time.monotonic()
    sock.settimeout(within)
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except TimeoutError:
        pytest.fail(f"the connection was still open after {within} s: {received[:80]!r}")
    except ConnectionResetError:
        pass
    return received, time.monotonic() - started


def status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


def test_a_header_over_the_cap_gets_431(live: tuple[str, int]) -> None:
    base, port = live
    with connect(port) as sock:
        send(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 5000 + b"\r\n\r\n")
        answer, _ = read_answer(sock)
    assert status(answer) == 431, answer[:100]
    assert httpx.get(f"{base}/healthz").status_code == 200  # the service is unharmed


def test_a_megabyte_of_headers_is_cut_off_early(live: tuple[str, int]) -> None:
    base, port = live
    started = time.monotonic()
    with connect(port) as sock:
        send(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1024 * 1024 + b"\r\n\r\n")
        answer, _ = read_answer(sock)
    assert status(answer) == 431, answer[:100]
    assert time.monotonic() - started < 3
    assert httpx.get(f"{base}/healthz").status_code == 200


def test_too_many_headers_get_431(live: tuple[str, int]) -> None:
    _, port = live
    headers = b"".join(b"X-H%d: 1\r\n" % n for n in range(LIMITS.max_headers + 1))
    with connect(port) as sock:
        send(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        answer, _ = read_answer(sock)
    assert status(answer) == 431, answer[:100]


def test_headers_within_the_caps_are_answered(live: tuple[str, int]) -> None:
    _, port = live
    headers = b"".join(b"X-H%d: %s\r\n" % (n, b"v" * 100) for n in range(LIMITS.max_headers - 2))
    with connect(port) as sock:
        send(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + headers + b"\r\n")
        answer, _ = read_answer(sock)
    assert status(answer) == 200, answer[:100]


@pytest.mark.parametrize("opening", [b"", b"GET /healthz HTTP/1.1\r\nHost: x\r\n"],
                         ids=["silent", "slow-headers"])
def test_slow_or_missing_headers_time_out(live: tuple[str, int], opening: bytes) -> None:
    _, port = live
    with connect(port) as sock:
        send(sock, opening)
        answer, waited = read_answer(sock)
    assert status(answer) == 408, answer[:100]
    assert LIMITS.header_timeout * 0.8 <= waited < LIMITS.header_timeout + 2


def _post_head(length: int) -> bytes:
    return (b"POST /api/submissions HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: %d\r\n\r\n" % length)


def test_a_body_that_stops_gets_408(live: tuple[str, int]) -> None:
    _, port = live
    with connect(port) as sock:
        send(sock, _post_head(1000) + b"title=abc")
        answer, waited = read_answer(sock)
    assert status(answer) == 408, answer[:100]
    assert waited < LIMITS.body_idle_timeout + 2


def test_a_trickling_body_gets_408(live: tuple[str, int]) -> None:
    _, port = live
    started = time.monotonic()
    with connect(port) as sock:
        send(sock, _post_head(1000))
        # One byte every 0.2 s: never idle for long, but never done either.
        for _ in range(25):
            try:
                sock.sendall(b"a")
            except OSError:
                break
            time.sleep(0.2)
        answer, _ = read_answer(sock)
    assert status(answer) == 408, answer[:100]
    assert time.monotonic() - started < LIMITS.body_timeout + 2


def test_connections_beyond_the_cap_get_503_and_are_closed(tmp_path: Path) -> None:
    limits = ConnectionLimits(max_connections=3, header_timeout=15)
    with service(tmp_path, limits) as (base, port):
        idle = [connect(port) for _ in range(limits.max_connections)]
        time.sleep(0.2)  # the server has accepted them
        with connect(port) as extra:
            answer, waited = read_answer(extra, within=3)
        assert status(answer) == 503 and waited < 2, answer[:100]
        for sock in idle:
            sock.close()
        deadline = time.monotonic() + 5
        while True:  # the closed ones free their places
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the service never took connections again"
            time.sleep(0.1)


def test_a_client_gone_mid_upload_leaves_no_traceback(live: tuple[str, int],
                                                      caplog: pytest.LogCaptureFixture) -> None:
    base, port = live
    caplog.set_level(logging.INFO)
    with connect(port) as sock:
        send(sock, _post_head(100_000) + b"title=" + b"a" * 100)
        time.sleep(0.1)
    deadline = time.monotonic() + 5
    while not any("POST /api/submissions" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, "the request was never logged"
        time.sleep(0.05)
    assert httpx.get(f"{base}/healthz").status_code == 200
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [r.getMessage() for r in bad]
    assert not any(" 500 " in r.getMessage() for r in caplog.records)


def test_receipts_answer_within_a_second_while_clients_abuse_the_connection(
        tmp_path: Path) -> None:
    """Slow headers, a megabyte of headers, bodies that stop and bodies that trickle, all at
    once and under the connection cap: a resident's receipt still answers within 1 s."""
    limits = ConnectionLimits(max_header_bytes=4096, max_headers=20, header_timeout=4,
                              body_idle_timeout=4, body_timeout=8, max_connections=16)
    repo = make_records_repo(tmp_path / "records")
    clock = Clock()
    app = create_app(Store(tmp_path / "intake.sqlite3"), load_council(repo), clock=clock,
                     suffix=Suffixes(), settings=ServiceSettings(limits=limits))
    with serve_app(app, limits) as base, httpx.Client(timeout=5) as client:
        port = int(base.rsplit(":", 1)[1])
        token = client.get(f"{base}/api/token").json()["token"]
        clock.advance(10)
        first = client.post(f"{base}/api/submissions", data={**form(), "token": token},
                            headers={"Accept": "application/json"})
        assert first.status_code == 202, first.text
        receipt = first.json()["receipt_url"]

        slow_headers = [connect(port) for _ in range(4)]
        stopped_bodies = [connect(port) for _ in range(3)]
        trickling = [connect(port) for _ in range(3)]
        for sock in slow_headers:
            send(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        for sock in stopped_bodies + trickling:
            send(sock, _post_head(100_000) + b"title=")
        with connect(port) as huge:
            send(huge, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1_000_000)
            huge_answer, _ = read_answer(huge)
        slowest, lookups = 0.0, 0
        until = time.monotonic() + 2.5  # within the header and body timeouts: all still open
        while time.monotonic() < until:
            for n, sock in enumerate(slow_headers + trickling):
                send(sock, b"X-Slow-%d: 1\r\n" % n if sock in slow_headers else b"a")
            started = time.perf_counter()
            assert client.get(receipt).status_code == 200
            slowest = max(slowest, time.perf_counter() - started)
            lookups += 1
            time.sleep(0.2)
        for sock in slow_headers + stopped_bodies + trickling:
            sock.close()
    assert status(huge_answer) == 431, huge_answer[:100]
    assert lookups >= 5
    assert slowest < 1.0, f"a receipt took {slowest:.2f} s under connection abuse"
