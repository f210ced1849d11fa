"""Monthly social allowances (pattern D): review against the population, the amount from the base level."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from mock_helpers import CallbackReceiver, changed, eventually

from ndxp_sim.core import catalogues
from ndxp_sim.core import identities as ids
from ndxp_sim.core.model import Citizen
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.population.dates import age_on
from tests.contract_checks import response_validator

BASE = "/tro_giup_xa_hoi"
CODE = "000.00.30.H91-251103-0001"
REQUEST: dict[str, Any] = {
    "maDonVi": "30307",
    "maTinh": "91",
    "maXa": "30307",
    "maHoSo": CODE,
    "ngayTiepNhan": "2025-11-03",
    "doiTuong": {
        "hoTen": "Nguyễn Văn An",
        "soDinhDanh": ids.CITIZEN_EXISTS,
        "ngaySinh": "1985-03-15",
        "gioiTinh": "Nam",
        "danToc": "01",
        "loaiDoiTuong": "NKT_NANG",
        "soGiayXacNhanKhuyetTat": "XNKT-30307-2025-0012",
    },
}


def request(**changes: Any) -> dict[str, Any]:
    """The sample dossier with top-level or doiTuong fields changed (None removes a field)."""
    return changed(REQUEST, ("doiTuong",), REQUEST.keys(), **changes)


def for_person(person: Citizen, category: str, **changes: Any) -> dict[str, Any]:
    ward = catalogues.ward(person.noi_o_hien_tai.ward_code)
    assert ward is not None
    return request(
        maXa=ward.code,
        maTinh=ward.province_code,
        hoTen=person.ho_va_ten,
        soDinhDanh=person.so_dinh_danh,
        ngaySinh=person.ngay_sinh.isoformat(),
        gioiTinh=person.gioi_tinh,
        danToc=person.dan_toc,
        loaiDoiTuong=category,
        **changes,
    )


def someone(mock_app: FastAPI, fits: Callable[[Citizen, int], bool]) -> Citizen:
    """The first living person (by number) of the generated population who fits."""
    today = now_vn().date()
    population = mock_app.state.mocks.population
    people = sorted(population.citizens.values(), key=lambda person: person.so_dinh_danh)
    return next(p for p in people if not p.da_mat and fits(p, age_on(p.ngay_sinh, today)))


async def state(client: httpx.AsyncClient, code: str = CODE) -> dict[str, Any]:
    response = await client.get(f"{BASE}/ho-so/{code}")
    assert response.status_code == 200
    return response.json()["value"]


async def wait_status(client: httpx.AsyncClient, wanted: str, code: str = CODE) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def reached() -> bool:
        found.update(await state(client, code))
        return found["trangThai"] == wanted

    await eventually(reached)
    return found


async def test_severe_disability_allowance_is_base_level_times_1_5(client: httpx.AsyncClient) -> None:
    receipt = await client.post(f"{BASE}/tro-cap-hang-thang", json=REQUEST)
    assert receipt.status_code == 200
    assert receipt.json()["value"]["maHoSoLT"].startswith("TGXH-")
    decision = (await wait_status(client, "done"))["ketQuaXuLy"]
    assert (decision["mucChuan"], decision["heSo"], decision["soTienHangThang"]) == (500_000, 1.5, 750_000)
    assert decision["coQuanQuyetDinh"] == "Chủ tịch Ủy ban nhân dân Phường Long Xuyên"
    assert decision["thoiDiemHuong"].endswith("-01")


@pytest.mark.parametrize(
    ("category", "fits", "factor"),
    [
        ("NCT_HO_NGHEO", lambda p, age: 60 <= age < 80, 1.5),
        ("NCT_HO_NGHEO", lambda p, age: age >= 80, 2.0),
        ("NKT_DAC_BIET_NANG", lambda p, age: age >= 60, 2.5),
        ("NKT_DAC_BIET_NANG", lambda p, age: 16 <= age < 60, 2.0),
        ("NKT_NANG", lambda p, age: age < 16, 2.0),
    ],
)
async def test_the_coefficient_follows_category_and_age(
    client: httpx.AsyncClient,
    mock_app: FastAPI,
    category: str,
    fits: Callable[[Citizen, int], bool],
    factor: float,
) -> None:
    person = someone(mock_app, fits)
    papers = {"maHoNgheo": "HN-2025-0001"} if category.startswith("NCT") else {}
    await client.post(f"{BASE}/tro-cap-hang-thang", json=for_person(person, category, **papers))
    decision = (await wait_status(client, "done"))["ketQuaXuLy"]
    assert decision["heSo"] == factor
    assert decision["soTienHangThang"] == round(500_000 * factor)


async def test_aged_80_without_pension_gets_the_base_level(
    client: httpx.AsyncClient, mock_app: FastAPI
) -> None:
    population = mock_app.state.mocks.population

    def no_pension(person: Citizen, age: int) -> bool:
        card = population.health_insurance(person.so_dinh_danh)
        return age >= 80 and (card is None or card.ma_doi_tuong != "HT")

    await client.post(
        f"{BASE}/tro-cap-hang-thang", json=for_person(someone(mock_app, no_pension), "NCT_TU_80")
    )
    assert (await wait_status(client, "done"))["ketQuaXuLy"]["soTienHangThang"] == 500_000


async def test_a_pensioner_is_refused(client: httpx.AsyncClient, mock_app: FastAPI) -> None:
    population = mock_app.state.mocks.population

    def pensioner(person: Citizen, age: int) -> bool:
        card = population.health_insurance(person.so_dinh_danh)
        return card is not None and card.ma_doi_tuong == "HT"

    await client.post(
        f"{BASE}/tro-cap-hang-thang", json=for_person(someone(mock_app, pensioner), "NCT_TU_80")
    )
    refused = await wait_status(client, "rejected")
    assert "đang hưởng lương hưu" in refused["lichSu"][-1]["noiDungXuLy"]


async def test_missing_poverty_certificate_is_asked_for(client: httpx.AsyncClient, mock_app: FastAPI) -> None:
    elderly = someone(mock_app, lambda p, age: 60 <= age < 80)
    await client.post(f"{BASE}/tro-cap-hang-thang", json=for_person(elderly, "NCT_HO_NGHEO"))
    waiting = await wait_status(client, "supplement_requested")
    assert "giấy chứng nhận hộ nghèo" in waiting["lichSu"][-1]["noiDungXuLy"]
    await client.post(f"{BASE}/ho-so/{CODE}/bo-sung", json={"maHoNgheo": "HN-2025-0001"})
    assert (await wait_status(client, "done"))["ketQuaXuLy"]["heSo"] == 1.5


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"soDinhDanh": ids.CITIZEN_MISSING},
            "Không tìm thấy đối tượng đề nghị trợ cấp có số định danh cá nhân",
        ),
        ({"hoTen": "Nguyễn Văn Ân"}, "Họ tên, ngày sinh của đối tượng đề nghị trợ cấp không khớp"),
        ({"gioiTinh": "Nữ"}, "Giới tính trên tờ khai không khớp"),
        (
            {"soDinhDanh": ids.CITIZEN_DECEASED, "hoTen": "Trần Văn Bình", "ngaySinh": "1945-06-20"},
            f"Đối tượng đề nghị trợ cấp (số định danh cá nhân {ids.CITIZEN_DECEASED}) đã chết",
        ),
        ({"loaiDoiTuong": "NCT_HO_NGHEO", "maHoNgheo": "HN-1"}, "chưa đủ 60 tuổi"),
        ({"loaiDoiTuong": "NCT_TU_80"}, "chưa đủ 80 tuổi"),
        ({"maXa": "30301"}, "không cư trú trên địa bàn Phường Mỹ Thới"),
    ],
)
async def test_review_refuses_with_the_reason_in_vietnamese(
    client: httpx.AsyncClient, changes: dict[str, Any], reason: str
) -> None:
    await client.post(f"{BASE}/tro-cap-hang-thang", json=request(**changes))
    refused = await wait_status(client, "rejected")
    assert reason in refused["lichSu"][-1]["noiDungXuLy"]
    assert "ketQuaXuLy" not in refused


async def test_one_allowance_per_person(client: httpx.AsyncClient) -> None:
    await client.post(f"{BASE}/tro-cap-hang-thang", json=REQUEST)
    other = request(maHoSo="000.00.30.H91-251104-0001", loaiDoiTuong="NKT_DAC_BIET_NANG")
    await client.post(f"{BASE}/tro-cap-hang-thang", json=other)
    refused = await wait_status(client, "rejected", other["maHoSo"])
    assert "một người chỉ được hưởng một mức trợ cấp cao nhất" in refused["lichSu"][-1]["noiDungXuLy"]
    assert CODE in refused["lichSu"][-1]["noiDungXuLy"]


async def test_resubmission_is_idempotent_and_different_content_conflicts(client: httpx.AsyncClient) -> None:
    first = await client.post(f"{BASE}/tro-cap-hang-thang", json=REQUEST)
    assert (await client.post(f"{BASE}/tro-cap-hang-thang", json=REQUEST)).json() == first.json()
    conflict = await client.post(f"{BASE}/tro-cap-hang-thang", json=request(ngayTiepNhan="2025-11-04"))
    assert conflict.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (request(danToc="55"), ["doiTuong", "danToc"]),
        (request(maXa="99999"), ["maXa"]),
        (request(loaiDoiTuong="NCT"), ["doiTuong", "loaiDoiTuong"]),
        (request(gioiTinh="1"), ["doiTuong", "gioiTinh"]),
        (request(ngaySinh="15/03/1985"), ["doiTuong", "ngaySinh"]),
        (request(doiTuong=None), ["doiTuong"]),
    ],
)
async def test_malformed_request_is_422_naming_the_field_and_registers_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], field: list[str]
) -> None:
    response = await client.post(f"{BASE}/tro-cap-hang-thang", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == field
    assert (await client.get(f"{BASE}/ho-so/{CODE}")).status_code == 404


async def test_answers_keep_to_the_backend_contract(client: httpx.AsyncClient) -> None:
    contract = "backends/tro_giup_xa_hoi.openapi.yaml"

    def check(response: httpx.Response, path: str, method: str) -> None:
        response_validator(contract, path, method, str(response.status_code)).validate(response.json())

    submit = f"{BASE}/tro-cap-hang-thang"
    check(await client.post(submit, json=request(soGiayXacNhanKhuyetTat=None)), "/tro-cap-hang-thang", "post")
    check(await client.post(submit, json=request(danToc="00")), "/tro-cap-hang-thang", "post")
    await wait_status(client, "supplement_requested")
    status_url = f"{BASE}/ho-so/{CODE}"
    check(await client.get(status_url), "/ho-so/{maHoSo}", "get")
    supplied = await client.post(f"{status_url}/bo-sung", json={"soGiayXacNhanKhuyetTat": "XNKT-1"})
    check(supplied, "/ho-so/{maHoSo}/bo-sung", "post")
    await wait_status(client, "done")
    check(await client.get(status_url), "/ho-so/{maHoSo}", "get")
    check(await client.get(f"{BASE}/ho-so/KHONG-CO"), "/ho-so/{maHoSo}", "get")


async def test_the_decision_is_called_back_with_the_amount(
    client: httpx.AsyncClient, receiver: CallbackReceiver
) -> None:
    await client.post(f"{BASE}/tro-cap-hang-thang", json={**REQUEST, "callbackUrl": receiver.url})
    await receiver.wait_for(lambda: len(receiver.received) == 3)
    bodies = [json.loads(delivery["raw"]) for delivery in receiver.received]
    assert [body["trangThai"] for body in bodies] == ["received", "processing", "done"]
    assert receiver.received[-1]["headers"]["X-NDXP-Service"] == "tro_giup_xa_hoi"
    assert bodies[-1]["ketQuaXuLy"]["soTienHangThang"] == 750_000
