"""Loopback helpers for tests: an ASGI app on a real socket, and a real HTTP server recording callbacks."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from aiohttp import web

from ndxp_sim.gateway.logpipe.broker import free_port


@asynccontextmanager
async def serving_app(app: Any, **config: Any) -> AsyncIterator[tuple[str, int]]:
    """`app` behind a real uvicorn server (`config`: more uvicorn.Config settings) on a loopback socket
    bound before the server starts (no port race); yields its (host, port)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", **config))
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        yield sock.getsockname()
    finally:
        server.should_exit = True
        try:
            async with asyncio.timeout(5):
                await asyncio.shield(task)
        except TimeoutError:
            server.force_exit = True  # connections a broken limit left open must not hang the run
            await task
        sock.close()


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
