"""Shared pieces of the intake tests: records repositories, a live service, test images."""

from __future__ import annotations

import io
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import uvicorn
from PIL import Image
from starlette.applications import Starlette

from yishi.council import load_council
from yishi.intake.http_limits import ConnectionLimits, server_config
from yishi.intake.service import ServiceSettings, create_app
from yishi.intake.store import Store

PROJECT = Path(__file__).resolve().parents[1]
YISHI = str(Path(sys.executable).with_name("yishi"))
#: Environment for git in tests: no user config, a fixed identity.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
}


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its output."""
    import os

    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout


def make_records_repo(root: Path, *, full: bool = False) -> Path:
    """A git repository of records on branch main: the council (and all content if ``full``)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    if full:
        shutil.copytree(PROJECT / "content", root / "content")
        shutil.copy(PROJECT / "mkdocs.yml", root / "mkdocs.yml")
    else:
        (root / "content" / "issues").mkdir(parents=True)
        shutil.copy(PROJECT / "content" / "council.yml", root / "content" / "council.yml")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Records")
    return root


class Clock:
    """A clock tests move by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2024, 3, 12, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Suffixes:
    """Predictable id suffixes: aaaa, aaab, ... (from the id alphabet)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self, length: int) -> str:
        from yishi.ids import ALPHABET

        n, out = self.n, ""
        self.n += 1
        for _ in range(length):
            n, digit = divmod(n, len(ALPHABET))
            out = ALPHABET[digit] + out
        return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve_app(app: Starlette, limits: ConnectionLimits | None = None) -> Iterator[str]:
    """Run ``app`` under uvicorn on an ephemeral loopback port; yields the base URL.

    With ``limits``, uvicorn is configured as ``yishi intake serve`` configures it."""
    sock = socket.socket()
    # uvicorn only sets TCP_NODELAY on sockets it creates; without it every answer waits
    # ~40 ms for a delayed ACK.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    if limits is None:
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
    else:
        config = server_config(app, limits, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@dataclass
class LiveIntake:
    """An intake service served on loopback, with its clock, its store and a client."""

    base: str
    clock: Clock
    store: Store
    client: httpx.Client

    def token(self) -> str:
        """A fresh form token."""
        token = self.client.get(f"{self.base}/api/token").json()["token"]
        assert isinstance(token, str)
        return token

    def submit(self, fields: dict[str, str], token: str | None = None, *, wait: float = 5,
               json: bool = True, headers: dict[str, str] | None = None,
               files: list[tuple[str, tuple[str, bytes, str]]] | None = None) -> httpx.Response:
        """Post the form with ``token``, or with a fresh one ``wait`` seconds after fetching
        it (a person takes a while to fill the form)."""
        if token is None:
            token = self.token()
            self.clock.advance(wait)
        accept = {"Accept": "application/json" if json else "text/html"}
        return self.client.post(f"{self.base}/api/submissions", data={**fields, "token": token},
                                files=files, headers={**accept, **(headers or {})})


@contextmanager
def serve_intake(tmp: Path, settings: ServiceSettings) -> Iterator[LiveIntake]:
    """The intake service for a records repository under ``tmp``, its store beside it."""
    repo = make_records_repo(tmp / "records")
    clock = Clock()
    store = Store(tmp / "intake.sqlite3")
    app = create_app(store, load_council(repo), settings=settings, clock=clock, suffix=Suffixes())
    with serve_app(app) as base, httpx.Client(timeout=10) as client:
        yield LiveIntake(base, clock, store, client)


def wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path | None = None) -> None:
    """Wait until a started ``yishi intake serve`` answers its health check (20 s at most)."""
    import httpx

    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            return
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text() if log else "service did not start") from None
            time.sleep(0.05)


@contextmanager
def serve_process(*args: str, log: Path) -> Iterator[str]:
    """``yishi intake serve`` as a subprocess on a free port, stderr to ``log``."""

    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen([YISHI, "intake", "serve", "--port", str(port), *args],
                                stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, proc, log)
            yield base
        finally:
            proc.terminate()
            proc.wait(10)


def jpeg_with_gps(size: tuple[int, int] = (64, 48)) -> bytes:
    """A JPEG carrying GPS coordinates and a camera model in its EXIF."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "SECRET-CAMERA-MODEL"
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (39.0, 54.0, 27.0)
    gps[3] = "E"
    gps[4] = (116.0, 23.0, 50.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png(size: tuple[int, int] = (32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 128)).save(out, format="PNG")
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims ten billion pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b""))


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script><rect width="10" height="10"/></svg>')


def form(**overrides: str) -> dict[str, str]:
    """A valid form's fields (the token is added by the caller)."""
    fields = {
        "title": "小区东门路灯坏了三盏",
        "description": "东门到3号楼的路灯坏了三盏,晚上很黑,老人出门不方便。\n希望尽快修好。",
        "community": "shengye",
        "category": "amenities",
        "kind": "individual",
        "location": "盛业家园东门",
        "name": "",
        "contact": "",
        "consent": "yes",
        "website": "",
    }
    fields.update(overrides)
    return fields
