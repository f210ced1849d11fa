"""uvicorn's httptools protocol with the limits it lacks: header size, header/body read times, connections.

uvicorn bounds incomplete headers only for h11 (`h11_max_incomplete_event_size`); llhttp (httptools) has no
header size limit, and uvicorn has no header-read timeout at all, so a client can hold a connection and a
growing buffer forever by sending headers slowly or without end. This subclass counts the bytes of the
header section, arms a timer from the first byte of a request until its headers are complete and another
until its body is, and closes connections over the cap at once. The limits come from the gateway app
(`http_limits`); any other app gets the defaults.

It also makes uvicorn's per-request work cheaper where that shows in the gateway's profile: requests that
arrive whole in one read set no timer, the keep-alive timer is set once per idle spell rather than once per
request, and an answer with a declared length and one body (every answer of the proxy) leaves in one
write, its head built in one go (`HeldHeadCycle`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from uvicorn._types import ASGISendEvent, HTTPResponseStartEvent
from uvicorn.protocols.http.httptools_impl import (
    HEADER_RE,
    HEADER_VALUE_RE,
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)

from ndxp_sim.core.errors import (
    GatewayError,
    HeaderTooLargeError,
    RequestTimeoutError,
    ServiceOverloadedError,
)
from ndxp_sim.gateway.exchange import sortable_uuid

_LINGER_S = 1.0
# The bytes uvicorn's header patterns refuse, taken from the patterns themselves: deleting them from all
# names (all values) at once and comparing lengths is their check, at a quarter of its cost.
_BAD_IN_NAMES = bytes(b for b in range(256) if HEADER_RE.match(bytes((b,))))
_BAD_IN_VALUES = bytes(b for b in range(256) if HEADER_VALUE_RE.match(bytes((b,))))


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


class HeldHeadCycle(RequestResponseCycle):
    """uvicorn's request cycle with a short path for the answer the proxy always gives: a start whose
    headers declare content-length, then the whole body in one message.

    uvicorn writes the head at once and the body later: two system calls and two segments for the
    client to wake up for. Here the head is built in one join (the headers checked for the bytes uvicorn's
    patterns refuse, once over all names and once over all values: the same result as per header) and held
    until the body comes, so that both leave in one write. Every other answer, and every case where the
    short path would have to decide something uvicorn decides (no content-length, transfer-encoding or
    connection from the app, names not in lower case, the access log, a paused or lost connection,
    more_body, HEAD, a body of another length than declared, any misuse), goes through uvicorn's `send`.
    """

    _held_head: bytes | None = None  # the status line and headers, waiting for the body

    async def send(self, message: ASGISendEvent) -> None:
        if self._held_head is not None:
            await self._send_with_head(message)
        elif (
            message["type"] != "http.response.start"
            or self.response_started
            or self.disconnected
            or self.flow.write_paused
            or self.access_log
            or not self._hold_head(message)
        ):
            await super().send(message)

    def _hold_head(self, message: HTTPResponseStartEvent) -> bool:
        """Takes the start as uvicorn would and holds its head; False, and nothing done, if the answer
        is not one for the short path (uvicorn's `send` then takes it, errors included)."""
        status_line = STATUS_LINE.get(message["status"])
        headers = [*self.default_headers, *message.get("headers", ())]
        try:
            names, values = zip(*headers, strict=True)  # each header exactly a (name, value) pair
            all_names, all_values = b"".join(names), b"".join(values)
            length = int(values[names.index(b"content-length")].decode())  # uvicorn's parse: the first
        except (ValueError, TypeError, UnicodeDecodeError):
            return False
        if (
            status_line is None
            or not all_names.islower()
            or b"transfer-encoding" in names
            or b"connection" in names
            or len(all_names.translate(None, _BAD_IN_NAMES)) != len(all_names)
            or len(all_values.translate(None, _BAD_IN_VALUES)) != len(all_values)
        ):
            return False
        self.response_started = True
        self.waiting_for_100_continue = False
        self.chunked_encoding = False
        self.expected_content_length = length
        self._held_head = b"".join(
            (
                status_line,
                b"\r\n".join(map(b": ".join, headers)),
                b"\r\n" if self.keep_alive else b"\r\nconnection: close\r\n",
                b"\r\n",
            )
        )
        return True

    async def _send_with_head(self, message: ASGISendEvent) -> None:
        if self.flow.write_paused and not self.disconnected:
            await self.flow.drain()
        if self.disconnected:
            return  # as uvicorn: nothing more for a client that is gone
        head, self._held_head = self._held_head, None
        assert head is not None
        body = message.get("body", b"")
        if (
            message["type"] != "http.response.body"
            or message.get("more_body", False)
            or len(body) != self.expected_content_length  # type: ignore[arg-type]
            or self.scope["method"] == "HEAD"
        ):
            self.transport.write(head)  # where uvicorn would have had it already
            await super().send(message)
            return
        self.transport.writelines((head, body))  # type: ignore[arg-type]
        self.expected_content_length = 0
        self.response_complete = True
        self.message_event.set()
        if not self.keep_alive:
            self.transport.close()
        self.on_response()


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = _limits_of(self.app)
        self._in_headers = True  # a new connection starts with a request's headers, or should
        self._header_bytes = 0
        self._request_open = False  # between a request's first byte and its last
        self._deadline: asyncio.TimerHandle | None = None
        self._timing_headers = True  # what the deadline is for: the headers (else the body)
        self._discarding = False  # refused: the answer is sent, what still comes is dropped
        self._idle_since: float | None = None  # when the last answer ended, if nothing came since

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._request_transport = _LingeringClose(self)  # one per connection: every request's view of it
        cap = self.config.limit_concurrency
        if cap is not None and len(self.connections) > cap:
            # Over the cap the file descriptor is given back at once; a slow client cannot hoard them.
            self._refuse(ServiceOverloadedError("too many open connections; try again shortly"), linger=False)
            return
        self._arm(self.limits.header_timeout_s)  # from the connection's start: the first request's headers

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.timeout_keep_alive_task is not None:
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None
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
        self._time_the_rest()

    # Parser callbacks

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._request_open = True  # timed at the end of this read, if it does not bring all of it
        self._in_headers = True
        self._header_bytes = 0

    def on_headers_complete(self) -> None:
        self._in_headers = False
        super().on_headers_complete()
        if self.cycle is not None and self.cycle.scope is self.scope:
            # uvicorn makes its cycle here with no say in its class; the task it started runs nothing
            # before this callback returns, so the cycle can still become ours.
            self.cycle.__class__ = HeldHeadCycle
            self.cycle.transport = self._request_transport  # type: ignore[assignment]

    def on_message_complete(self) -> None:
        self._request_open = False
        self._disarm()  # a request that came in several reads was timed
        self._in_headers = True  # what comes next on this connection is the next request's headers
        self._header_bytes = 0
        super().on_message_complete()

    # Keep-alive: uvicorn cancels its timer on every read and sets a new one after every answer. Here it
    # is set once per idle spell and, when it fires, looks whether the connection has been idle long enough.

    def _unset_keepalive_if_required(self) -> None:
        self._idle_since = None  # something came: not idle (the timer, if set, finds that out)

    def on_response_complete(self) -> None:
        """uvicorn's, but for the keep-alive timer."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
            return
        self._idle_since = self.loop.time()
        if self.timeout_keep_alive_task is None:
            self.timeout_keep_alive_task = self.loop.call_later(
                self.timeout_keep_alive, self.timeout_keep_alive_handler
            )

    def timeout_keep_alive_handler(self) -> None:
        self.timeout_keep_alive_task = None
        if self._idle_since is None:
            return  # busy since: the next answer sets the timer again
        left = self._idle_since + self.timeout_keep_alive - self.loop.time()
        if left > 0:
            self.timeout_keep_alive_task = self.loop.call_later(left, self.timeout_keep_alive_handler)
        else:
            super().timeout_keep_alive_handler()

    # Request timers

    def _time_the_rest(self) -> None:
        """After a read: times the part of a request still to come, headers or body. Timers are set here
        and not in the parser callbacks, so a request that arrives whole in one read (nearly all of them)
        costs no timer at all."""
        if not self._request_open or self._discarding or self.transport.is_closing():
            return
        if self._deadline is None or self._timing_headers != self._in_headers:
            self._arm(self.limits.header_timeout_s if self._in_headers else self.limits.body_timeout_s)
            self._timing_headers = self._in_headers

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
        self._transport = transport = protocol.transport
        # What the response path calls on every request, bound here rather than found by `__getattr__`.
        self.write = transport.write
        self.writelines = transport.writelines
        self.is_closing = transport.is_closing

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def close(self) -> None:
        self._protocol.close_lingering()
