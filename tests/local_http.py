"""Loopback helpers for tests: free ports, and a real HTTP server that records the callbacks it gets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from ndxp_sim.gateway.logpipe.broker import free_port


@dataclass
class CallbackReceiver:
    """A real HTTP server that records callbacks; `script` gives the status of each successive answer."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        status = self.script.pop(0) if self.script else 200
        self.received.append({"headers": dict(request.headers), "raw": raw, "answered": status})
        self.arrived.set()
        return web.Response(status=status)

    async def wait_for(self, predicate: Callable[[], bool], limit_s: float = 5.0) -> None:
        async with asyncio.timeout(limit_s):
            while not predicate():
                self.arrived.clear()
                await self.arrived.wait()


@asynccontextmanager
async def callback_receiver(path: str = "/callbacks") -> AsyncIterator[CallbackReceiver]:
    """A CallbackReceiver listening on a free loopback port until the block ends."""
    receiver = CallbackReceiver()
    app = web.Application()
    app.router.add_post(path, receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    receiver.url = f"http://127.0.0.1:{port}{path}"
    try:
        yield receiver
    finally:
        await runner.cleanup()
