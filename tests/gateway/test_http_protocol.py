"""The gateway's HTTP protocol answers exactly as uvicorn's would, its one-write path included."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

from ndxp_sim.gateway.http_protocol import GuardedHttpToolsProtocol, HeldHeadCycle, HttpLimits
from tests.local_http import serving_app

Message = dict[str, Any]
DEFAULTS = [(b"date", b"Mon, 07 Dec 2026 08:00:00 GMT"), (b"server", b"uvicorn")]
BODY = b'{"ok":true}'
PROXY_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", b"11"),
    (b"x-request-id", b"r-1"),
]


def start(headers: list[Any], status: int = 200) -> Message:
    return {"type": "http.response.start", "status": status, "headers": headers}


def body(data: bytes = BODY, *, more: bool = False) -> Message:
    return {"type": "http.response.body", "body": data, "more_body": more}


class RecordingTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def writelines(self, parts: list[bytes]) -> None:
        self.write(b"".join(parts))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True


def make_cycle(
    cycle_class: type[RequestResponseCycle],
    transport: RecordingTransport,
    *,
    method: str = "GET",
    keep_alive: bool = True,
    on_response: Callable[[], None] = lambda: None,
) -> RequestResponseCycle:
    fake: Any = transport
    return cycle_class(
        scope={"type": "http", "method": method, "http_version": "1.1"},  # type: ignore[typeddict-item]
        transport=fake,
        flow=FlowControl(fake),
        logger=logging.getLogger("uvicorn.error"),
        access_logger=logging.getLogger("uvicorn.access"),
        access_log=False,
        default_headers=DEFAULTS,
        message_event=asyncio.Event(),
        expect_100_continue=False,
        keep_alive=keep_alive,
        on_response=on_response,
    )


async def _answer(
    cycle_class: type[RequestResponseCycle], messages: list[Message], *, method: str, keep_alive: bool
) -> tuple[list[bytes], dict[str, Any], str | None]:
    """What a cycle of `cycle_class` writes for `messages`, its state after, and the error it raised."""
    transport = RecordingTransport()
    completed: list[bool] = []
    cycle = make_cycle(
        cycle_class,
        transport,
        method=method,
        keep_alive=keep_alive,
        on_response=lambda: completed.append(True),
    )
    error = None
    try:
        for message in messages:
            await cycle.send(message)  # type: ignore[arg-type]
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    state = {
        "closed": transport.closed,
        "completed": completed,
        "response_started": cycle.response_started,
        "response_complete": cycle.response_complete,
        "keep_alive": cycle.keep_alive,
        "event_set": cycle.message_event.is_set(),
    }
    return transport.writes, state, error


ANSWERS = {
    "proxy answer": [start(PROXY_HEADERS), body()],
    "no headers of its own": [start([]), body(b"")],
    "chunked (no length)": [start([(b"content-type", b"text/plain")]), body(b"ab", more=True), body(b"c")],
    "length in several bodies": [start(PROXY_HEADERS), body(b'{"ok"', more=True), body(b":true}")],
    "upper-case names": [start([(b"Content-Length", b"11"), (b"X-Thing", b"A")]), body()],
    "connection close from the app": [start([*PROXY_HEADERS, (b"connection", b"close")]), body()],
    "transfer-encoding from the app": [
        start([(b"transfer-encoding", b"chunked"), (b"content-length", b"3")]),
        body(b"abc"),
    ],
    "204 with a length": [start([(b"content-length", b"0")], 204), body(b"")],
    "body shorter than declared": [start(PROXY_HEADERS), body(b"{}")],
    "body longer than declared": [start(PROXY_HEADERS), body(BODY + b" ")],
    "a header value with a line break": [
        start([(b"content-length", b"2"), (b"x-a", b"1\r\nx-b: 2")]),
        body(),
    ],
    "a header name with a colon": [start([(b"content-length", b"2"), (b"x:a", b"1")]), body()],
    "a header of three parts": [start([(b"content-length", b"2"), (b"x-a", b"1", b"\r\nx")]), body()],
    "a length that is no number": [start([(b"content-length", b"eleven")]), body()],
    "an unknown status": [start(PROXY_HEADERS, 999), body()],
    "a body before the start": [body()],
    "a second start": [start(PROXY_HEADERS), start(PROXY_HEADERS)],
    "a message after the end": [start(PROXY_HEADERS), body(), body()],
}


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("keep_alive", [True, False], ids=["keep-alive", "closing"])
@pytest.mark.parametrize("messages", ANSWERS.values(), ids=ANSWERS.keys())
async def test_every_answer_is_byte_for_byte_uvicorns(
    messages: list[Message], keep_alive: bool, method: str
) -> None:
    """The same bytes, end state (closed, kept alive, completed) and error as uvicorn's own cycle, for the
    proxy's answer and for every answer or misuse its short path leaves to uvicorn."""
    ours = await _answer(HeldHeadCycle, messages, method=method, keep_alive=keep_alive)
    stock = await _answer(RequestResponseCycle, messages, method=method, keep_alive=keep_alive)
    assert b"".join(ours[0]) == b"".join(stock[0])
    assert ours[1:] == stock[1:]


async def test_the_proxy_answer_leaves_in_one_write() -> None:
    """Head and body of a declared-length answer in one write (uvicorn: two); connection: close added when
    the connection is not kept alive."""
    writes, _, _ = await _answer(HeldHeadCycle, ANSWERS["proxy answer"], method="GET", keep_alive=True)
    closing, state, _ = await _answer(HeldHeadCycle, ANSWERS["proxy answer"], method="GET", keep_alive=False)
    assert len(writes) == 1 and writes[0].endswith(b"\r\n\r\n" + BODY)
    assert len(closing) == 1 and b"\r\nconnection: close\r\n" in closing[0] and state["closed"]


async def test_a_client_gone_before_the_body_gets_nothing_more() -> None:
    """The client disconnects between start and body → nothing written after, no error (as uvicorn)."""
    transport = RecordingTransport()
    cycle = make_cycle(HeldHeadCycle, transport)
    await cycle.send(start(PROXY_HEADERS))  # type: ignore[arg-type]
    cycle.disconnected = True
    await cycle.send(body())  # type: ignore[arg-type]
    assert transport.writes == [] and not cycle.response_complete


# On a real server


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers with the request's method and body size; /chunked streams its answer without a length."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    answer = f"{scope['method']} {size}".encode()
    if scope["path"] == "/slow":
        await asyncio.sleep(0.5)
    if scope["path"] == "/chunked":
        await send(start([(b"content-type", b"text/plain")]))
        await send(body(answer[:2], more=True))
        await send(body(answer[2:]))
        return
    await send(start([(b"content-type", b"text/plain"), (b"content-length", str(len(answer)).encode())]))
    await send(body(answer))


class LimitedEcho:
    """echo_app under the given limits (the protocol reads them from the app, as from the gateway's)."""

    def __init__(self, limits: HttpLimits) -> None:
        self.http_limits = limits

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await echo_app(scope, receive, send)


@asynccontextmanager
async def connection(
    header_timeout_s: float = 0.3, body_timeout_s: float = 0.3, keep_alive_s: float = 5
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    limited = LimitedEcho(HttpLimits(header_timeout_s=header_timeout_s, body_timeout_s=body_timeout_s))
    config = {"http": GuardedHttpToolsProtocol, "lifespan": "off", "timeout_keep_alive": keep_alive_s}
    async with serving_app(limited, **config) as address:
        reader, writer = await asyncio.open_connection(*address)
        try:
            yield reader, writer
        finally:
            writer.close()


async def read_answer(reader: asyncio.StreamReader) -> tuple[str, dict[str, str], bytes]:
    """One answer off the connection: status line, headers, body (by content-length or chunks)."""
    async with asyncio.timeout(5):
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        status, *lines = head.strip().split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
        if "content-length" in headers:
            return status, headers, await reader.readexactly(int(headers["content-length"]))
        data = b""
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            data += (await reader.readexactly(size + 2))[:-2]
        await reader.readexactly(2)
        return status, headers, data


async def test_a_kept_alive_connection_serves_request_after_request() -> None:
    """Three requests, one at a time, on one connection → three complete answers, the connection open."""
    async with connection() as (reader, writer):
        answers = []
        for _ in range(3):
            writer.write(b"POST /x HTTP/1.1\r\nhost: t\r\ncontent-length: 3\r\n\r\nabc")
            answers.append(await read_answer(reader))
        assert not reader.at_eof()
    assert answers == [("HTTP/1.1 200 OK", answers[0][1], b"POST 3")] * 3
    assert "connection" not in answers[0][1]


@pytest.mark.parametrize(
    "request_head",
    [b"GET /x HTTP/1.1\r\nhost: t\r\nconnection: close\r\n\r\n", b"GET /x HTTP/1.0\r\n\r\n"],
    ids=["Connection: close", "HTTP/1.0"],
)
async def test_a_client_that_does_not_keep_alive_gets_the_whole_answer_then_the_close(
    request_head: bytes,
) -> None:
    """`Connection: close`, or HTTP/1.0 → the whole answer, with connection: close, then the server closes."""
    async with connection() as (reader, writer):
        writer.write(request_head)
        status, headers, data = await read_answer(reader)
        async with asyncio.timeout(5):
            rest = await reader.read()
    assert (status, data, rest, headers["connection"]) == ("HTTP/1.1 200 OK", b"GET 0", b"", "close")


async def test_head_gets_the_length_without_a_body_and_the_connection_goes_on() -> None:
    """HEAD → its headers (content-length 6, "HEAD 0") and no body; the next request on it is served."""
    async with connection() as (reader, writer):
        writer.write(b"HEAD /x HTTP/1.1\r\nhost: t\r\n\r\n")
        async with asyncio.timeout(5):
            head = await reader.readuntil(b"\r\n\r\n")
        writer.write(b"GET /x HTTP/1.1\r\nhost: t\r\n\r\n")
        after = await read_answer(reader)
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and b"\r\ncontent-length: 6\r\n" in head
    assert after[2] == b"GET 0"


async def test_an_answer_without_a_length_is_chunked_and_the_connection_goes_on() -> None:
    """An answer the short path does not take (streamed, no length) → chunked, correct, connection reused."""
    async with connection() as (reader, writer):
        writer.write(b"GET /chunked HTTP/1.1\r\nhost: t\r\n\r\n")
        status, headers, data = await read_answer(reader)
        writer.write(b"GET /x HTTP/1.1\r\nhost: t\r\n\r\n")
        after = await read_answer(reader)
    assert (status, headers["transfer-encoding"], data) == ("HTTP/1.1 200 OK", "chunked", b"GET 0")
    assert after[2] == b"GET 0"


async def test_pipelined_requests_are_answered_in_order() -> None:
    async with connection() as (reader, writer):
        writer.write(
            b"GET /a HTTP/1.1\r\nhost: t\r\n\r\nPOST /b HTTP/1.1\r\nhost: t\r\ncontent-length: 2\r\n\r\nhi"
        )
        answers = [await read_answer(reader), await read_answer(reader)]
    assert [data for _, _, data in answers] == [b"GET 0", b"POST 2"]


async def test_a_request_in_several_reads_leaves_no_timer_behind() -> None:
    """Headers, a pause, then the body → served; the connection then idles past the header and body
    timeouts (0.3 s) without a 408 and serves the next request (the request's timers were stopped)."""
    async with connection() as (reader, writer):
        writer.write(b"POST /x HTTP/1.1\r\nhost: t\r\ncontent-length: 4\r\n\r\n")
        await asyncio.sleep(0.1)
        writer.write(b"data")
        first = await read_answer(reader)
        await asyncio.sleep(0.6)
        writer.write(b"GET /x HTTP/1.1\r\nhost: t\r\n\r\n")
        second = await read_answer(reader)
    assert (first[0], first[2], second[0], second[2]) == (
        "HTTP/1.1 200 OK",
        b"POST 4",
        "HTTP/1.1 200 OK",
        b"GET 0",
    )


async def test_a_body_split_across_reads_is_still_timed() -> None:
    """Headers and part of the body, then silence → 408 once the body timeout has passed."""
    async with connection() as (reader, writer):
        writer.write(b"POST /x HTTP/1.1\r\nhost: t\r\ncontent-length: 10\r\n\r\nabc")
        async with asyncio.timeout(5):
            answer = await reader.read()
    assert answer.startswith(b"HTTP/1.1 408 ")


async def test_a_body_slower_than_the_header_timeout_gets_the_body_timeout() -> None:
    """Headers in two reads, then the body's second half 0.6 s later: past the header timeout (0.3 s) but
    within the body timeout (10 s) → served, not 408 (the body is timed by its own timeout)."""
    async with connection(header_timeout_s=0.3, body_timeout_s=10) as (reader, writer):
        writer.write(b"POST /x HTTP/1.1\r\nhost: t\r\n")
        await asyncio.sleep(0.05)
        writer.write(b"content-length: 4\r\n\r\nda")
        await asyncio.sleep(0.6)
        writer.write(b"ta")
        answer = await read_answer(reader)
    assert (answer[0], answer[2]) == ("HTTP/1.1 200 OK", b"POST 4")


async def test_an_idle_kept_alive_connection_is_closed_but_not_a_busy_one() -> None:
    """Keep-alive timeout 0.2 s: an answer, then at once a request the app takes 0.5 s over → answered
    (a connection busy past the timeout is not cut), then the idle connection is closed by the server."""
    async with connection(keep_alive_s=0.2) as (reader, writer):
        writer.write(b"GET /x HTTP/1.1\r\nhost: t\r\n\r\n")
        first = await read_answer(reader)
        writer.write(b"GET /slow HTTP/1.1\r\nhost: t\r\n\r\n")
        slow = await read_answer(reader)
        async with asyncio.timeout(5):
            rest = await reader.read()
    assert (first[2], slow[2], rest) == (b"GET 0", b"GET 0", b"")


async def test_the_keep_alive_timeout_counts_from_the_last_answer() -> None:
    """Keep-alive timeout 1 s: two answers 0.1 s apart, then silence → the server closes the connection
    (timed from the second answer: the timer set after the first one looks again)."""
    async with connection(keep_alive_s=1) as (reader, writer):
        writer.write(b"GET /x HTTP/1.1\r\nhost: t\r\n\r\n")
        first = await read_answer(reader)
        await asyncio.sleep(0.1)
        writer.write(b"GET /x HTTP/1.1\r\nhost: t\r\n\r\n")
        second = await read_answer(reader)
        async with asyncio.timeout(5):
            rest = await reader.read()
    assert (first[2], second[2], rest) == (b"GET 0", b"GET 0", b"")
