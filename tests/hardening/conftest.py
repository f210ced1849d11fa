"""Fixtures for the hardening tests: a gateway in front of the real mock backends, in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from ndxp_sim.adapters.upstream import HttpxUpstream
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
