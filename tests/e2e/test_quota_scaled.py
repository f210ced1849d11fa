"""A consumer's quota is one number across workers and replicas: real gateway processes, real redis-server."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from ndxp_sim.core import identities
from tests.e2e.conftest import Processes
from tests.local_http import free_port
from tests.redis_server import redis_server

pytestmark = pytest.mark.e2e

TIER = 30  # the demo consumer's tier (Gold) set to 30 calls a minute for these tests
CALLS = 44
CONSUMER = ("000.00.00.H91", "demo-secret-H91")
CALL = f"/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn={identities.ENTERPRISE_ACTIVE}"


def _start_gateways(processes: Processes, replicas: int, **env: str) -> list[str]:
    processes.env = {k: v for k, v in processes.env.items() if not k.startswith("NDXP_QUOTA__")}
    processes.env |= {"NDXP_TIERS": f'{{"Gold": {TIER}}}', "NDXP_LOG__ENABLED": "false", **env}
    processes.start("mocks", "mocks", health=f"http://127.0.0.1:{processes.mock_port}/health")
    bases = []
    for replica in range(replicas):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        args = ("gateway", "--workers", "2", "--port", str(port))
        processes.start(f"gateway-{replica}", *args, health=f"{base}/health")
        bases.append(base)
    return bases


async def _call_all(bases: list[str]) -> list[httpx.Response]:
    """CALLS calls, 11 at a time, each on a new connection so that both workers of a replica take some;
    replicas take turns."""
    async with httpx.AsyncClient(timeout=30) as client:
        token = (
            await client.post(f"{bases[0]}/token", data={"grant_type": "client_credentials"}, auth=CONSUMER)
        ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=30, limits=limits, headers=headers) as client:
        responses: list[httpx.Response] = []
        for batch in range(0, CALLS, 11):
            urls = [bases[i % len(bases)] + CALL for i in range(batch, min(CALLS, batch + 11))]
            responses += await asyncio.gather(*(client.get(url) for url in urls))
    return responses


def _assert_exactly_the_tier(responses: list[httpx.Response], window_s: int) -> None:
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == TIER, statuses
    refused = [r for r in responses if r.status_code == 429]
    assert len(refused) == CALLS - TIER, statuses
    for response in refused:
        assert response.json()["type"] == "Client.QuotaExceeded"
        assert 1 <= int(response.headers["retry-after"]) <= window_s


def test_two_replicas_of_two_workers_share_one_quota_through_redis(
    processes: Processes, tmp_path: Path
) -> None:
    with redis_server(tmp_path) as redis:
        bases = _start_gateways(processes, 2, NDXP_QUOTA__BACKEND="redis", NDXP_QUOTA__REDIS_URL=redis.url)
        responses = asyncio.run(_call_all(bases))
        _assert_exactly_the_tier(responses, 60)
        assert {r.url.port for r in responses if r.status_code == 429} == {
            httpx.URL(b).port for b in bases
        }  # both replicas refuse once the shared count is used up
        processes.stop_all()


def test_two_local_workers_share_one_quota_without_redis(processes: Processes) -> None:
    bases = _start_gateways(processes, 1)
    # Local windows are clock minutes: call early in one so that the calls never straddle two.
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)
    assert "workers share their count" in processes.log("gateway-0")
    responses = asyncio.run(_call_all(bases))
    _assert_exactly_the_tier(responses, 60)
