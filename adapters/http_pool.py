"""The production upstream client: keep-alive HTTP/1.1 connections on asyncio.Protocol, httptools' parser.

aiohttp's request machinery (request objects, multidicts, stream readers, timer contexts, cookie jar) cost
the gateway about 45 µs of CPU per request more than this (bench/README.md, round two). The gateway needs
little of it: plain HTTP to configured backends, one request per connection at a time, the whole answer
in memory. HTTPS backends and HEAD requests still go through aiohttp (`AiohttpUpstream`). Failures map to
the same errors as with aiohttp: unreachable or disconnected before an answer → Unavailable, an answer
cut off after its headers → BadResponse, past the deadline → Timeout.
"""

from __future__ import annotations

import asyncio
import re
import zlib
from collections import deque
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import cast

import httptools

from ndxp_sim.adapters.upstream import AiohttpUpstream, UpstreamResponse
from ndxp_sim.core.errors import BackendBadResponseError, BackendTimeoutError, BackendUnavailableError

_IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "OPTIONS"})
# The parser cannot tell a HEAD answer (no body whatever its Content-Length says): HEAD goes to aiohttp.
_POOLED_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# An idle connection older than this is closed rather than reused: uvicorn (the mocks' server) closes idle
# keep-alive connections after 5 s, and a request written as the backend closes is lost.
_IDLE_S = 4.0
_CUT = "the backend's answer was cut off before its end"
_UNREACHABLE = "the backend could not be reached"
# The largest answer taken from a backend (the biggest real ones, scanned papers and certificate PDFs in
# base64, are a few MB): a backend that answers without end must not fill the gateway's memory.
MAX_ANSWER_BYTES = 64 * 1024 * 1024


class _BrokenError(Exception):
    """The connection failed; `cut` when it broke off inside an answer whose headers had arrived."""

    def __init__(self, cut: bool, received: bool) -> None:
        self.cut = cut
        self.received = received


class _Connection(asyncio.Protocol):
    """One keep-alive connection to a backend, one exchange at a time."""

    __slots__ = (
        "chunks",
        "closed",
        "headers",
        "headers_done",
        "idle_since",
        "keep_alive",
        "parser",
        "pool",
        "received",
        "size",
        "status",
        "transport",
        "until_close",
        "waiter",
    )

    def __init__(self, pool: set[_Connection]) -> None:
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.closed = False
        self.idle_since = 0.0
        self.pool = pool  # the open connections of the client, for close()
        # One parser for the connection's life: llhttp starts on the next answer where the last one ended.
        self.parser = httptools.HttpResponseParser(self)
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.size = 0
        self.headers: dict[bytes, bytes] = {}
        self.chunks: list[bytes] = []
        self.received = False
        self.headers_done = False
        self.keep_alive = False
        self.until_close = False  # neither content-length nor chunked: the answer ends with the connection

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not an asyncio.Transport

    def data_received(self, data: bytes) -> None:
        if self.waiter is None:  # nothing asked: an idle connection the backend talks on is not reused
            self.abort()
            return
        self.received = True
        try:
            self.parser.feed_data(data)
        except (httptools.HttpParserError, httptools.HttpParserUpgrade):
            self._fail(_BrokenError(cut=self.headers_done, received=True))
            self.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.pool.discard(self)
        if self.until_close and self.headers_done:
            self._finish()
        else:
            self._fail(_BrokenError(cut=self.headers_done, received=self.received))

    # httptools callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        name = name.lower()
        known = self.headers.get(name)
        self.headers[name] = value if known is None else known + b", " + value  # RFC 9110 §5.3

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.headers_done = True
        # llhttp answers this only until the message ends; asked later it says no, and nothing was reused.
        self.keep_alive = self.parser.should_keep_alive()
        self.until_close = b"content-length" not in self.headers and b"transfer-encoding" not in self.headers

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size > MAX_ANSWER_BYTES:
            self._fail(BackendBadResponseError(f"the backend's answer is over {MAX_ANSWER_BYTES} bytes"))
            self.abort()
            return
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.until_close = False
        self._finish()

    # the exchange

    def _finish(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _fail(self, error: Exception) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)

    def abort(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def reusable(self) -> bool:
        return not self.closed and self.keep_alive and not self.until_close


class _RawHeaders(Mapping[str, str]):
    """An answer's headers as the parser gave them (lower-case names, bytes), decoded only when read: the
    few services that pass headers on pick theirs (adapters/oidc.py); nothing is copied for the rest."""

    __slots__ = ("_raw",)

    def __init__(self, raw: dict[bytes, bytes]) -> None:
        self._raw = raw

    def __getitem__(self, name: str) -> str:
        return self._raw[name.lower().encode("latin-1")].decode("latin-1")

    def __iter__(self) -> Iterator[str]:
        return (name.decode("latin-1") for name in self._raw)

    def __len__(self) -> int:
        return len(self._raw)


class PooledUpstream:
    """Plain-HTTP backends on pooled keep-alive connections; HTTPS ones through aiohttp."""

    def __init__(self, *, max_connections: int = 512) -> None:
        self._idle: dict[tuple[str, int], deque[_Connection]] = {}
        self._open: set[_Connection] = set()
        self._slots = asyncio.Semaphore(max_connections)
        self._tls = AiohttpUpstream(max_connections=max_connections)

    async def request(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes | None, timeout_s: float
    ) -> UpstreamResponse:
        origin, target = _split(url)
        if origin is None or method not in _POOLED_METHODS:
            return await self._tls.request(method, url, headers=headers, body=body, timeout_s=timeout_s)
        host, port, host_header = origin
        head = _head(method, target, host_header, headers, body)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        async with self._slots:
            for _ in range(2):
                connection, reused = self._reuse(host, port, loop.time())
                try:
                    if connection is None:
                        connection = await self._connect(host, port, deadline, timeout_s)
                    return await self._exchange(connection, head, body, deadline, timeout_s, (host, port))
                except _BrokenError as broken:
                    # A kept-alive connection the backend closed just as it was reused: once more, afresh.
                    if reused and not broken.received and method in _IDEMPOTENT:
                        continue
                    if broken.cut:
                        raise BackendBadResponseError(_CUT) from None
                    raise BackendUnavailableError(_UNREACHABLE) from None
        raise BackendUnavailableError(_UNREACHABLE)

    def _reuse(self, host: str, port: int, now: float) -> tuple[_Connection | None, bool]:
        idle = self._idle.get((host, port))
        while idle:
            connection = idle.pop()
            if not connection.closed and now - connection.idle_since < _IDLE_S:
                return connection, True
            self._discard(connection)
        return None, False

    async def _connect(self, host: str, port: int, deadline: float, timeout_s: float) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout_at(deadline):
                transport, connection = await loop.create_connection(
                    lambda: _Connection(self._open), host, port
                )
        except TimeoutError:
            raise BackendTimeoutError(f"the backend did not answer within {timeout_s:g} s") from None
        except OSError:
            raise BackendUnavailableError(_UNREACHABLE) from None
        # uvloop may call connection_made only after create_connection has returned.
        connection.transport = transport
        self._open.add(connection)
        return connection

    async def _exchange(
        self,
        connection: _Connection,
        head: bytes,
        body: bytes | None,
        deadline: float,
        timeout_s: float,
        key: tuple[str, int],
    ) -> UpstreamResponse:
        loop = asyncio.get_running_loop()
        waiter = connection.waiter = loop.create_future()
        transport = connection.transport
        assert transport is not None
        transport.write(head + body if body else head)
        timer = loop.call_at(deadline, _expire, waiter)
        try:
            await waiter
        except TimeoutError:
            self._discard(connection)
            raise BackendTimeoutError(f"the backend did not answer within {timeout_s:g} s") from None
        except BaseException:
            self._discard(connection)
            raise
        finally:
            timer.cancel()
            connection.waiter = None
        status, headers = connection.status, connection.headers
        payload = b"".join(connection.chunks)
        if connection.reusable():
            connection._reset()
            connection.idle_since = loop.time()
            idle = self._idle.get(key)
            if idle is None:
                idle = self._idle[key] = deque()
            idle.append(connection)
        else:
            self._discard(connection)
        encoding = headers.get(b"content-encoding")
        if encoding is not None and payload:
            payload = _decoded(payload, encoding)
        return UpstreamResponse(
            status, payload, headers.get(b"content-type", b"").decode("latin-1"), _RawHeaders(headers)
        )

    @staticmethod
    def _discard(connection: _Connection) -> None:
        connection.abort()
        connection.pool.discard(connection)

    async def close(self) -> None:
        for connection in list(self._open):
            self._discard(connection)
        self._idle.clear()
        await self._tls.close()


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


def _decoded(payload: bytes, encoding: bytes) -> bytes:
    """A gzip or deflate answer decompressed, as aiohttp did; another coding is a bad answer."""
    name = encoding.strip().lower()
    try:
        if name in (b"gzip", b"x-gzip"):
            return zlib.decompress(payload, 16 + zlib.MAX_WBITS)
        if name == b"deflate":
            try:
                return zlib.decompress(payload)
            except zlib.error:
                return zlib.decompress(payload, -zlib.MAX_WBITS)
    except zlib.error:
        raise BackendBadResponseError("the backend's answer could not be decompressed") from None
    if name == b"identity":
        return payload
    raise BackendBadResponseError(f"the backend answered in an unsupported coding {name[:32]!r}")


@lru_cache(maxsize=256)
def _origin(scheme_and_authority: str) -> tuple[str, int, str] | None:
    """(host, port, Host header) of an `http://host[:port]` origin; None for HTTPS (aiohttp's)."""
    scheme, _, authority = scheme_and_authority.partition("://")
    if scheme.lower() != "http" or "@" in authority:  # TLS or credentials in the URL: aiohttp's job
        return None
    host, colon, port = authority.rpartition(":")
    if not colon or "]" in port:
        host, port = authority, "80"
    return host.strip("[]"), int(port), authority


_ORIGIN_AND_TARGET = re.compile(r"([^:/?#]*://[^/?#]*)(.*)", re.DOTALL)


def _split(url: str) -> tuple[tuple[str, int, str] | None, str]:
    """(origin, request target) of an absolute URL."""
    match = _ORIGIN_AND_TARGET.match(url)
    if match is None:
        return None, url  # not absolute: aiohttp's to refuse
    origin, target = match.groups()
    if not target.startswith("/"):
        target = "/" + target
    return _origin(origin), target


def _head(method: str, target: str, host: str, headers: Mapping[str, str], body: bytes | None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n"]
    for name, value in headers.items():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name:
            raise ValueError(f"header {name!r}: line breaks are not allowed")
        lines.append(f"{name}: {value}\r\n")
    if body is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body or b'')}\r\n")
    lines.append("\r\n")
    return "".join(lines).encode()
