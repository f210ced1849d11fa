"""#18 MOF catalogues: whole-catalogue rules the example cases cannot show."""

from __future__ import annotations

from typing import Any

import httpx
from mock_helpers import contract_get

from tests.contract_checks import response_validator

BASE = "/danh_muc_btc"


async def items(client: httpx.AsyncClient, path: str, **query: str) -> list[dict[str, Any]]:
    return list((await contract_get(client, "danh_muc_btc", path, **query))["items"])


async def test_every_old_province_is_served_by_exactly_one_treasury_before_and_after_2025(
    client: httpx.AsyncClient,
) -> None:
    before = await items(client, "/danh-muc/kho-bac", ngayHieuLuc="2025-02-28")
    after = {unit["ma"]: unit for unit in await items(client, "/danh-muc/kho-bac", ngayHieuLuc="2025-03-01")}
    assert len(before) == 63 and len(after) == 20
    served = [code for unit in after.values() for code in unit["diaBan"]]
    assert sorted(served) == sorted(code for unit in before for code in unit["diaBan"])
    for unit in before:
        assert unit["diaBan"][0] in after[unit["maKBNNMoi"]]["diaBan"], unit


async def test_a_sub_item_belongs_to_the_item_of_its_fifty_block(client: httpx.AsyncClient) -> None:
    """The budget index numbers items in blocks of 50 (2800: 2801–2849); each sub-item names its block."""
    for item in await items(client, "/danh-muc/tieu-muc"):
        assert int(item["maMuc"]) == int(item["ma"]) // 50 * 50, item


async def test_requests_the_gateway_would_refuse_get_the_documented_422(client: httpx.AsyncClient) -> None:
    for path, query in (("/danh-muc/chuong", {"phienBan": "x"}), ("/danh-muc/chuong/thay-doi", {})):
        response = await client.get(BASE + path, params=query)
        assert response.status_code == 422
        response_validator("backends/danh_muc_btc.openapi.yaml", path, "get", "422").validate(response.json())
