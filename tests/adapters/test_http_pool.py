"""The pooled upstream client against a scripted HTTP/1.1 backend on loopback: reuse, framing, failures."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from ndxp_sim.adapters import http_pool
from ndxp_sim.adapters.http_pool import PooledUpstream
from ndxp_sim.core.errors import BackendBadResponseError, BackendTimeoutError, BackendUnavailableError

Answer = Callable[[bytes, bytes], bytes]  # (request head, request body) -> raw answer bytes


def answer(
    body: bytes, *, status: str = "200 OK", headers: tuple[str, ...] = (), length: bool = True
) -> bytes:
    lines = [f"HTTP/1.1 {status}", "content-type: application/json", *headers]
    if length:
        lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass
class ScriptedBackend:
    """Answers each request with `reply(head, body)`; counts connections; may close after an answer."""

    reply: Answer
    close_after: bool = False
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = await reader.readexactly(length) if length else b""
                self.requests.append(head + body)
                writer.write(self.reply(head, body))
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/svc/op"


@asynccontextmanager
async def scripted(reply: Answer, **options: bool) -> AsyncIterator[tuple[ScriptedBackend, PooledUpstream]]:
    backend = ScriptedBackend(reply, **options)
    server = await asyncio.start_server(backend.handle, "127.0.0.1", 0)  # the kernel picks a free port
    backend.port = server.sockets[0].getsockname()[1]
    client = PooledUpstream()
    try:
        yield backend, client
    finally:
        await client.close()
        server.close()
        await server.wait_closed()


async def get(client: PooledUpstream, url: str, **headers: str) -> tuple[int, bytes]:
    response = await client.request("GET", url, headers=headers, body=None, timeout_s=5)
    return response.status, response.body


async def test_sequential_calls_reuse_one_keep_alive_connection() -> None:
    async with scripted(lambda head, body: answer(b'{"ok":1}')) as (backend, client):
        for _ in range(50):
            assert await get(client, backend.url) == (200, b'{"ok":1}')
    assert backend.connections == 1
    assert len(backend.requests) == 50


async def test_concurrent_calls_get_their_own_connections_and_keep_them() -> None:
    async with scripted(lambda head, body: answer(head.split(b" ")[1])) as (backend, client):
        for _ in range(5):
            paths = [f"{backend.url}?n={n}" for n in range(8)]
            answers = await asyncio.gather(*(get(client, path) for path in paths))
            assert [body for _status, body in answers] == [f"/svc/op?n={n}".encode() for n in range(8)]
    assert backend.connections <= 8  # every round reuses the connections the first one opened


async def test_a_post_carries_its_body_and_headers() -> None:
    async with scripted(lambda head, body: answer(body)) as (backend, client):
        response = await client.request(
            "POST", backend.url, headers={"x-request-id": "rq-1"}, body=b'{"a":"b"}', timeout_s=5
        )
    assert (response.status, response.body) == (200, b'{"a":"b"}')
    head = backend.requests[0].lower()
    assert b"content-length: 9\r\n" in head and b"x-request-id: rq-1\r\n" in head
    assert f"host: 127.0.0.1:{backend.port}\r\n".encode() in head


async def test_an_answer_with_connection_close_is_read_whole_and_its_connection_not_reused() -> None:
    reply = answer(b'{"ok":2}', headers=("connection: close",))
    async with scripted(lambda head, body: reply, close_after=True) as (backend, client):
        assert await get(client, backend.url) == (200, b'{"ok":2}')
        assert await get(client, backend.url) == (200, b'{"ok":2}')
    assert backend.connections == 2


async def test_an_answer_delimited_by_the_connection_closing_is_read_whole() -> None:
    reply = answer(b"x" * 70_000, length=False)
    async with scripted(lambda head, body: reply, close_after=True) as (backend, client):
        assert await get(client, backend.url) == (200, b"x" * 70_000)


async def test_a_chunked_answer_is_reassembled() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: application/json\r\n\r\n"
        b'5\r\n{"a":\r\n4\r\n"b"}\r\n0\r\n\r\n'
    )
    async with scripted(lambda head, body: chunked) as (backend, client):
        assert await get(client, backend.url) == (200, b'{"a":"b"}')
        assert await get(client, backend.url) == (200, b'{"a":"b"}')
    assert backend.connections == 1


async def test_a_gzip_answer_is_decompressed() -> None:
    packed = answer(gzip.compress(b'{"z":1}'), headers=("content-encoding: gzip",))
    async with scripted(lambda head, body: packed) as (backend, client):
        assert await get(client, backend.url) == (200, b'{"z":1}')


async def test_answer_headers_read_case_insensitively_and_repeated_ones_joined() -> None:
    reply = answer(
        b"", status="302 Found", headers=("Location: /next", "WWW-Authenticate: a", "WWW-Authenticate: b")
    )
    async with scripted(lambda head, body: reply) as (backend, client):
        response = await client.request("GET", backend.url, headers={}, body=None, timeout_s=5)
    assert response.status == 302
    assert response.headers.get("location") == "/next"
    assert response.headers["Www-Authenticate"] == "a, b"
    assert response.content_type == "application/json"


async def test_a_keep_alive_connection_the_backend_closed_meanwhile_is_replaced_for_a_get() -> None:
    async with scripted(lambda head, body: answer(b"{}")) as (backend, client):
        assert await get(client, backend.url) == (200, b"{}")
        backend.close_after = True  # the next answer ends its connection, as an idle timeout would
        assert await get(client, backend.url) == (200, b"{}")
        await asyncio.sleep(0.05)  # the close reaches the pooled connection
        assert await get(client, backend.url) == (200, b"{}")
    assert backend.connections == 2


async def test_an_answer_cut_off_after_its_headers_is_a_bad_response() -> None:
    cut = b'HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"partial'
    async with scripted(lambda head, body: cut, close_after=True) as (backend, client):
        with pytest.raises(BackendBadResponseError):
            await get(client, backend.url)


async def test_garbage_instead_of_http_is_a_bad_or_unavailable_backend() -> None:
    async with scripted(lambda head, body: b"SSH-2.0-OpenSSH\r\n", close_after=True) as (backend, client):
        with pytest.raises((BackendBadResponseError, BackendUnavailableError)):
            await get(client, backend.url)


async def test_a_closed_port_is_unavailable_and_a_stall_times_out() -> None:
    async with scripted(lambda head, body: answer(b"{}")) as (backend, client):
        port = backend.port
    with pytest.raises(BackendUnavailableError):
        await PooledUpstream().request(
            "GET", f"http://127.0.0.1:{port}/x", headers={}, body=None, timeout_s=5
        )

    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    server = await asyncio.start_server(stall, "127.0.0.1", 0)
    stalled = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
    client = PooledUpstream()
    try:
        with pytest.raises(BackendTimeoutError):
            await client.request("GET", stalled, headers={}, body=None, timeout_s=0.3)
    finally:
        await client.close()
        server.close()


async def test_a_header_value_with_a_line_break_is_refused_before_anything_is_sent() -> None:
    async with scripted(lambda head, body: answer(b"{}")) as (backend, client):
        with pytest.raises(ValueError, match="line breaks"):
            await get(client, backend.url, **{"x-evil": "a\r\nx-injected: 1"})
    assert backend.requests == []


async def test_head_goes_through_the_general_client_and_does_not_wait_for_a_body() -> None:
    """A HEAD answer declares the length of the body it does not carry: read as a GET's, it would wait."""
    head_answer = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 9\r\n\r\n"
    async with scripted(lambda head, body: head_answer) as (backend, client):
        response = await client.request("HEAD", backend.url, headers={}, body=None, timeout_s=2)
    assert (response.status, response.body) == (200, b"")


async def test_an_answer_over_the_size_limit_is_a_bad_response(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http_pool, "MAX_ANSWER_BYTES", 50_000)
    async with scripted(lambda head, body: answer(b"x" * 60_000)) as (backend, client):
        with pytest.raises(BackendBadResponseError, match="over 50000 bytes"):
            await get(client, backend.url)
        backend.reply = lambda head, body: answer(b"y" * 40_000)
        assert await get(client, backend.url) == (200, b"y" * 40_000)  # the next call works
