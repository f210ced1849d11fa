"""#13 shared e-catalogues: what the cases cannot show — whole-catalogue consistency of the real data."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mock_helpers import contract_get

from ndxp_sim.core import catalogues
from tests.contract_checks import response_validator

BASE = "/danh_muc_dung_chung"


async def items(client: httpx.AsyncClient, path: str, **query: Any) -> list[dict[str, Any]]:
    return list((await contract_get(client, "danh_muc_dung_chung", path, **query))["items"])


async def test_every_legacy_commune_closes_into_a_ward_valid_from_the_reorganisation(
    client: httpx.AsyncClient,
) -> None:
    before = await items(client, "/danh-muc/xa-phuong", ngayHieuLuc="2025-06-30")
    after = {
        item["ma"]: item for item in await items(client, "/danh-muc/xa-phuong", ngayHieuLuc="2025-07-01")
    }
    assert len(before) == len(catalogues.legacy_wards()) == 10_035
    assert len(after) == 3_321
    for commune in before:
        assert commune["hieuLucDen"] == "2025-07-01", commune
        assert commune["maXaMoi"] in after, commune
        assert commune["maQuanHuyen"] is not None


async def test_a_day_before_2025_sees_the_63_provinces_and_every_one_points_to_one_of_the_34(
    client: httpx.AsyncClient,
) -> None:
    old = await items(client, "/danh-muc/tinh", ngayHieuLuc="2020-01-01")
    new = {item["ma"] for item in await items(client, "/danh-muc/tinh", ngayHieuLuc="2026-01-01")}
    assert len(old) == 63 and len(new) == 34
    assert {item["maTinhMoi"] for item in old} == new


async def test_the_old_version_download_is_what_a_consumer_had_before_the_changes(
    client: httpx.AsyncClient,
) -> None:
    """Version 1 plus the changes since version 1 is the latest version: a consumer can sync incrementally."""
    held = {item["ma"]: item for item in await items(client, "/danh-muc/tinh", phienBan=1)}
    changes = await items(client, "/danh-muc/tinh/thay-doi", tuPhienBan=1)
    for key in {item["ma"] for item in changes}:
        held.pop(key)
    synced = sorted([*held.values(), *changes], key=lambda item: (item["ma"], item["hieuLucTu"]))
    assert synced == await items(client, "/danh-muc/tinh")


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/danh-muc/dan-toc", {"phienBan": "0"}),
        ("/danh-muc/ton-giao", {"ngayHieuLuc": "30/06/2025"}),
        ("/danh-muc/quoc-gia/thay-doi", {}),
    ],
)
async def test_requests_the_gateway_would_refuse_get_the_documented_422(
    client: httpx.AsyncClient, path: str, query: dict[str, str]
) -> None:
    response = await client.get(BASE + path, params=query)
    assert response.status_code == 422
    response_validator("backends/danh_muc_dung_chung.openapi.yaml", path, "get", "422").validate(
        response.json()
    )


async def test_the_conversion_refuses_a_code_that_is_not_five_digits(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/chuyen-doi/3028x")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "maXaCu"]


def test_countries_are_the_iso_list_with_vietnamese_names() -> None:
    by_code = {country.alpha_2: country for country in catalogues.countries()}
    assert len(by_code) == 249
    assert (by_code["VN"].alpha_3, by_code["VN"].numeric, by_code["VN"].name_vi) == ("VNM", "704", "Việt Nam")
    assert by_code["CN"].name_vi == "Trung Quốc"
