"""#21 Vpostcode: every commune's postal code and location, checked across the whole country."""

from __future__ import annotations

import httpx
from mock_helpers import contract_get

from ndxp_sim.core import catalogues
from ndxp_sim.mock_services.vpostcode import postcodes


def test_every_commune_has_its_own_postcode_inside_its_province_ranges() -> None:
    ranges: dict[str, list[tuple[int, int]]] = {}
    for row in catalogues.read_csv("postcode_ranges.csv"):
        ranges.setdefault(row["province_code"], []).append((int(row["first"]), int(row["last"])))
    codes = postcodes()
    assert len(codes) == len(set(codes.values())) == 3_321
    for ward in catalogues.wards():
        number = int(codes[ward.code])
        assert any(first < number <= last for first, last in ranges[ward.province_code]), ward


async def test_a_postcode_and_a_location_lead_back_to_the_commune(client: httpx.AsyncClient) -> None:
    for ward in catalogues.wards("91")[::10]:
        by_code = await contract_get(client, "vpostcode", f"/xa/{ward.code}")
        back = await contract_get(client, "vpostcode", f"/ma-buu-chinh/{by_code['maBuuChinh']}")
        assert back == by_code
        here = await contract_get(client, "vpostcode", "/vi-tri", viDo=str(ward.lat), kinhDo=str(ward.lon))
        assert here["khoangCachKm"] == 0.0
        assert (here["viDo"], here["kinhDo"]) == (ward.lat, ward.lon)


async def test_the_name_search_ignores_case_and_pages_in_code_order(client: httpx.AsyncClient) -> None:
    upper = await contract_get(client, "vpostcode", "/xa", tenXa="LONG", pageSize="100")
    lower = await contract_get(client, "vpostcode", "/xa", tenXa="long", pageSize="100")
    assert upper == lower and upper["total"] > 5
    codes = [item["maXa"] for item in upper["items"]]
    assert codes == sorted(codes)
    assert all(item["tenXa"].split(" ", 1)[1].casefold().startswith("long") for item in upper["items"])


async def test_a_coordinate_that_is_not_a_number_names_the_parameter(client: httpx.AsyncClient) -> None:
    response = await client.get("/vpostcode/vi-tri", params={"viDo": "nan", "kinhDo": "105.4"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "viDo"]
