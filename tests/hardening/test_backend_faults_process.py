"""Backend faults seen by a real gateway process: the circuit breaker and no pile-up of upstream sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ndxp_sim.core import identities
from tests.conftest import CONSUMER
from tests.e2e.conftest import Processes
from tests.hardening.fault_backend import fault_backend, open_connections_to

DKDN = f"/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn={identities.ENTERPRISE_ACTIVE}"
OPEN = 'ndxp_backend_circuit_state{service="csdl_dkdn",state="open"} 1.0'
CLOSED = 'ndxp_backend_circuit_state{service="csdl_dkdn",state="closed"} 1.0'


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    parts = Processes(tmp_path)
    yield parts
    parts.stop_all()


async def test_a_gateway_process_opens_the_circuit_recovers_and_leaves_no_sockets_behind(
    processes: Processes,
) -> None:
    """A real gateway process, csdl_dkdn's backend down (port refusing), breaker 3 failures / 1 s: 3 calls →
    503; the 4th → 503 'circuit open' and /metrics shows it open; the backend comes back → after the cool-down
    a call is 200 and the circuit closed; then 10 concurrent calls to the stalling backend → 504 within the
    0.5 s timeout plus 1 s, and the process holds no socket to the backend afterwards."""
    async with fault_backend(listening=False) as backend:
        processes.env.update(
            {
                "NDXP_SERVICES__CSDL_DKDN__BASE_URL": backend.base_url,
                "NDXP_SERVICES__CSDL_DKDN__TIMEOUT_S": "0.5",
                "NDXP_SERVICES__CSDL_DKDN__RETRIES": "0",
                "NDXP_SERVICES__CSDL_DKDN__BREAKER_FAILURES": "3",
                "NDXP_SERVICES__CSDL_DKDN__BREAKER_COOLDOWN_S": "1",
            }
        )
        gateway = await asyncio.to_thread(processes.start, "gateway", "gateway", health="/health")
        async with httpx.AsyncClient(base_url=processes.base_url, timeout=10) as client:
            token = await client.post("/token", data={"grant_type": "client_credentials"}, auth=CONSUMER)
            headers = {"authorization": f"Bearer {token.json()['access_token']}"}
            down = [await client.get(DKDN, headers=headers) for _ in range(4)]
            assert [answer.status_code for answer in down] == [503] * 4
            assert "circuit open" not in down[2].json()["message"]
            assert "circuit open" in down[3].json()["message"]
            assert OPEN in (await client.get("/metrics")).text

            await backend.start()
            await asyncio.sleep(1.1)
            assert (await client.get(DKDN, headers=headers)).status_code == 200
            assert CLOSED in (await client.get("/metrics")).text

            backend.set("slow")
            answers = await asyncio.wait_for(
                asyncio.gather(*(client.get(DKDN, headers=headers) for _ in range(10))), 1.5
            )
            assert {answer.json()["type"] for answer in answers} == {"Server.Backend.Timeout"}
            await asyncio.sleep(0.2)
            assert open_connections_to(gateway.pid, backend.port) == 0
