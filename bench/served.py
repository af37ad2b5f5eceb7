"""A static file server on loopback that counts the bytes it sends, per path: what a
browser downloads, measured at the source. Like GitHub Pages and CDNs it gzips text
(HTML, CSS, JS, JSON, SVG) for clients that accept it; Pagefind's own files are already
compressed and go out as they are."""

from __future__ import annotations

import gzip
import mimetypes
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO


class Ledger:
    """Bytes sent, by request path, in order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: list[tuple[str, int]] = []

    def add(self, path: str, size: int) -> None:
        with self.lock:
            self.entries.append((path, size))

    def mark(self) -> int:
        """A position to measure from."""
        with self.lock:
            return len(self.entries)

    def since(self, mark: int = 0) -> list[tuple[str, int]]:
        with self.lock:
            return list(self.entries[mark:])


class _Counting:
    def __init__(self, out: BinaryIO) -> None:
        self.out, self.count = out, 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return self.out.write(data)


COMPRESSIBLE = (".html", ".css", ".js", ".mjs", ".json", ".svg", ".xml", ".txt", ".map")


class _Handler(SimpleHTTPRequestHandler):
    ledger: Ledger
    gzip_cache: dict[str, bytes]

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in COMPRESSIBLE and path.is_file()):
            super().do_GET()
            return
        body = self.gzip_cache.get(str(path))
        if body is None:
            body = gzip.compress(path.read_bytes(), compresslevel=6)
            self.gzip_cache[str(path)] = body
        self.send_response(200)
        self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "text/html")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.ledger.add(self.path.split("?", 1)[0], len(body))

    def copyfile(self, source: Any, outputfile: Any) -> None:
        counting = _Counting(outputfile)
        shutil.copyfileobj(source, counting)
        self.ledger.add(self.path.split("?", 1)[0], counting.count)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a benchmark prints tables, not access logs."""


@contextmanager
def serve(directory: Path) -> Iterator[tuple[str, Ledger]]:
    """Serve ``directory`` on an ephemeral loopback port; yields the base URL and the ledger."""
    ledger = Ledger()
    handler = type("Handler", (_Handler,), {"ledger": ledger, "gzip_cache": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", ledger
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
