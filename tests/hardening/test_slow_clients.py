"""Slow clients on a real server (loopback): header and body read timeouts, and the connection cap."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.conftest import MakeSettings
from tests.hardening.conftest import serving
from tests.hardening.raw_http import connect, read_until_closed, send_quietly

FAST = {"header_timeout_s": 0.5, "body_timeout_s": 0.5}


async def test_half_sent_headers_are_cut_off_after_header_timeout(make_settings: MakeSettings) -> None:
    """Half a request's headers, then silence → 408 Client.RequestTimeout and the connection closed once
    header_timeout_s has passed."""
    async with serving(make_settings(**FAST)) as address:
        reader, writer = await connect(address)
        started = time.monotonic()
        await send_quietly(writer, b"GET /health HTTP/1.1\r\nhost: x\r\nx-slow: ")
        answer = await read_until_closed(reader, 5)
        elapsed = time.monotonic() - started
        writer.close()
    assert answer is not None and answer.status == 408 and answer.error_type == "Client.RequestTimeout"
    assert 0.4 < elapsed < 3


async def test_a_slowloris_drip_does_not_extend_the_header_timeout(make_settings: MakeSettings) -> None:
    """Ten clients each dripping one header byte every 0.1 s → each cut off about header_timeout_s after its
    first byte, however long the drip would go on."""
    async with serving(make_settings(**FAST)) as address:

        async def slowloris() -> float:
            reader, writer = await connect(address)
            started = time.monotonic()
            await send_quietly(writer, b"GET /health HTTP/1.1\r\nx-drip: ")
            while await send_quietly(writer, b"a") and time.monotonic() - started < 5:
                if reader.at_eof():
                    break
                await asyncio.sleep(0.1)
            await read_until_closed(reader, 5)
            writer.close()
            return time.monotonic() - started

        durations = await asyncio.gather(*(slowloris() for _ in range(10)))
    assert max(durations) < 3


async def test_a_body_that_never_completes_is_cut_off_after_body_timeout(make_settings: MakeSettings) -> None:
    """Headers promising 100 body bytes, then 10 → 408 once body_timeout_s has passed, connection closed."""
    async with serving(make_settings(**FAST)) as address:
        reader, writer = await connect(address)
        await send_quietly(
            writer,
            b"POST /token HTTP/1.1\r\nhost: x\r\n"
            b"content-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\ngrant_type",
        )
        answer = await read_until_closed(reader, 5)
        writer.close()
    assert answer is not None and answer.status == 408


async def test_the_connection_cap_refuses_extra_connections_and_recovers(make_settings: MakeSettings) -> None:
    """Eight idle connections with max_connections 5 → those over the cap closed at once with 503
    Server.Gateway.Overloaded; once the idle ones time out, an ordinary request is served."""
    async with serving(make_settings(max_connections=5, **FAST)) as address:
        idle = [await connect(address) for _ in range(8)]
        answers = await asyncio.gather(*(read_until_closed(reader, 5) for reader, _ in idle))
        refused = [answer for answer in answers if answer is not None and answer.status == 503]
        timed_out = [answer for answer in answers if answer is None or answer.status == 408]
        for _, writer in idle:
            writer.close()
        async with httpx.AsyncClient(base_url=f"http://{address[0]}:{address[1]}") as client:
            health = await client.get("/health")
    assert len(refused) == 3 and len(timed_out) == 5
    assert refused[0].error_type == "Server.Gateway.Overloaded"
    assert health.status_code == 200


async def test_a_keep_alive_connections_next_request_is_timed_too(make_settings: MakeSettings) -> None:
    """After one complete request on a kept-alive connection, a second that stops mid-headers → cut off by
    the header timeout too (408)."""
    async with serving(make_settings(**FAST)) as address:
        reader, writer = await connect(address)
        await send_quietly(writer, b"GET /health HTTP/1.1\r\nhost: x\r\n\r\n")
        first = await reader.readuntil(b'{"status":"ok"}')
        await send_quietly(writer, b"GET /health HTTP/1.1\r\nhost")
        answer = await read_until_closed(reader, 5)
        writer.close()
    assert first.startswith(b"HTTP/1.1 200")
    assert answer is not None and answer.status == 408
