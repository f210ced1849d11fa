"""POST /token under a flood of wrong secrets: throttled, isolated, and silent about which ids exist."""

from __future__ import annotations

import asyncio
import hashlib
import time

import httpx
import pytest

from ndxp_sim.core.errors import QuotaExceededError
from ndxp_sim.gateway.token_throttle import TokenThrottle
from tests.conftest import CONSUMER, GatewayHarness, MakeGateway, MakeSettings

FORM = {"grant_type": "client_credentials"}


@pytest.fixture
def gateway(gateway: GatewayHarness) -> GatewayHarness:
    """The gateway with its /token throttle on a clock stopped mid-window: the windows are fixed minutes,
    so a run that crossed a minute's end would start counting again (the reopening has its own test)."""
    gateway.app.api.state.token_throttle = TokenThrottle(clock=lambda: 30.0)
    return gateway


def _from(gateway: GatewayHarness, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=gateway.app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://gateway")


async def test_wrong_secrets_for_one_client_id_are_throttled_with_retry_after(
    gateway: GatewayHarness,
) -> None:
    """Ten wrong secrets for one client id within a minute, from ten addresses, then the right one → 429
    Client.QuotaExceeded with Retry-After, before any hashing."""
    for n in range(10):
        async with _from(gateway, f"10.0.0.{n}") as client:
            wrong = await client.post("/token", data=FORM, auth=(CONSUMER[0], "wrong"))
            assert wrong.status_code == 401
    async with _from(gateway, "10.0.1.1") as client:
        throttled = await client.post("/token", data=FORM, auth=CONSUMER)
    assert throttled.status_code == 429 and throttled.json()["type"] == "Client.QuotaExceeded"
    assert int(throttled.headers["retry-after"]) == 30  # until the window's end


async def test_one_address_is_throttled_whatever_ids_it_tries(gateway: GatewayHarness) -> None:
    """Sixty token requests a minute from one address spraying made-up ids → the next is 429; another address
    still gets its token."""
    async with _from(gateway, "10.9.9.9") as sprayer:
        answers: list[httpx.Response] = []
        for batch in range(4):  # in batches: more at once would be told the token service is busy
            ids = (f"000.00.00.X{batch}{n:02d}" for n in range(15))
            answers += await asyncio.gather(*(sprayer.post("/token", data=FORM, auth=(i, "x")) for i in ids))
        assert {answer.status_code for answer in answers} == {401}
        assert (await sprayer.post("/token", data=FORM, auth=CONSUMER)).status_code == 429
    async with _from(gateway, "10.0.0.1") as other:
        assert (await other.post("/token", data=FORM, auth=CONSUMER)).status_code == 200


async def test_a_flood_of_wrong_secrets_does_not_starve_other_blocking_work(
    make_gateway: MakeGateway, make_settings: MakeSettings
) -> None:
    """64 wrong-secret token requests at once → the default thread pool (every other blocking call) stays
    free: a job on it starts within 250 ms; the excess is told to retry (429)."""
    gateway = make_gateway(make_settings())
    clients = [_from(gateway, f"10.1.{n // 250}.{n % 250}") for n in range(64)]
    flood = asyncio.gather(*(c.post("/token", data=FORM, auth=(CONSUMER[0] + "x", "wrong")) for c in clients))
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    await asyncio.to_thread(lambda: None)
    waited = time.perf_counter() - started
    answers = await flood
    for client in clients:
        await client.aclose()
    assert waited < 0.25
    assert {answer.status_code for answer in answers} <= {401, 429}


async def test_unknown_and_known_client_ids_cost_the_same_hashing(
    gateway: GatewayHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrong secret for an existing id and any secret for an unknown id → each costs exactly one PBKDF2
    check of the same iteration count, same message: time does not tell which ids exist."""
    await gateway.client.post("/token", data=FORM, auth=("000.00.00.X98", "warm-up"))  # builds the dummy
    checks: list[int] = []
    real = hashlib.pbkdf2_hmac

    def counting(name: str, secret: bytes, salt: bytes, iterations: int) -> bytes:
        checks.append(iterations)
        return real(name, secret, salt, iterations)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counting)
    known = await gateway.client.post("/token", data=FORM, auth=(CONSUMER[0], "wrong"))
    unknown = await gateway.client.post("/token", data=FORM, auth=("000.00.00.X99", "wrong"))
    assert (known.status_code, unknown.status_code) == (401, 401)
    assert known.json()["message"] == unknown.json()["message"]
    assert checks == [100_000, 100_000]


def test_throttle_windows_reopen_after_a_minute() -> None:
    """A throttled address one minute later → may try again (one-minute windows)."""
    now = [0.0]
    throttle = TokenThrottle(per_address=2, failures_per_client=1, clock=lambda: now[0])
    throttle.admit("a", "1.2.3.4")
    throttle.admit("a", "1.2.3.4")
    with pytest.raises(QuotaExceededError):
        throttle.admit("a", "1.2.3.4")
    now[0] = 61.0
    throttle.admit("a", "1.2.3.4")
