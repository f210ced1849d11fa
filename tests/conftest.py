"""Fixtures shared by every test folder: settings, a gateway with a memory sink, tokens."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ndxp_sim.adapters.upstream import HttpxUpstream, UpstreamClient
from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.app import GatewayApp, create_app
from ndxp_sim.gateway.exchange import MemorySink
from tests.local_http import CallbackReceiver, callback_receiver

CONSUMER = ("000.00.00.H91", "demo-secret-H91")
LIMITED_CONSUMER = ("000.00.00.H92", "demo-secret-H92")
OPERATOR = ("ops.ndxp-sim", "demo-secret-ops")
LIEN_THONG_SOURCE = ("000.00.00.G12", "fake-lien-thong-secret-G12")  # the hộ tịch mock's chain steps

MakeSettings = Callable[..., Settings]


@pytest.fixture(scope="session", autouse=True)
def _without_the_callers_ndxp_environment() -> Iterator[None]:
    """Tests never see the caller's NDXP_* variables (a developer's shell often has some), and neither do
    the processes they start, which inherit os.environ."""
    patch = pytest.MonkeyPatch()
    for name in [name for name in os.environ if name.startswith("NDXP_")]:
        patch.delenv(name)
    yield
    patch.undo()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--hardening-report", metavar="FILE", help="write the table of tests/hardening results to FILE"
    )


def pytest_configure(config: pytest.Config) -> None:
    report = config.getoption("--hardening-report")
    if report:
        from tests.hardening_report import HardeningReport

        config.pluginmanager.register(HardeningReport(Path(report)), "hardening-report")


@pytest.fixture
def make_settings(tmp_path: Path) -> MakeSettings:
    """Settings from the shipped default config, with state under tmp_path and any overrides."""

    def make(**overrides: Any) -> Settings:
        base: dict[str, Any] = {
            "log": {"spool_dir": tmp_path / "spool"},
            "store": {"url": f"sqlite+aiosqlite:///{tmp_path / 'exchanges.db'}"},
            "mocks": {
                "cache_dir": tmp_path / "cache",
                "state_file": tmp_path / "mock-state.db",
                "population": 1000,
                "dossier_step_s": 0.05,
            },
        }
        return Settings(**(base | overrides))

    return make


@pytest.fixture
def settings(make_settings: MakeSettings) -> Settings:
    return make_settings()


class GatewayHarness:
    """A gateway app served in-process, with its exchange sink exposed for assertions."""

    def __init__(self, app: GatewayApp, sink: MemorySink) -> None:
        self.app = app
        self.sink = sink
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway")
        self._tokens: dict[tuple[str, str], str] = {}

    async def token(self, credentials: tuple[str, str] = CONSUMER) -> str:
        if credentials not in self._tokens:
            response = await self.client.post(
                "/token", data={"grant_type": "client_credentials"}, auth=credentials
            )
            assert response.status_code == 200, response.text
            self._tokens[credentials] = response.json()["access_token"]
        return self._tokens[credentials]

    async def auth(self, credentials: tuple[str, str] = CONSUMER) -> dict[str, str]:
        return {"authorization": f"Bearer {await self.token(credentials)}"}

    def exchange(self, exchange_id: str) -> Any:
        return next(e for e in self.sink.exchanges if e.exchange_id == exchange_id)


MakeGateway = Callable[..., Any]


@pytest.fixture
async def make_gateway() -> AsyncIterator[MakeGateway]:
    """Build gateways over any settings and upstream; closes their clients afterwards."""
    harnesses: list[GatewayHarness] = []

    def make(settings: Settings, upstream: UpstreamClient | None = None) -> GatewayHarness:
        sink = MemorySink()
        app = create_app(settings, sink=sink, upstream=upstream or HttpxUpstream(httpx.AsyncClient()))
        harness = GatewayHarness(app, sink)
        harnesses.append(harness)
        return harness

    yield make
    for harness in harnesses:
        await harness.client.aclose()
        await harness.app.runtime.upstream.close()


@pytest.fixture
def gateway(make_gateway: MakeGateway, settings: Settings) -> GatewayHarness:
    """A gateway whose backends are reached through plain httpx (respx can intercept them)."""
    return make_gateway(settings)  # type: ignore[no-any-return]


@pytest.fixture
async def receiver() -> AsyncIterator[CallbackReceiver]:
    """A real HTTP server on a free loopback port that records the callbacks it gets."""
    async with callback_receiver() as running:
        yield running
