"""Death registration (khai tử): reviewed as an official would; once done the person is dead everywhere."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from mock_helpers import ENVELOPE, changed, eventually, soap_call

from ndxp_sim.core import identities as ids
from ndxp_sim.mock_services.dossier_checks import IN_POPULATION, REGISTRY

DEATH: dict[str, Any] = {
    "maDonVi": "000.00.00.H91",
    "maTinh": "91",
    "maTTHC": "1.000656.000.00.00.H01",
    "maHoSo": "H01.30301-251105-0001",
    "ngayTiepNhan": "2025-11-05 09:00:00",
    "hoTich": {
        "maGBT": "GBT-91-2025-000045",
        "nktHoTen": "Lê Văn Cường",
        "nktSoDDCN": ids.COUPLE_HUSBAND,
        "nktNgayChet": "2025-11-04",
        "nktGioPhutChet": "14:30",
        "nktNoiChet": {"maTinh": "91", "maXa": "30301", "dcChiTiet": "Tổ 7, khóm Đông Thịnh"},
        "nktNguyenNhanChet": "Bệnh",
        "nycHoTen": "Phạm Thị Dung",
        "nycSoDDCN": ids.COUPLE_WIFE,
        "nycQuanHe": "Vợ",
    },
}


def death(**changes: Any) -> dict[str, Any]:
    """The sample death dossier with top-level or hoTich fields changed (None removes a field)."""
    return changed(DEATH, ("hoTich",), ENVELOPE, **changes)


async def _until(client: httpx.AsyncClient, ma_ho_so: str, *states: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def reached() -> bool:
        found.update((await client.get(f"/ho_tich/ho-so/{ma_ho_so}")).json()["value"])
        return found["trangThai"] in states

    await eventually(reached)
    return found


async def _outcome(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/ho_tich/khai-tu", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["value"]["trangThai"] == "received"
    return await _until(client, body["maHoSo"], "rejected", "done")


async def test_a_registered_death_is_seen_by_every_service_reading_the_population(
    client: httpx.AsyncClient, mock_app: FastAPI
) -> None:
    done = await _outcome(client, DEATH)
    assert done["trangThai"] == "done"
    assert [step["trangThai"] for step in done["lichSu"]] == ["received", "processing", "done"]
    result = done["ketQuaXuLy"]
    assert (result["soDinhDanh"], result["ngayChet"]) == (ids.COUPLE_HUSBAND, "2025-11-04")
    assert result["maGiayToKetQua"].startswith("KT-91-")

    _, _, body = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=ids.COUPLE_HUSBAND)
    person = body["CongdanCollection"]["CongDan"]
    assert (person["TrangThai"], person["NgayMat"]) == ("Đã chết", "20251104")
    _, _, body = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=ids.COUPLE_WIFE)
    assert body["CongdanCollection"]["CongDan"]["TinhTrangHonNhan"] == "Góa"

    card = await client.post(
        "/csdl_bao_hiem/the-bhyt/kiem-tra",
        json={
            "maThe": ids.BHYT_CARD_SERVANT,
            "hoTen": "Lê Văn Cường",
            "ngaySinh": "02/07/1988",
            "hoTenCb": "Trần Thị Bé",
            "cccdCb": ids.CITIZEN_EXISTS,
        },
    )
    assert (card.json()["maKetQua"], card.json()["gtTheDen"]) == ("120", "04/11/2025")  # withdrawn at death

    # Registered dead, he cannot die twice, whatever the dossier code.
    again = await _outcome(client, death(maHoSo="H01.30301-251105-0002"))
    assert again["trangThai"] == "rejected"


REFUSALS = [
    pytest.param(
        {"nktSoDDCN": ids.CITIZEN_MISSING},
        f"Không tìm thấy người chết có số định danh cá nhân {ids.CITIZEN_MISSING} {IN_POPULATION}",
        id="deceased-not-in-the-register",
    ),
    pytest.param(
        {"nktHoTen": "Lê Văn Cương"},
        "Họ tên của người chết không khớp với thông tin của số định danh cá nhân 089088012347",
        id="deceased-name-not-his-number",
    ),
    pytest.param(
        {"nktSoDDCN": ids.CITIZEN_DECEASED, "nktHoTen": "Trần Văn Bình"},
        "Công dân (số định danh 089045012346) đã được ghi nhận là đã chết (ngày chết 10/08/2023)",
        id="already-dead",
    ),
    pytest.param(
        {"nktNgayChet": "1980-01-01"},
        "Ngày chết (01/01/1980) trước ngày sinh của người chết (02/07/1988)",
        id="death-before-birth",
    ),
    pytest.param(
        {"nktNgayChet": "2099-01-01"},
        "Ngày chết (01/01/2099) sau ngày hiện tại",
        id="death-in-the-future",
    ),
    pytest.param(
        {"nktNoiChet": {"maTinh": "91", "maXa": "30280"}},
        "Nơi chết: mã xã 30280 (Phường Mỹ Bình) là đơn vị hành chính trước sắp xếp 01/07/2025",
        id="place-is-a-pre-2025-commune",
    ),
    pytest.param(
        {"nycSoDDCN": ids.COUPLE_HUSBAND, "nycHoTen": "Lê Văn Cường"},
        "Người yêu cầu đăng ký khai tử không thể là người chết",
        id="requester-is-the-deceased",
    ),
    pytest.param(
        {"nycSoDDCN": ids.COUPLE_CHILD, "nycHoTen": "Lê Ngọc Hân", "nycQuanHe": "Con"},
        "Người yêu cầu đăng ký khai tử chưa đủ 18 tuổi",
        id="requester-is-a-child",
    ),
    pytest.param(
        {"nycSoDDCN": ids.CITIZEN_DECEASED, "nycHoTen": "Trần Văn Bình"},
        f"Người yêu cầu (số định danh cá nhân 089045012346) đã chết theo {REGISTRY}",
        id="requester-is-dead",
    ),
    pytest.param(
        {"nycHoTen": "Phạm Thị Dũng"},
        "Họ tên của người yêu cầu không khớp với thông tin của số định danh cá nhân 091191012348",
        id="requester-name-not-her-number",
    ),
]


@pytest.mark.parametrize(("changes", "reason"), REFUSALS)
async def test_an_implausible_death_is_refused_with_the_reason(
    client: httpx.AsyncClient, mock_app: FastAPI, changes: dict[str, Any], reason: str
) -> None:
    refused = await _outcome(client, death(**changes))
    assert refused["trangThai"] == "rejected"
    assert refused["lichSu"][-1]["noiDungXuLy"].startswith(reason), refused["lichSu"][-1]["noiDungXuLy"]
    assert "ketQuaXuLy" not in refused
    assert not mock_app.state.mocks.population.citizens[ids.COUPLE_HUSBAND].da_mat


async def test_the_same_death_declared_twice_is_registered_once(client: httpx.AsyncClient) -> None:
    second = death(maHoSo="H01.30301-251105-0003", nycHoTen="Lê Ngọc Hân", nycSoDDCN=ids.COUPLE_CHILD)
    await client.post("/ho_tich/khai-tu", json=death(maGBT=None))  # waits for its death notice
    await _until(client, DEATH["maHoSo"], "supplement_requested")
    refused = await _outcome(client, second)
    assert refused["lichSu"][-1]["noiDungXuLy"] == (
        "Người chết đã có hồ sơ đăng ký khai tử khác đang giải quyết hoặc đã giải quyết "
        f"(mã hồ sơ {DEATH['maHoSo']})"
    )


async def test_a_death_without_its_notice_waits_for_it(client: httpx.AsyncClient, mock_app: FastAPI) -> None:
    await client.post("/ho_tich/khai-tu", json=death(maGBT=None))
    waiting = await _until(client, DEATH["maHoSo"], "supplement_requested")
    assert "maGBT" in waiting["lichSu"][-1]["noiDungXuLy"]
    assert not mock_app.state.mocks.population.citizens[ids.COUPLE_HUSBAND].da_mat
    supplied = await client.post(f"/ho_tich/ho-so/{DEATH['maHoSo']}/bo-sung", json={"maGBT": "GBT-1"})
    assert supplied.status_code == 200
    assert (await _until(client, DEATH["maHoSo"], "done"))["trangThai"] == "done"
    assert mock_app.state.mocks.population.citizens[ids.COUPLE_HUSBAND].da_mat


async def test_reset_brings_the_dead_back(client: httpx.AsyncClient, mock_app: FastAPI) -> None:
    await _outcome(client, DEATH)
    await client.post("/_admin/reset")
    assert not mock_app.state.mocks.population.citizens[ids.COUPLE_HUSBAND].da_mat


@pytest.mark.parametrize(
    "body",
    [death(nktSoDDCN="123"), death(nktNgayChet="04/11/2025"), death(nktNoiChet=None), death(nycSoDDCN=None)],
)
async def test_invalid_death_submission_is_422(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await client.post("/ho_tich/khai-tu", json=body)
    assert response.status_code == 422
    assert (response.json()["status"], response.json()["error"]) == (0, "validation_error")
