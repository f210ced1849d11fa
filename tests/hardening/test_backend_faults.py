"""Backend faults: down, slow, flapping, garbage, half an answer; the circuit breaker per backend."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from ndxp_sim.adapters.http_pool import PooledUpstream
from ndxp_sim.adapters.upstream import AiohttpUpstream, UpstreamClient
from ndxp_sim.core import identities
from tests.conftest import GatewayHarness, MakeGateway, MakeSettings
from tests.hardening.fault_backend import FaultBackend, fault_backend, open_connections_to

DKDN = f"/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn={identities.ENTERPRISE_ACTIVE}"
DAN_CU = "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan"
TIMEOUT_S = 0.5
# The fault backend stalls for 30 s: an answer well inside that came from the gateway's own timeout. The
# margin is wide because a loaded CI machine can be seconds late; timing precision is the benchmark's job.
ANSWERED_BY_S = TIMEOUT_S + 5
CITIZEN_LOOKUP = {"MaYeuCau": "YC-1", "MaCanBo": "CB-7", "SoDinhDanh": identities.CITIZEN_EXISTS}


@pytest.fixture(params=[PooledUpstream, AiohttpUpstream], ids=["pooled", "aiohttp"])
def production_client(request: pytest.FixtureRequest) -> type[UpstreamClient]:
    """Each production upstream client: the pooled one (plain HTTP) and aiohttp (HTTPS backends)."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def make_gateway(make_gateway: MakeGateway, production_client: type[UpstreamClient]) -> MakeGateway:
    """Gateways on the production upstream client under test."""
    return lambda settings: make_gateway(settings, production_client())


def _gateway(
    make_gateway: MakeGateway, make_settings: MakeSettings, backend: FaultBackend, **service: Any
) -> GatewayHarness:
    """The gateway with a production upstream client, csdl_dkdn and csdl_dan_cu on `backend`."""
    settings = {"base_url": backend.base_url, "timeout_s": TIMEOUT_S, "retries": 0} | service
    return make_gateway(  # type: ignore[no-any-return]
        make_settings(services={"csdl_dkdn": settings, "csdl_dan_cu": settings})
    )


async def _timed_get(gateway: GatewayHarness, path: str = DKDN) -> tuple[int, str, float]:
    started = time.monotonic()
    response = await gateway.client.get(path, headers=await gateway.auth())
    return response.status_code, response.json().get("type", ""), time.monotonic() - started


@pytest.mark.parametrize(
    ("mode", "status", "error_type"),
    [
        ("garbage", 502, "Server.Backend.BadResponse"),
        ("half", 502, "Server.Backend.BadResponse"),
        ("slow", 504, "Server.Backend.Timeout"),
    ],
)
async def test_a_misbehaving_rest_backend_gives_the_matching_backend_error_in_time(
    make_gateway: MakeGateway, make_settings: MakeSettings, mode: str, status: int, error_type: str
) -> None:
    """The REST backend answers an HTML page as JSON, declares 4096 bytes and closes after 20, or stalls
    past the 0.5 s timeout → the matching Server.Backend.* error, answered by the gateway's timeout, not after
    the backend's 30 s stall."""
    async with fault_backend() as backend:
        backend.set(mode)
        gateway = _gateway(make_gateway, make_settings, backend)
        status_code, kind, elapsed = await _timed_get(gateway)
    assert (status_code, kind) == (status, error_type)
    assert elapsed < ANSWERED_BY_S


async def test_broken_xml_from_a_soap_backend_is_a_bad_response(
    make_gateway: MakeGateway, make_settings: MakeSettings
) -> None:
    """The SOAP citizen backend answers an unclosed XML envelope → 502 Server.Backend.BadResponse, no echo of
    the backend's text."""
    async with fault_backend() as backend:
        backend.set("broken_xml")
        gateway = _gateway(make_gateway, make_settings, backend)
        response = await gateway.client.post(
            DAN_CU,
            headers=await gateway.auth(),
            json=CITIZEN_LOOKUP,
        )
    assert response.status_code == 502 and response.json()["type"] == "Server.Backend.BadResponse"
    assert "unclosed" not in response.text


async def test_a_backend_that_is_down_gives_503_at_once(
    make_gateway: MakeGateway, make_settings: MakeSettings
) -> None:
    """The backend's port refuses connections → 503 Server.Backend.Unavailable at once: well within a 10 s
    timeout, so the refusal was not waited out."""
    async with fault_backend(listening=False) as backend:
        gateway = _gateway(make_gateway, make_settings, backend, timeout_s=10.0)
        status_code, kind, elapsed = await _timed_get(gateway)
    assert (status_code, kind) == (503, "Server.Backend.Unavailable") and elapsed < 5


async def test_a_flapping_backend_gets_each_answer_right_and_does_not_open_the_circuit(
    make_gateway: MakeGateway, make_settings: MakeSettings
) -> None:
    """The backend alternates a good answer and a stall past the timeout, 8 calls, breaker threshold 2 →
    200, 504, 200, 504, …; successes in between keep the circuit closed."""
    async with fault_backend() as backend:
        backend.set("ok", "slow")
        gateway = _gateway(make_gateway, make_settings, backend, breaker_failures=2)
        answers = [await _timed_get(gateway) for _ in range(8)]
        breaker = gateway.app.runtime.adapters["csdl_dkdn"].breaker
    assert [status for status, _, _ in answers] == [200, 504] * 4
    assert max(elapsed for _, _, elapsed in answers) < ANSWERED_BY_S
    assert breaker.state == "closed"


async def test_stalled_calls_leave_no_upstream_connections_behind(
    make_gateway: MakeGateway, make_settings: MakeSettings
) -> None:
    """20 concurrent calls to a backend that stalls for 30 s → all 504 by the gateway's timeout, and the
    gateway holds no connection to that backend afterwards (counted in /proc: 20 during, 0 after)."""
    async with fault_backend() as backend:
        backend.set("slow")
        gateway = _gateway(make_gateway, make_settings, backend, breaker_failures=0)
        await gateway.auth()
        started = time.monotonic()
        calls = asyncio.gather(*(_timed_get(gateway) for _ in range(20)))
        await asyncio.sleep(0.2)
        during = open_connections_to("self", backend.port)  # proves the count sees them
        answers = await calls
        elapsed = time.monotonic() - started
        await asyncio.sleep(0.1)
        left_open = open_connections_to("self", backend.port)
    assert {(status, kind) for status, kind, _ in answers} == {(504, "Server.Backend.Timeout")}
    assert elapsed < ANSWERED_BY_S
    assert during == 20 and left_open == 0


async def test_the_circuit_opens_fails_fast_shows_in_ready_and_metrics_and_closes_on_recovery(
    make_gateway: MakeGateway, make_settings: MakeSettings
) -> None:
    """Backend down, breaker threshold 3, cool-down 0.5 s: 3 refused calls, then a 4th → 503 'circuit open'
    without a connect attempt; /health/ready and /metrics show the open circuit; the backend comes back,
    after the cool-down the probe call → 200 and the circuit is closed again."""
    async with fault_backend(listening=False) as backend:
        gateway = _gateway(make_gateway, make_settings, backend, breaker_failures=3, breaker_cooldown_s=0.5)
        for _ in range(3):
            assert (await _timed_get(gateway))[:2] == (503, "Server.Backend.Unavailable")
        refused = await gateway.client.get(DKDN, headers=await gateway.auth())
        assert refused.status_code == 503 and "circuit open" in refused.json()["message"]
        assert int(refused.headers["retry-after"]) >= 1
        ready = (await gateway.client.get("/health/ready")).json()
        assert ready["checks"]["backend:csdl_dkdn"]["circuit"]["state"] == "open"
        metrics = (await gateway.client.get("/metrics")).text
        assert 'ndxp_backend_circuit_state{service="csdl_dkdn",state="open"} 1.0' in metrics
        assert 'ndxp_backend_circuit_refused_total{service="csdl_dkdn"} 1.0' in metrics
        await backend.start()
        assert (await _timed_get(gateway))[0] == 503  # still cooling down: fail fast
        calls_before = backend.calls
        await asyncio.sleep(0.5)
        assert (await _timed_get(gateway))[0] == 200
        assert backend.calls == calls_before + 1
        metrics = (await gateway.client.get("/metrics")).text
    assert 'ndxp_backend_circuit_state{service="csdl_dkdn",state="closed"} 1.0' in metrics
