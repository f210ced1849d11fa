"""Hardening fixtures: the gateway before the real mock backends in-process, or on a real socket."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn

from ndxp_sim.adapters.upstream import HttpxUpstream
from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.app import create_app
from ndxp_sim.gateway.exchange import MemorySink
from ndxp_sim.gateway.http_protocol import GuardedHttpToolsProtocol
from ndxp_sim.mock_services.app import create_mock_app
from tests.conftest import GatewayHarness, MakeGateway, MakeSettings

MakeStack = Callable[..., Any]


@pytest.fixture
async def make_stack(make_gateway: MakeGateway, make_settings: MakeSettings) -> AsyncIterator[MakeStack]:
    """`await make_stack(**settings overrides)`: a gateway whose backends are the real mock app."""
    async with AsyncExitStack() as stack:

        async def make(**overrides: Any) -> GatewayHarness:
            settings = make_settings(**overrides)
            mock_app = create_mock_app(settings)
            await stack.enter_async_context(mock_app.router.lifespan_context(mock_app))
            upstream = HttpxUpstream(httpx.AsyncClient(transport=httpx.ASGITransport(app=mock_app)))
            return make_gateway(settings, upstream)  # type: ignore[no-any-return]

        yield make


@pytest.fixture
async def stack(make_stack: MakeStack) -> GatewayHarness:
    return await make_stack()  # type: ignore[no-any-return]


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[tuple[str, int]]:
    """The gateway (memory sink) behind a real uvicorn server with the production protocol and
    connection cap, on a loopback socket bound before the server starts (no port race)."""
    app = create_app(settings, sink=MemorySink())
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app,
        http=GuardedHttpToolsProtocol,
        limit_concurrency=settings.max_connections,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
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
