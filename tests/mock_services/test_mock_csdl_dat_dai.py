"""#4 National land DB: parcels agree with the population, wards page completely, logs keep no owner."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from mock_helpers import contract_get

from ndxp_sim.core import identities as ids
from ndxp_sim.gateway.logpipe.masking import Masker, subject_hash
from ndxp_sim.mock_services.population import Population

SERVICE = "csdl_dat_dai"


def population(app: FastAPI) -> Population:
    found: Population = app.state.mocks.population
    return found


async def test_a_holders_parcels_are_found_by_key_and_by_certificate_alike(
    mock_app: FastAPI, client: httpx.AsyncClient
) -> None:
    people = population(mock_app)
    holders = [number for number in people.citizens if people.parcels_of(number)][:20]
    assert holders
    for number in holders:
        for parcel in people.parcels_of(number):
            path = f"/thua-dat/{parcel.ma_xa}/{parcel.so_to}/{parcel.so_thua}"
            by_key = await contract_get(client, SERVICE, path)
            by_serial = await contract_get(client, SERVICE, f"/giay-chung-nhan/{parcel.so_phat_hanh}")
            assert by_key == by_serial
            assert number in [holder["SoDinhDanh"] for holder in by_key["ChuSuDung"]]
            person = people.citizen(number)
            assert person is not None
            assert {
                "HoTen": person.ho_va_ten,
                "SoDinhDanh": number,
                "NgaySinh": person.ngay_sinh.isoformat(),
            } in (by_key["ChuSuDung"])


async def test_the_parcels_of_a_ward_page_through_each_parcel_once_in_order(
    mock_app: FastAPI, client: httpx.AsyncClient
) -> None:
    wards: dict[str, int] = {}
    for ward, _, _ in population(mock_app).land_registry.parcels:
        wards[ward] = wards.get(ward, 0) + 1
    ward = max(wards, key=lambda code: wards[code])
    seen: list[Any] = []
    for page in range(1, wards[ward] // 2 + 3):
        body = await contract_get(client, SERVICE, "/thua-dat", maXa=ward, page=str(page), pageSize="2")
        assert body["total"] == wards[ward]
        seen += [(item["SoHieuBanDo"], item["SoThuTuThua"]) for item in body["items"]]
    assert seen == sorted(set(seen)) and len(seen) == wards[ward] > 1


async def test_the_exchange_record_keeps_no_owner_or_certificate_in_clear(client: httpx.AsyncClient) -> None:
    """What the gateway logs of a land answer and query: masked, with the holder's subject hash kept."""
    answer = await client.get(f"/{SERVICE}/giay-chung-nhan/{ids.CERTIFICATE_EXISTS}")
    masker, subjects = Masker("test-subject-key"), set[str]()
    logged = masker.mask_body(answer.content, "application/json", subjects)
    logged += masker.mask_query(f"soPhatHanh={ids.CERTIFICATE_EXISTS.replace(' ', '+')}", subjects)
    for secret in (ids.CERTIFICATE_EXISTS, "123456", ids.CITIZEN_EXISTS, "Nguyễn Văn An", "1985-03-15"):
        assert secret not in logged, secret
    assert subject_hash(ids.CITIZEN_EXISTS, "test-subject-key") in subjects
    assert "30307-12-345" in logged  # the parcel key is a place, not a person
