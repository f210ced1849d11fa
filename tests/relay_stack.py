"""The gateway on a real socket with the mocks in-process behind it, so a mock's callbacks and chained calls
reach the gateway over HTTP as a consumer's would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ndxp_sim.adapters.upstream import HttpxUpstream
from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.exchange import Exchange, MemorySink
from ndxp_sim.gateway.logpipe.broker import free_port
from ndxp_sim.mock_services.admin import admin_headers
from ndxp_sim.mock_services.app import create_mock_app
from ndxp_sim.mock_services.population import Population
from tests.conftest import GatewayHarness, MakeGateway, MakeSettings
from tests.local_http import serving_app


@dataclass
class Stack:
    gateway: GatewayHarness
    sink: MemorySink
    settings: Settings
    mock: Any

    @property
    def population(self) -> Population:
        population: Population = self.mock.state.mocks.population
        return population

    def records(self, ma_ho_so: str) -> list[Exchange]:
        """The dossier's exchanges in time order, as its trace lists them."""
        found = [e for e in self.sink.exchanges if e.correlation.get("MaHoSo") == ma_ho_so]
        return sorted(found, key=lambda e: e.t_request_in)

    def mock_admin(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.mock)
        return httpx.AsyncClient(
            transport=transport, base_url="http://mock", headers=admin_headers(self.settings)
        )


class _Later:
    """An ASGI app set once the gateway's port (which the mock's settings name) is known."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@asynccontextmanager
async def relay_stack(
    make_gateway: MakeGateway,
    make_settings: MakeSettings,
    tmp_path: Path,
    **mock_settings: Any,
) -> AsyncIterator[Stack]:
    """The stack with a small population and fast dossier steps; `mock_settings` adds or overrides."""
    mock = _Later()
    mocks = {
        "cache_dir": tmp_path / "cache",
        "state_file": None,
        "population": 1000,
        "dossier_step_s": 0.05,
        "callback_backoff_s": 0.01,
        "port": free_port(),
        **mock_settings,
    }
    base = make_settings(mocks=mocks)
    client = httpx.AsyncClient(mounts={base.mock_base_url: httpx.ASGITransport(app=mock)}, trust_env=False)
    harness = make_gateway(base, HttpxUpstream(client))
    async with serving_app(harness.app) as (host, port):
        mock.app = create_mock_app(
            make_settings(mocks={**mocks, "callback_relay_url": f"http://{host}:{port}"})
        )
        async with mock.app.router.lifespan_context(mock.app):
            yield Stack(harness, harness.sink, base, mock.app)
