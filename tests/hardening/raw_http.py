"""Raw HTTP/1.1 over loopback sockets, for clients no HTTP library would be: slow, huge, half-sent."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import orjson


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def error_type(self) -> str:
        return str(orjson.loads(self.body)["type"])


async def connect(address: tuple[str, int]) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(*address)


async def read_until_closed(reader: asyncio.StreamReader, limit_s: float) -> Answer | None:
    """What the server wrote before it closed the connection (None if it wrote nothing)."""
    try:
        async with asyncio.timeout(limit_s):
            raw = await reader.read(-1)
    except ConnectionError:  # reset, or our own write failed: nothing readable arrived
        return None
    if not raw:
        return None
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return Answer(int(status_line.split()[1]), headers, body)


async def flood(writer: asyncio.StreamWriter, reader: asyncio.StreamReader, chunk: bytes, total: int) -> int:
    """Sends `chunk` until `total` bytes, the server answers, or it closes; returns the bytes sent."""
    sent = 0
    deadline = time.monotonic() + 10  # bounded in time too, whatever the server does
    while (
        sent < total
        and time.monotonic() < deadline
        and not reader.at_eof()
        and await send_quietly(writer, chunk)
    ):
        sent += len(chunk)
        await asyncio.sleep(0)  # lets the answer, if any, reach the reader
        if reader._buffer:
            break
    return sent


async def send_quietly(writer: asyncio.StreamWriter, data: bytes) -> bool:
    """Writes `data`; False once the server has closed the connection."""
    try:
        writer.write(data)
        await writer.drain()
    except (ConnectionError, OSError):
        return False
    return True
