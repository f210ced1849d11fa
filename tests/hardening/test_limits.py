"""Size limits a client without credentials can hit: header section and request bodies, /token included."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MakeSettings
from tests.hardening.conftest import serving
from tests.hardening.raw_http import connect, flood, read_until_closed, send_quietly

MiB = 1024 * 1024


async def test_a_16_mib_header_is_refused_with_431_long_before_it_ends(make_settings: MakeSettings) -> None:
    """One header growing to 16 MiB → 431 Client.HeaderTooLarge once the header section passes
    max_header_bytes (64 KiB), connection closed; the client gets to send under 4 MiB of it."""
    async with serving(make_settings()) as address:
        reader, writer = await connect(address)
        await send_quietly(writer, b"GET /health HTTP/1.1\r\nhost: x\r\nx-big: ")
        sent = await flood(writer, reader, b"a" * 16384, 16 * MiB)
        answer = await read_until_closed(reader, 5)
        writer.close()
    assert answer is not None and answer.status == 431
    assert answer.error_type == "Client.HeaderTooLarge"
    assert sent < 4 * MiB


async def test_headers_under_the_limit_are_served(make_settings: MakeSettings) -> None:
    """A 32 KiB header, under the 64 KiB limit → an ordinary 200."""
    async with serving(make_settings()) as address:
        reader, writer = await connect(address)
        big = b"x-big: " + b"a" * 32768 + b"\r\n"
        await send_quietly(
            writer, b"GET /health HTTP/1.1\r\nhost: x\r\n" + big + b"connection: close\r\n\r\n"
        )
        answer = await read_until_closed(reader, 5)
        writer.close()
    assert answer is not None and answer.status == 200


async def test_token_refuses_a_declared_256_mib_body_before_reading_it(make_settings: MakeSettings) -> None:
    """POST /token declaring a 256 MiB body → 413 Client.PayloadTooLarge before any body byte is sent;
    connection closed."""
    async with serving(make_settings()) as address:
        reader, writer = await connect(address)
        head = (
            b"POST /token HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\n"
            b"content-length: 268435456\r\n\r\n"
        )
        await send_quietly(writer, head)
        answer = await read_until_closed(reader, 5)
        writer.close()
    assert answer is not None and answer.status == 413
    assert answer.error_type == "Client.PayloadTooLarge"


async def test_token_refuses_a_chunked_body_once_it_passes_4_kib(make_settings: MakeSettings) -> None:
    """POST /token with a chunked body (no declared length) that keeps coming → 413 once past 4 KiB; the
    client cannot push much beyond it."""
    async with serving(make_settings()) as address:
        reader, writer = await connect(address)
        await send_quietly(writer, b"POST /token HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n")
        sent = await flood(writer, reader, b"4000\r\n" + b"a" * 0x4000 + b"\r\n", 64 * MiB)
        answer = await read_until_closed(reader, 5)
        writer.close()
    assert answer is not None and answer.status == 413
    assert sent < 16 * MiB


async def test_other_own_endpoints_refuse_bodies_over_max_body_bytes(
    make_settings: MakeSettings, tmp_path: Path
) -> None:
    """A declared body over max_body_bytes to the operator API (any FastAPI route) → 413."""
    async with serving(make_settings(max_body_bytes=2048)) as address:
        reader, writer = await connect(address)
        await send_quietly(
            writer, b"POST /_ops/exchanges HTTP/1.1\r\nhost: x\r\ncontent-length: 4096\r\n\r\n"
        )
        answer = await read_until_closed(reader, 5)
        writer.close()
    assert answer is not None and answer.status == 413
