"""The operator API is part of the gateway: operators only, and the proxy keeps serving without a store."""

from __future__ import annotations

from tests.conftest import CONSUMER, OPERATOR, GatewayHarness, MakeGateway, MakeSettings


async def _lifespan_get(gateway: GatewayHarness, path: str, credentials: tuple[str, str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    api = gateway.app.api
    async with api.router.lifespan_context(api):
        response = await gateway.client.get(path, headers=await gateway.auth(credentials))
        return response.status_code, response.json()


async def test_operators_can_search_and_consumers_cannot(gateway: GatewayHarness) -> None:
    status, body = await _lifespan_get(gateway, "/_ops/exchanges", OPERATOR)
    assert status == 200 and body["items"] == []
    status, body = await _lifespan_get(gateway, "/_ops/exchanges", CONSUMER)
    assert status == 403 and body["type"] == "Client.AccessDenied"


async def test_an_unreachable_store_makes_the_ops_api_503_only(
    make_gateway: MakeGateway, make_settings: MakeSettings
) -> None:
    gateway = make_gateway(make_settings(store={"url": "postgresql+asyncpg://nobody:x@127.0.0.1:1/none"}))
    status, body = await _lifespan_get(gateway, "/_ops/exchanges", OPERATOR)
    assert status == 503 and body["type"] == "Server.Gateway.StoreUnavailable"
    status, _ = await _lifespan_get(gateway, "/_meta/allowed", CONSUMER)
    assert status == 200
