"""uvicorn's httptools protocol with the limits it lacks: header size, header/body read times, connections.

uvicorn bounds incomplete headers only for h11 (`h11_max_incomplete_event_size`); llhttp (httptools) has no
header size limit, and uvicorn has no header-read timeout at all, so a client can hold a connection and a
growing buffer forever by sending headers slowly or without end. This subclass counts the bytes of the
header section, arms a timer from the first byte of a request until its headers are complete and another
until its body is, and closes connections over the cap at once. The limits come from the gateway app
(`http_limits`); any other app gets the defaults.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from ndxp_sim.core.errors import (
    GatewayError,
    HeaderTooLargeError,
    RequestTimeoutError,
    ServiceOverloadedError,
)
from ndxp_sim.gateway.exchange import sortable_uuid

_LINGER_S = 1.0


@dataclass(frozen=True, slots=True)
class HttpLimits:
    max_header_bytes: int = 65_536
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0


def _limits_of(app: Any) -> HttpLimits:
    for _ in range(8):  # uvicorn may wrap the app in its own middlewares, each keeping it as `.app`
        limits = getattr(app, "http_limits", None)
        if isinstance(limits, HttpLimits):
            return limits
        app = getattr(app, "app", None)
    return HttpLimits()


def error_response(error: GatewayError) -> bytes:
    """A complete HTTP/1.1 answer in the gateway's error shape, for when no request reached the app."""
    body = error.body(sortable_uuid())
    headers = {
        "content-type": "application/json",
        "content-length": str(len(body)),
        "x-ndxp-error": error.type,
        **error.headers,
        "connection": "close",
    }
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode("latin-1")
    return STATUS_LINE[error.status_code] + head + b"\r\n" + body


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = _limits_of(self.app)
        self._in_headers = True  # a new connection starts with a request's headers, or should
        self._header_bytes = 0
        self._deadline: asyncio.TimerHandle | None = None
        self._discarding = False  # refused: the answer is sent, what still comes is dropped

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        cap = self.config.limit_concurrency
        if cap is not None and len(self.connections) > cap:
            # Over the cap the file descriptor is given back at once; a slow client cannot hoard them.
            self._refuse(ServiceOverloadedError("too many open connections; try again shortly"), linger=False)
            return
        self._arm(self.limits.header_timeout_s)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._discarding or self.transport.is_closing():
            return
        all_headers = self._in_headers  # else this read may end the previous request, then start one
        super().data_received(data)
        if all_headers and self._in_headers:
            # Reads that start mid-request are not counted, so at most one read (≤ 256 KiB) goes uncounted.
            self._header_bytes += len(data)
            if self._header_bytes > self.limits.max_header_bytes and not self.transport.is_closing():
                limit = self.limits.max_header_bytes
                self._refuse(HeaderTooLargeError(f"request headers over {limit} bytes"))

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers = True
        self._header_bytes = 0
        if self._deadline is None:  # a keep-alive connection's next request: its headers are timed too
            self._arm(self.limits.header_timeout_s)

    def on_headers_complete(self) -> None:
        self._in_headers = False
        self._arm(self.limits.body_timeout_s)
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.scope is self.scope:
            self.cycle.transport = _LingeringClose(self)  # type: ignore[assignment]

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_headers = True  # what comes next on this connection is the next request's headers
        self._header_bytes = 0
        super().on_message_complete()

    # Timers

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        if self._discarding or self.transport.is_closing():
            return
        if not self._in_headers and self.cycle is not None and self.cycle.response_started:
            self.transport.close()  # the app answered already (or is answering): nothing else can be said
            return
        part = "headers" if self._in_headers else "body"
        self._refuse(RequestTimeoutError(f"the request {part} did not arrive in time"))

    def _refuse(self, error: GatewayError, *, linger: bool = True) -> None:
        """Answers `error` and ends the connection (lingering unless the connection was never used)."""
        self._disarm()
        if self.cycle is not None:
            self.cycle.disconnected = True  # the app, if it is waiting for the body, sees a disconnect
            self.cycle.message_event.set()
        self.transport.write(error_response(error))
        if linger:
            self.close_lingering()
        else:
            self.transport.close()

    def close_lingering(self) -> None:
        """Closes after the answer; mid-body, first reads and drops what the client still sends for a
        moment (a close with unread data resets the connection, which can destroy the answer)."""
        if self._discarding or self.transport.is_closing():
            return
        if (self._in_headers and self._header_bytes == 0) or not self.transport.can_write_eof():
            self.transport.close()  # nothing of a request is on its way
            return
        self._disarm()
        self._discarding = True
        self.transport.write_eof()
        self.transport.resume_reading()  # uvicorn may have paused reading (flow control of big bodies)
        self._deadline = self.loop.call_later(_LINGER_S, self.transport.close)


class _LingeringClose:
    """A request's view of the connection's transport: closing it lingers if the body is still coming
    (an answer before the whole body was read: 413, 401, ...)."""

    def __init__(self, protocol: GuardedHttpToolsProtocol) -> None:
        self._protocol = protocol
        self._transport = protocol.transport

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def close(self) -> None:
        self._protocol.close_lingering()
