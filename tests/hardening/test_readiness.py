"""`/health/ready` is unauthenticated: it must tell the truth and must not amplify a probe flood."""

from __future__ import annotations

import asyncio

import httpx
import respx

from ndxp_sim.adapters.registry import load_adapters
from ndxp_sim.adapters.upstream import HttpxUpstream
from ndxp_sim.gateway.readiness import BackendReadiness
from tests.conftest import GatewayHarness

MOCKS = "http://127.0.0.1:9100"


@respx.mock
async def test_a_backend_answering_404_on_its_health_path_is_not_ready(gateway: GatewayHarness) -> None:
    """A backend whose /health answers 404 (wrong base URL, not a backend) → reported not ok with the status
    it gave and what was checked; 503 degraded."""
    respx.get(url__regex=rf"{MOCKS}/(?!csdl_dkdn/)\w+/health").respond(json={"status": "ok"})  # all others
    respx.get(f"{MOCKS}/csdl_dkdn/health").respond(404)
    response = await gateway.client.get("/health/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["backend:csdl_dkdn"]["ok"] is False and checks["backend:csdl_dkdn"]["reason"] == "HTTP 404"
    assert checks["backend:csdl_dan_cu"]["ok"] is True
    assert "HTTP 200" in checks["backend:csdl_dan_cu"]["checked"]


async def test_the_real_mock_backends_are_ready(stack: GatewayHarness) -> None:
    """Readiness against the real mock app → every implemented backend answers its /health with 200: ready."""
    response = await stack.client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"


@respx.mock
async def test_a_probe_flood_reaches_each_backend_once_per_cache_period(gateway: GatewayHarness) -> None:
    """200 unauthenticated readiness probes within the cache period (100 at once, 100 in a row) → one health
    call per backend, not 200."""
    routes = [
        respx.get(f"{MOCKS}/{key}/health").respond(json={"status": "ok"})
        for key in load_adapters()  # every implemented service
    ]
    answers = await asyncio.gather(*(gateway.client.get("/health/ready") for _ in range(100)))
    for _ in range(100):
        answers.append(await gateway.client.get("/health/ready"))
    assert {answer.status_code for answer in answers} == {200}
    assert [route.call_count for route in routes] == [1] * len(routes)


@respx.mock
async def test_backends_are_checked_again_once_the_cache_period_is_over() -> None:
    """A backend goes down; probes before and after the cache period → the cached answer first, then the new
    state."""
    route = respx.get(f"{MOCKS}/csdl_dkdn/health").respond(200)
    async with httpx.AsyncClient() as client:
        backends = BackendReadiness(HttpxUpstream(client), {"csdl_dkdn": f"{MOCKS}/csdl_dkdn"}, cache_s=0.05)
        assert (await backends.checks())["backend:csdl_dkdn"]["ok"]
        route.respond(503)
        assert (await backends.checks())["backend:csdl_dkdn"]["ok"]  # still the cached answer
        await asyncio.sleep(0.06)
        assert not (await backends.checks())["backend:csdl_dkdn"]["ok"]
    assert route.call_count == 2
