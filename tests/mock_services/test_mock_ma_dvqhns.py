"""Budget-unit codes (pattern D, BTP envelope): review against the population, a unique 7-digit code."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from mock_helpers import CallbackReceiver, changed, eventually

from ndxp_sim.core import identities as ids
from tests.contract_checks import response_validator

BASE = "/ma_dvqhns"
REQUEST: dict[str, Any] = {
    "maDonVi": "000.00.04.H91",
    "maTinh": "91",
    "maHoSo": "000.00.04.H91-251103-0001",
    "ngayTiepNhan": "2025-11-03",
    "donVi": {
        "tenDonVi": "Trung tâm Tin học và Dịch vụ tài chính công tỉnh An Giang",
        "loaiDonVi": "1",
        "capNganSach": "2",
        "maChuong": "418",
        "diaChi": {"maTinh": "91", "maXa": "30307", "chiTiet": "Số 2, đường Lê Lợi"},
        "soQuyetDinhThanhLap": "1234/QĐ-UBND",
        "ngayQuyetDinhThanhLap": "2025-10-01",
        "coQuanQuyetDinh": "Ủy ban nhân dân tỉnh An Giang",
    },
    "nguoiDeNghi": {
        "hoTen": "Lê Văn Cường",
        "soDinhDanh": ids.COUPLE_HUSBAND,
        "ngaySinh": "1988-07-02",
        "chucVu": "Giám đốc",
    },
}


def request(**changes: Any) -> dict[str, Any]:
    """The sample request with top-level, donVi or nguoiDeNghi fields changed (None removes a field)."""
    return changed(REQUEST, ("donVi", "nguoiDeNghi"), **changes)


async def state(client: httpx.AsyncClient, code: str) -> dict[str, Any]:
    response = await client.get(f"{BASE}/ho-so/{code}")
    assert response.status_code == 200
    return response.json()["value"]


async def wait_status(client: httpx.AsyncClient, code: str, wanted: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def reached() -> bool:
        found.update(await state(client, code))
        return found["trangThai"] == wanted

    await eventually(reached)
    return found


async def test_a_unit_gets_a_7_digit_code_of_its_type(client: httpx.AsyncClient) -> None:
    receipt = await client.post(f"{BASE}/cap-ma-so", json=REQUEST)
    assert receipt.status_code == 200
    assert receipt.json()["value"]["maHoSoLT"].startswith("QHNS-")
    done = await wait_status(client, REQUEST["maHoSo"], "done")
    result = done["ketQuaXuLy"]
    assert len(result["maSoDVQHNS"]) == 7 and result["maSoDVQHNS"].isdigit()
    assert result["maSoDVQHNS"][0] == "1"  # đơn vị dự toán
    assert result["coQuanCap"] == "Sở Tài chính tỉnh An Giang"
    assert (await state(client, REQUEST["maHoSo"]))["ketQuaXuLy"] == result  # fixed once issued


async def test_codes_are_unique_and_the_same_after_a_reset(client: httpx.AsyncClient) -> None:
    codes = []
    for n in range(1, 6):
        body = request(
            maHoSo=f"000.00.04.H91-251103-000{n}", tenDonVi=f"Ban Quản lý dự án số {n} tỉnh An Giang"
        )
        body["donVi"]["loaiDonVi"] = "7"
        await client.post(f"{BASE}/cap-ma-so", json=body)
        codes.append((await wait_status(client, body["maHoSo"], "done"))["ketQuaXuLy"]["maSoDVQHNS"])
    assert len(set(codes)) == 5
    assert all(code.startswith("7") for code in codes)
    await client.post("/_admin/reset")
    await client.post(
        f"{BASE}/cap-ma-so", json=request(loaiDonVi="7", tenDonVi="Ban Quản lý dự án số 1 tỉnh An Giang")
    )
    again = await wait_status(client, REQUEST["maHoSo"], "done")
    assert again["ketQuaXuLy"]["maSoDVQHNS"] == codes[0]  # reproducible runs


async def test_missing_founding_decision_asks_for_it_then_issues(client: httpx.AsyncClient) -> None:
    await client.post(f"{BASE}/cap-ma-so", json=request(soQuyetDinhThanhLap=None))
    waiting = await wait_status(client, REQUEST["maHoSo"], "supplement_requested")
    assert "văn bản thành lập" in waiting["lichSu"][-1]["noiDungXuLy"]
    supplied = await client.post(
        f"{BASE}/ho-so/{REQUEST['maHoSo']}/bo-sung", json={"soQuyetDinhThanhLap": "1234/QĐ-UBND"}
    )
    assert supplied.status_code == 200
    await wait_status(client, REQUEST["maHoSo"], "done")


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"soDinhDanh": ids.CITIZEN_MISSING},
            "Không tìm thấy người đề nghị cấp mã số có số định danh cá nhân",
        ),
        ({"hoTen": "Lê Văn Cương"}, "Họ tên, ngày sinh của người đề nghị cấp mã số không khớp"),
        ({"ngaySinh": "1988-07-03"}, "Họ tên, ngày sinh của người đề nghị cấp mã số không khớp"),
        (
            {"soDinhDanh": ids.CITIZEN_DECEASED, "hoTen": "Trần Văn Bình", "ngaySinh": "1945-06-20"},
            f"Người đề nghị cấp mã số (số định danh cá nhân {ids.CITIZEN_DECEASED}) đã chết",
        ),
        (
            {"soDinhDanh": ids.COUPLE_CHILD, "hoTen": "Lê Ngọc Hân", "ngaySinh": "2016-05-09"},
            "chưa đủ 18 tuổi",
        ),
        ({"ngayQuyetDinhThanhLap": "2099-01-01"}, "quyết định thành lập đơn vị ở tương lai"),
    ],
)
async def test_review_refuses_with_the_reason_in_vietnamese(
    client: httpx.AsyncClient, changes: dict[str, Any], reason: str
) -> None:
    await client.post(f"{BASE}/cap-ma-so", json=request(**changes))
    refused = await wait_status(client, REQUEST["maHoSo"], "rejected")
    assert reason in refused["lichSu"][-1]["noiDungXuLy"]
    assert "ketQuaXuLy" not in refused


async def test_one_code_per_unit(client: httpx.AsyncClient) -> None:
    await client.post(f"{BASE}/cap-ma-so", json=REQUEST)
    await wait_status(client, REQUEST["maHoSo"], "done")
    same_unit = request(
        maHoSo="000.00.04.H91-251104-0001",
        tenDonVi="  trung tâm tin học và dịch vụ tài chính công tỉnh an giang ",
    )
    await client.post(f"{BASE}/cap-ma-so", json=same_unit)
    refused = await wait_status(client, same_unit["maHoSo"], "rejected")
    assert "mỗi đơn vị chỉ được cấp một mã số" in refused["lichSu"][-1]["noiDungXuLy"]
    assert REQUEST["maHoSo"] in refused["lichSu"][-1]["noiDungXuLy"]


async def test_resubmission_is_idempotent_and_different_content_conflicts(client: httpx.AsyncClient) -> None:
    first = await client.post(f"{BASE}/cap-ma-so", json=REQUEST)
    assert (await client.post(f"{BASE}/cap-ma-so", json=REQUEST)).json() == first.json()
    conflict = await client.post(f"{BASE}/cap-ma-so", json=request(maChuong="555"))
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "conflict"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (request(capNganSach="3"), ["donVi", "capNganSach"]),
        (request(diaChi={"maTinh": "91", "maXa": "99999"}), ["donVi", "diaChi", "maXa"]),
        (request(diaChi={"maTinh": "01", "maXa": "30307"}), ["donVi"]),
        (request(loaiDonVi="2"), ["donVi", "loaiDonVi"]),
        (request(soDinhDanh="123"), ["nguoiDeNghi", "soDinhDanh"]),
        (request(maHoSo="has space"), ["maHoSo"]),
        (request(nguoiDeNghi=None), ["nguoiDeNghi"]),
    ],
)
async def test_malformed_request_is_422_naming_the_field_and_registers_nothing(
    client: httpx.AsyncClient, body: dict[str, Any], field: list[str]
) -> None:
    response = await client.post(f"{BASE}/cap-ma-so", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == field
    assert (await client.get(f"{BASE}/ho-so/{body['maHoSo']}")).status_code == 404


async def test_answers_keep_to_the_backend_contract(client: httpx.AsyncClient) -> None:
    contract = "backends/ma_dvqhns.openapi.yaml"

    def check(response: httpx.Response, path: str, method: str) -> None:
        response_validator(contract, path, method, str(response.status_code)).validate(response.json())

    check(
        await client.post(f"{BASE}/cap-ma-so", json=request(soQuyetDinhThanhLap=None)), "/cap-ma-so", "post"
    )
    check(await client.post(f"{BASE}/cap-ma-so", json=request(capNganSach="3")), "/cap-ma-so", "post")
    await wait_status(client, REQUEST["maHoSo"], "supplement_requested")
    status_url = f"{BASE}/ho-so/{REQUEST['maHoSo']}"
    check(await client.get(status_url), "/ho-so/{maHoSo}", "get")
    supplied = await client.post(f"{status_url}/bo-sung", json={"soQuyetDinhThanhLap": "1/QĐ-UBND"})
    check(supplied, "/ho-so/{maHoSo}/bo-sung", "post")
    await wait_status(client, REQUEST["maHoSo"], "done")
    check(await client.get(status_url), "/ho-so/{maHoSo}", "get")
    check(await client.get(f"{BASE}/ho-so/KHONG-CO"), "/ho-so/{maHoSo}", "get")


async def test_a_refusal_is_called_back_with_its_reason(
    client: httpx.AsyncClient, receiver: CallbackReceiver
) -> None:
    body = {**request(soDinhDanh=ids.CITIZEN_MISSING), "callbackUrl": receiver.url}
    await client.post(f"{BASE}/cap-ma-so", json=body)
    await receiver.wait_for(lambda: len(receiver.received) == 3)
    last = json.loads(receiver.received[-1]["raw"])
    assert last["trangThai"] == "rejected"
    assert ids.CITIZEN_MISSING in last["noiDungXuLy"]
    assert "ketQuaXuLy" not in last
