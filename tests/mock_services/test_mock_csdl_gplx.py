"""The driving-licence mock (csdl_gplx) over generated holders: classes, validity and status agree."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from ndxp_sim.core.identifiers import LICENCE_CLASSES
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.people import dmy
from ndxp_sim.mock_services.population import Population
from ndxp_sim.mock_services.population.dates import add_years


async def test_every_generated_holders_licences_are_listed_and_found_by_number(
    client: httpx.AsyncClient, mock_app: FastAPI
) -> None:
    population: Population = mock_app.state.mocks.population
    holders = [
        person
        for person in population.citizens.values()
        if person.so_dinh_danh not in population.fixed_assets.people
        and population.licences_of(person.so_dinh_danh)
    ]
    assert len(holders) > 10
    today = now_vn().date()
    for person in holders[:40]:
        listing = (await client.get(f"/csdl_gplx/cong-dan/{person.so_dinh_danh}/gplx")).json()
        assert listing["ngaySinh"] == dmy(person.ngay_sinh)
        expected = sorted(licence.so_gplx for licence in population.licences_of(person.so_dinh_danh))
        assert [card["soGplx"] for card in listing["gplxDaCap"]] == expected
        for card in listing["gplxDaCap"]:
            single = (await client.get(f"/csdl_gplx/gplx/{card['soGplx']}")).json()
            assert single == {"soDinhDanh": person.so_dinh_danh, "hoTen": person.ho_va_ten, **card} | {
                "ngaySinh": dmy(person.ngay_sinh)
            }
            years = LICENCE_CLASSES[card["hangGplx"]][1]
            issued = population.licence(card["soGplx"])
            assert issued is not None
            assert issued.ngay_cap >= add_years(person.ngay_sinh, LICENCE_CLASSES[card["hangGplx"]][0])
            assert card["ngayHetHanGplx"] == (dmy(add_years(issued.ngay_cap, years)) if years else None)
            usable = card["trangThai"] == "Còn hiệu lực" and card["soDiemConLai"] > 0
            usable = usable and (issued.ngay_het_han is None or issued.ngay_het_han >= today)
            assert card["conHieuLuc"] is usable
