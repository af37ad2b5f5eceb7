"""Connection-level limits uvicorn does not set by itself: header size, count and time,
and how many connections one service holds open.

The service's HTTP parser (httptools, through uvicorn) accepts headers of any size and
waits for them forever, and every idle connection holds a file descriptor. Here a 431
answers headers over :attr:`ConnectionLimits.max_header_bytes` or
:attr:`~ConnectionLimits.max_headers`, a 408 a request whose headers take longer than
:attr:`~ConnectionLimits.header_timeout`, and a 503 a connection beyond
:attr:`~ConnectionLimits.max_connections`, closed at once. Bodies are timed by the service
as it reads them (``formdata.read_body``). A proxy in front should set the same limits
(README, "安全 · Security"); these hold when it does not.
"""

from __future__ import annotations

import asyncio
import http
import logging
from dataclasses import dataclass
from typing import Any, ClassVar

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..errors import YishiError

log = logging.getLogger("yishi.intake.http")


@dataclass(frozen=True)
class ConnectionLimits:
    """What one connection may cost the service; the defaults are the documented ones."""

    #: Request line and headers together, in bytes (nginx's default buffers hold 8 KB each).
    max_header_bytes: int = 16 * 1024
    max_headers: int = 64
    #: Seconds from a request's first byte (or the connection's opening) to its last header.
    header_timeout: float = 10.0
    #: Seconds the body may pause between two reads, and for the whole body.
    body_idle_timeout: float = 20.0
    body_timeout: float = 120.0
    #: Connections held open at once; the next one gets a 503 and is closed.
    max_connections: int = 256
    #: Seconds an idle keep-alive connection stays open between requests.
    keep_alive: float = 5.0


class _Refused(YishiError):
    """Stops the parser: the request is answered with a status of our choosing."""


class LimitedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with :class:`ConnectionLimits` enforced."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None
        self._reading_headers = False
        self._header_bytes = 0
        self._header_count = 0
        self._refusal: tuple[int, str] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            log.warning("connection refused: %d open, the limit is %d",
                        len(self.connections) - 1, self.limits.max_connections)
            self._answer(503, "服务繁忙,请稍后再试。Too many connections.")
            return
        self._start_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._reading_headers:
            self._header_bytes += len(data)
        super().data_received(data)
        # Headers still incomplete after this much: refuse before reading more of them.
        if self._reading_headers and self._header_bytes > self.limits.max_header_bytes:
            self._answer(431, "请求头过大。Request header fields too large.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_headers()

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self.limits.max_headers:
            self._refusal = (431, "请求头过多。Too many request header fields.")
            raise _Refused
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_headers = False
        self._stop_header_timer()
        size = len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
        if size > self.limits.max_header_bytes:
            self._refusal = (431, "请求头过大。Request header fields too large.")
            raise _Refused
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        """The parser stopped: answer with our refusal when it was ours, else uvicorn's 400."""
        if self._refusal is not None:
            self._answer(*self._refusal)
        elif not self.transport.is_closing():
            super().send_400_response(msg)

    def _start_headers(self) -> None:
        self._reading_headers = True
        self._header_bytes = 0
        self._header_count = 0
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.limits.header_timeout,
                                                      self._headers_too_slow)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self._reading_headers:
            self._answer(408, "请求超时。Request header timeout.")

    def _answer(self, status: int, text: str) -> None:
        """Answer ``status`` and close the connection (no application runs for it)."""
        self._reading_headers = False
        self._stop_header_timer()
        if self.transport.is_closing():
            return
        body = text.encode()
        phrase = http.HTTPStatus(status).phrase
        self.transport.write(
            f"HTTP/1.1 {status} {phrase}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode() + body)
        self.transport.close()


def protocol_for(limits: ConnectionLimits) -> type[LimitedHttpProtocol]:
    """The protocol class enforcing ``limits`` (uvicorn takes a class, not an instance)."""
    return type("LimitedHttpProtocol", (LimitedHttpProtocol,), {"limits": limits})


def server_config(app: Any, limits: ConnectionLimits, **options: Any) -> uvicorn.Config:
    """uvicorn's configuration for the service: our protocol, and its own limits set to ours."""
    # uvicorn counts the connection asking too: one more lets exactly max_connections in.
    return uvicorn.Config(
        app, http=protocol_for(limits), limit_concurrency=limits.max_connections + 1,
        timeout_keep_alive=int(max(1, limits.keep_alive)),
        h11_max_incomplete_event_size=limits.max_header_bytes,
        access_log=False, log_config=None, **options)
