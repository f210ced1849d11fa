"""A misbehaving backend on a loopback socket: refuses, stalls, answers garbage or half an answer."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

GOOD = b'{"msdn": "0100109106", "tenDoanhNghiep": "Cong ty mau"}'


def _answer(
    status: str, body: bytes, *, content_type: bytes = b"application/json", length: int = -1
) -> bytes:
    declared = len(body) if length < 0 else length
    return (
        f"HTTP/1.1 {status}\r\ncontent-length: {declared}\r\n".encode()
        + b"content-type: "
        + content_type
        + b"\r\nconnection: close\r\n\r\n"
        + body
    )


ANSWERS = {
    "ok": _answer("200 OK", GOOD),
    "garbage": _answer("200 OK", b"<html>Service Temporarily Unavailable</html>"),
    "broken_xml": _answer("200 OK", b"<soap:Envelope><soap:Body><unclosed>", content_type=b"text/xml"),
    "half": _answer("200 OK", GOOD[:20], length=4096),  # then the connection closes mid-body
}


@dataclass
class FaultBackend:
    """`mode`: ok, garbage, broken_xml, half, slow (answers nothing for `stall_s`), or a list to cycle."""

    port: int
    modes: list[str] = field(default_factory=lambda: ["ok"])
    stall_s: float = 30.0
    calls: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event)  # set on exit: stalled answers end
    sock: socket.socket | None = None
    server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self.handle, sock=self.sock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set(self, *modes: str) -> None:
        self.modes = list(modes)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode = self.modes[self.calls % len(self.modes)]
        self.calls += 1
        try:
            await reader.readuntil(b"\r\n\r\n")
            if mode == "slow":
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.released.wait(), self.stall_s)
            else:
                writer.write(ANSWERS[mode])
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def fault_backend(*, listening: bool = True) -> AsyncIterator[FaultBackend]:
    """A backend on a held loopback port. With listening=False the port is bound but not listening, so every
    connect is refused (the backend is down) until `await backend.start()`: the same port comes back."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    backend = FaultBackend(sock.getsockname()[1], sock=sock)
    if listening:
        await backend.start()
    try:
        yield backend
    finally:
        backend.released.set()
        if backend.server is not None:
            backend.server.close()
            await backend.server.wait_closed()
            await asyncio.sleep(0.05)  # lets the released handlers close their sockets
        sock.close()


def open_connections_to(pid: int | str, port: int) -> int:
    """TCP connections of process `pid` whose remote end is 127.0.0.1:`port` (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    remote = f"0100007F:{port:04X}"
    count = 0
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[2] == remote and fields[9] in inodes and fields[3] != "06":  # 06: TIME_WAIT, no fd
            count += 1
    return count
