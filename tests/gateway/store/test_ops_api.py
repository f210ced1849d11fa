"""The ops API: operators only, filters and cursors over HTTP, bodies only on the single-exchange endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.auth import TokenService
from ndxp_sim.gateway.store import Store, iso_utc
from tests.gateway.store.ops_app import build_app
from tests.gateway.store.store_samples import T0, RecordFactory

OPERATOR, CONSUMER = "ops.ndxp-sim", "000.00.00.H91"


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
async def client(settings: Settings, store: Store) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(settings, lambda: store)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://gateway") as client:
        yield client


def bearer(settings: Settings, consumer_id: str) -> dict[str, str]:
    consumer = settings.consumer(consumer_id)
    assert consumer is not None
    token = TokenService(settings).issue(consumer)["access_token"]
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def operator(settings: Settings) -> dict[str, str]:
    return bearer(settings, OPERATOR)


@pytest.mark.parametrize(
    "path", ["/_ops/exchanges", "/_ops/exchanges/x", "/_ops/trace?ma_ho_so=x", "/_ops/stats"]
)
async def test_every_route_needs_a_valid_token(client: httpx.AsyncClient, path: str) -> None:
    for headers in ({}, {"authorization": "Bearer not-a-token"}):
        response = await client.get(path, headers=headers)

        assert response.status_code == 401
        assert response.json()["type"] == "Client.Unauthorized"
        assert set(response.json()) == {"type", "message", "detail"}


async def test_a_consumer_without_the_operator_role_is_forbidden(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    response = await client.get("/_ops/exchanges", headers=bearer(settings, CONSUMER))

    assert response.status_code == 403
    assert response.json()["type"] == "Client.AccessDenied"


async def test_operator_searches_with_filters_and_pages_with_cursors(
    client: httpx.AsyncClient, store: Store, operator: dict[str, str], make_record: RecordFactory
) -> None:
    records = [make_record(service_key="csdl_dkdn" if i % 2 else "csdl_dan_cu") for i in range(7)]
    await store.upsert_many(records)

    params = {"service": "csdl_dkdn", "from": iso_utc(T0), "limit": 2}
    first = (await client.get("/_ops/exchanges", params=params, headers=operator)).json()
    second = (
        await client.get(
            "/_ops/exchanges", params={**params, "cursor": first["next_cursor"]}, headers=operator
        )
    ).json()

    expected = [r["exchange_id"] for r in reversed(records) if r["service_key"] == "csdl_dkdn"]
    assert [i["exchange_id"] for i in first["items"] + second["items"]] == expected[:4]
    assert "request_body" not in first["items"][0]


async def test_operator_finds_exchanges_by_ngsp_routing_headers(
    client: httpx.AsyncClient, store: Store, operator: dict[str, str], make_record: RecordFactory
) -> None:
    """?sender_code=, ?receiver_code=, ?tran_code= → only the exchanges that carried those headers."""
    tagged = make_record(sender_code="000.00.00.H92", receiver_code="000.00.00.G01", tran_code="TRA_CUU_DN")
    await store.upsert_many([make_record(), tagged, make_record()])
    for name, value in (
        ("sender_code", "000.00.00.H92"),
        ("receiver_code", "000.00.00.G01"),
        ("tran_code", "TRA_CUU_DN"),
    ):
        found = (await client.get("/_ops/exchanges", params={name: value}, headers=operator)).json()["items"]
        assert [item["exchange_id"] for item in found] == [tagged["exchange_id"]]
        assert found[0][name] == value


async def test_search_rejects_bad_parameters_with_422(
    client: httpx.AsyncClient, operator: dict[str, str]
) -> None:
    bad_cursor = await client.get("/_ops/exchanges", params={"cursor": "nope"}, headers=operator)
    too_many = await client.get("/_ops/exchanges", params={"limit": 501}, headers=operator)

    assert bad_cursor.status_code == 422 and bad_cursor.json()["type"] == "Client.InvalidRequest"
    assert too_many.status_code == 422


async def test_one_exchange_comes_with_its_bodies(
    client: httpx.AsyncClient, store: Store, operator: dict[str, str], make_record: RecordFactory
) -> None:
    record = make_record()
    await store.upsert_many([record])

    found = await client.get(f"/_ops/exchanges/{record['exchange_id']}", headers=operator)
    missing = await client.get("/_ops/exchanges/no-such-id", headers=operator)

    assert found.json() == record
    assert missing.status_code == 404 and missing.json()["type"] == "Client.NotFound"


async def test_trace_and_stats(
    client: httpx.AsyncClient, store: Store, operator: dict[str, str], make_record: RecordFactory
) -> None:
    chain = [make_record(ma_ho_so="HS-1", duration_ms=d) for d in (30.0, 10.0, 20.0)]
    await store.upsert_many(chain)

    trace = (await client.get("/_ops/trace", params={"ma_ho_so": "HS-1"}, headers=operator)).json()
    window = {"from": iso_utc(T0), "to": iso_utc(T0 + timedelta(hours=1))}
    stats = (await client.get("/_ops/stats", params=window, headers=operator)).json()
    two_keys = await client.get(
        "/_ops/trace", params={"ma_ho_so": "HS-1", "request_id": "r"}, headers=operator
    )

    assert [i["exchange_id"] for i in trace["items"]] == [r["exchange_id"] for r in chain]
    [row] = stats["items"]
    assert (row["service_key"], row["count"], row["p50_ms"], row["error_rate"]) == (
        "csdl_dan_cu",
        3,
        20.0,
        0.0,
    )
    assert two_keys.status_code == 422
