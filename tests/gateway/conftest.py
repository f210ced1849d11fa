"""Gateway fixtures: the gateway before the real mock backends, in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ndxp_sim.adapters.upstream import HttpxUpstream
from ndxp_sim.mock_services.app import create_mock_app
from tests.conftest import GatewayHarness, MakeGateway, MakeSettings


@pytest.fixture
async def stack(make_gateway: MakeGateway, make_settings: MakeSettings) -> AsyncIterator[GatewayHarness]:
    """A gateway whose backends are the real mock app (reached in-process over ASGI)."""
    settings = make_settings()
    mock_app = create_mock_app(settings)
    async with mock_app.router.lifespan_context(mock_app):
        upstream = HttpxUpstream(httpx.AsyncClient(transport=httpx.ASGITransport(app=mock_app)))
        yield make_gateway(settings, upstream)
