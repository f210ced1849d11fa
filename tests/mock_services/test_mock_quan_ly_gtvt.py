"""The transport-management mock (quan_ly_gtvt): dossiers consistent with the shared population."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from ndxp_sim.core import identities as ids
from ndxp_sim.mock_services.quan_ly_gtvt import FIRST_DAY, POLICE_LICENSING, PROVINCE, SNAPSHOT, dossiers


def test_every_dossier_is_about_a_resident_and_what_they_hold(mock_app: FastAPI) -> None:
    population = mock_app.state.mocks.population
    every, _, _ = dossiers(population)
    assert len({d.ma_ho_so for d in every}) == len(every) > 3
    for dossier in every:
        applicant = population.citizen(dossier.applicant.so_dinh_danh)
        assert applicant is not None and applicant.thuong_tru.province_code == PROVINCE
        assert FIRST_DAY <= dossier.received <= SNAPSHOT and dossier.received.weekday() < 5
        if dossier.vehicle:
            assert dossier.vehicle in population.vehicles_of(applicant.so_dinh_danh)
            assert dossier.procedure.concerns == "PHUONG_TIEN"
        if dossier.licence:
            assert dossier.licence in population.licences_of(applicant.so_dinh_danh)
            assert dossier.received < POLICE_LICENSING  # licences went to the police on 1 March 2025
        if (SNAPSHOT - dossier.received).days > 30:
            assert dossier.status in ("3", "10"), dossier.ma_ho_so


async def test_paging_walks_every_dossier_once_newest_first(client: httpx.AsyncClient) -> None:
    seen, page = [], 1
    while True:
        body = (await client.get("/quan_ly_gtvt/ho-so", params={"page": page, "pageSize": 7})).json()
        if not body["items"]:
            break
        seen += [(item["NgayTiepNhan"], item["MaHoSo"]) for item in body["items"]]
        page += 1
    assert len(seen) == len(set(seen)) == body["total"]
    assert [day for day, _ in seen] == sorted((day for day, _ in seen), reverse=True)


async def test_the_applicant_filter_uses_the_number_rules(client: httpx.AsyncClient) -> None:
    mine = await client.get("/quan_ly_gtvt/ho-so", params={"soDinhDanh": ids.COUPLE_HUSBAND})
    assert [item["MaTTHC"] for item in mine.json()["items"]] == ["GT06"]
    wrong = await client.get("/quan_ly_gtvt/ho-so", params={"soDinhDanh": "999085012345"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["query", "soDinhDanh"]
