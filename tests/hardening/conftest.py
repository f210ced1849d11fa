"""Hardening fixtures: the gateway before the real mock backends in-process, or on a real socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
import pytest

from ndxp_sim.adapters.upstream import HttpxUpstream
from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.app import create_app
from ndxp_sim.gateway.exchange import MemorySink
from ndxp_sim.gateway.http_protocol import GuardedHttpToolsProtocol
from ndxp_sim.mock_services.app import create_mock_app
from tests.conftest import GatewayHarness, MakeGateway, MakeSettings
from tests.e2e.conftest import simulator  # noqa: F401 - the supervision cases run `ndxp-sim up`
from tests.local_http import serving_app

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
    config = {
        "http": GuardedHttpToolsProtocol,
        "limit_concurrency": settings.max_connections,
        "lifespan": "on",
    }
    async with serving_app(app, **config) as address:
        yield address
