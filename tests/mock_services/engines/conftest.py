"""A bare host for the engines' demo services, and an app that serves them behind the scenario middleware."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from ndxp_sim.mock_services.engines import Declaration, EngineState, serve
from ndxp_sim.mock_services.faults import FaultProfiles, ScenarioMiddleware, traits_lookup

SERVICE = "demo"


@dataclass
class DemoHost:
    """Shaped like MockContext as engines see it; the demo services keep their own synthetic data."""

    population: Any = None
    access_log: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=100))
    engines: EngineState = field(default_factory=EngineState)
    faults: FaultProfiles = field(default_factory=FaultProfiles)


@pytest.fixture
def host() -> DemoHost:
    return DemoHost()


DemoClient = Callable[..., Any]


@pytest.fixture
def demo(host: DemoHost) -> DemoClient:
    """`async with demo(*declarations) as client`: the declarations served under /demo like a real mock."""

    @asynccontextmanager
    async def open_client(*declarations: Declaration) -> AsyncIterator[httpx.AsyncClient]:
        app = FastAPI()
        app.include_router(serve(host, SERVICE, *declarations), prefix=f"/{SERVICE}")
        app.add_middleware(ScenarioMiddleware, traits=traits_lookup({}, {SERVICE}), profiles=host.faults)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mocks") as client:
            yield client

    return open_client
