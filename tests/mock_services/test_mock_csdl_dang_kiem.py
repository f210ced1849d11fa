"""The inspection mock (csdl_dang_kiem) over generated vehicles: plates, load and certificate validity."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

import httpx
from fastapi import FastAPI

from ndxp_sim.core import catalogues
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.population import Population


async def test_generated_vehicles_answer_as_the_population_holds_them(
    client: httpx.AsyncClient, mock_app: FastAPI
) -> None:
    population: Population = mock_app.state.mocks.population
    today = now_vn().date()
    owners = {
        plate: owner
        for owner, plates in population.vehicle_registry.vehicles_by_owner.items()
        for plate in plates
    }
    answered = {"Ô tô con": 0, "Ô tô tải": 0, "Xe mô tô": 0}
    for plate, owner in sorted(owners.items()):
        vehicle = population.vehicle(plate)
        assert vehicle is not None
        response = await client.get(f"/csdl_dang_kiem/phuong-tien/{quote(plate, safe='')}")
        answered[vehicle.loai_xe] += 1
        if vehicle.loai_xe == "Xe mô tô":
            assert response.status_code == 404
            continue
        body = response.json()
        assert (body["BienSo"], body["SoKhung"], body["NhanHieu"]) == (
            plate,
            vehicle.so_khung,
            vehicle.nhan_hieu,
        )
        assert (body["TaiTrong"] > 0) is (vehicle.loai_xe == "Ô tô tải")
        certificate = body["GiayChungNhan"]
        until = datetime.strptime(certificate["HanKiemDinh"], "%d/%m/%Y").date()
        assert certificate["ConHieuLuc"] is (until >= today)
        assert certificate["MaDonViDangKiem"].startswith(plate[:2] + "-")  # a station of the plate's locality
        # Plates are issued where the owner lives: the locality is one of the owner's (old) province's codes.
        person = population.citizen(owner)
        ward = catalogues.ward(person.thuong_tru.ward_code) if person else None
        assert ward is not None
        assert plate[:2] in catalogues.plate_codes(ward.old_province_code)
    assert all(answered.values()), answered
