"""Land–tax gateway (pattern D, multi-hop): transfer slip to the tax office, tax notice and status back."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from mock_helpers import eventually

from ndxp_sim.core import identities as ids
from ndxp_sim.mock_services.lien_thong_tnmt_thue import price_per_m2
from tests.contract_checks import response_validator

BASE = "/lien_thong_tnmt_thue"
CODE = "000.00.12.H91-DD-251103-0001"
SALE: dict[str, Any] = {
    "maHoSo": CODE,
    "coQuanGui": "Chi nhánh Văn phòng đăng ký đất đai khu vực Long Xuyên",
    "ngayLapPhieu": "2025-11-03",
    "thuaDat": {
        "maTinh": "91",
        "maXa": "30307",
        "soTo": 12,
        "soThua": 345,
        "dienTich": 120.5,
        "mucDichSuDung": "ODT",
        "soPhatHanhGCN": ids.CERTIFICATE_EXISTS,
    },
    "benChuyen": [{"hoTen": "Nguyễn Văn An", "soDinhDanh": ids.CITIZEN_EXISTS}],
    "benNhan": {"hoTen": "Lê Văn Cường", "soDinhDanh": ids.COUPLE_HUSBAND},
    "giaoDich": {
        "loai": "chuyen-nhuong",
        "soHopDong": "1234/2025/CCGD",
        "ngayHopDong": "2025-10-28",
        "giaChuyenNhuong": 3_500_000_000,
    },
}
GIFT_TO_DAUGHTER: dict[str, Any] = {
    **SALE,
    "thuaDat": {
        "maTinh": "91",
        "maXa": "30301",
        "soTo": 8,
        "soThua": 112,
        "dienTich": 98.0,
        "mucDichSuDung": "ODT",
        "soPhatHanhGCN": ids.CERTIFICATE_COUPLE,
    },
    "benChuyen": [
        {"hoTen": "Lê Văn Cường", "soDinhDanh": ids.COUPLE_HUSBAND},
        {"hoTen": "Phạm Thị Dung", "soDinhDanh": ids.COUPLE_WIFE},
    ],
    "benNhan": {"hoTen": "Lê Ngọc Hân", "soDinhDanh": ids.COUPLE_CHILD},
    "giaoDich": {"loai": "tang-cho", "soHopDong": "88/2025/HĐTC", "ngayHopDong": "2025-10-30"},
}


def slip(base: dict[str, Any] = SALE, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(base)
    for key, value in changes.items():
        part = next((name for name in ("thuaDat", "giaoDich") if key in body[name]), None)
        if part is None:
            body[key] = value
        elif value is None:
            body[part].pop(key)
        else:
            body[part][key] = value
    return body


def checked(response: httpx.Response, path: str, method: str = "get") -> Any:
    body = response.json()
    contract = "backends/lien_thong_tnmt_thue.openapi.yaml"
    response_validator(contract, path, method, str(response.status_code)).validate(body)
    return body


async def wait_status(client: httpx.AsyncClient, wanted: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def reached() -> bool:
        found.update(checked(await client.get(f"{BASE}/ho-so/{CODE}"), "/ho-so/{maHoSo}")["value"])
        return found["trangThai"] == wanted

    await eventually(reached)
    return found


async def test_a_sale_goes_to_the_tax_office_and_comes_back_with_the_tax_notice(
    client: httpx.AsyncClient,
) -> None:
    receipt = checked(await client.post(f"{BASE}/phieu-chuyen", json=SALE), "/phieu-chuyen", "post")
    assert receipt["value"]["maHoSoLT"].startswith("TNMT-")
    done = await wait_status(client, "done")
    hops = [(step["trangThai"], step["nguoiXuLy"]) for step in done["lichSu"]]
    assert hops == [
        ("received", "Cổng liên thông TNMT - Thuế"),
        ("processing", "Cổng liên thông TNMT - Thuế"),
        ("processing", "Cơ quan thuế"),
        ("done", "Cổng liên thông TNMT - Thuế"),
    ]
    notice = done["ketQuaXuLy"]
    unit = price_per_m2("30307", "ODT")
    assert notice["donGiaBangGia"] == unit and notice["giaTriTheoBangGia"] == round(unit * 120.5)
    value = max(notice["giaTriTheoBangGia"], 3_500_000_000)
    assert notice["giaTinhThue"] == value
    pit, fee = notice["khoanNop"]
    assert (pit["tieuMuc"], pit["maSoThue"], pit["soTien"]) == (
        "1006",
        ids.CITIZEN_EXISTS,
        round(value * 0.02),
    )
    assert (fee["tieuMuc"], fee["maSoThue"], fee["soTien"]) == (
        "2801",
        ids.COUPLE_HUSBAND,
        round(value * 0.005),
    )
    assert notice["tongSoTien"] == pit["soTien"] + fee["soTien"]
    assert date.fromisoformat(notice["hanNop"]) == date.fromisoformat(notice["ngayThongBao"]) + timedelta(
        days=30
    )
    assert notice["coQuanThue"].startswith("Thuế cơ sở ") and notice["coQuanThue"].endswith("tỉnh An Giang")


async def test_parents_giving_their_land_to_their_daughter_owe_nothing(client: httpx.AsyncClient) -> None:
    await client.post(f"{BASE}/phieu-chuyen", json=GIFT_TO_DAUGHTER)
    notice = (await wait_status(client, "done"))["ketQuaXuLy"]
    assert [item["soTien"] for item in notice["khoanNop"]] == [0, 0] and notice["tongSoTien"] == 0
    assert notice["mienGiam"].startswith("Miễn thuế thu nhập cá nhân và lệ phí trước bạ")


async def test_a_sale_to_an_enterprise_bills_the_registration_fee_to_its_tax_code(
    client: httpx.AsyncClient,
) -> None:
    buyer = {"hoTen": "Công ty TNHH Thương mại Dịch vụ Minh Phát An Giang", "maSoThue": ids.ENTERPRISE_ACTIVE}
    await client.post(f"{BASE}/phieu-chuyen", json=slip(benNhan=buyer))
    notice = (await wait_status(client, "done"))["ketQuaXuLy"]
    assert notice["khoanNop"][1]["maSoThue"] == ids.ENTERPRISE_ACTIVE


async def test_a_sale_without_its_price_waits_for_it_then_is_computed(client: httpx.AsyncClient) -> None:
    await client.post(f"{BASE}/phieu-chuyen", json=slip(giaChuyenNhuong=None))
    waiting = await wait_status(client, "supplement_requested")
    assert "giá chuyển nhượng" in waiting["lichSu"][-1]["noiDungXuLy"]
    supplied = await client.post(f"{BASE}/ho-so/{CODE}/bo-sung", json={"giaChuyenNhuong": 2_000_000_000})
    assert checked(supplied, "/ho-so/{maHoSo}/bo-sung", "post")["value"]["trangThai"] == "processing"
    notice = (await wait_status(client, "done"))["ketQuaXuLy"]
    assert notice["giaTinhThue"] == max(notice["giaTriTheoBangGia"], 2_000_000_000)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (slip(soThua=999), "Thửa đất số 999, tờ bản đồ số 12 không có trong Cơ sở dữ liệu đất đai"),
        (slip(soPhatHanhGCN="DA 999999"), "Số phát hành Giấy chứng nhận DA 999999 không khớp"),
        (slip(dienTich=150.0), "Diện tích 150 m² không khớp với 120.5 m²"),
        (slip(mucDichSuDung="ONT"), "Mục đích sử dụng ONT không khớp với ODT"),
        (
            slip(GIFT_TO_DAUGHTER, benChuyen=GIFT_TO_DAUGHTER["benChuyen"][:1]),
            "phải là tất cả và chỉ những người đứng tên",
        ),
        (
            slip(benChuyen=[{"hoTen": "Nguyễn Văn Ăn", "soDinhDanh": ids.CITIZEN_EXISTS}]),
            "Họ tên của bên chuyển quyền không khớp",
        ),
        (slip(benNhan={"hoTen": "Nguyễn Văn An", "soDinhDanh": ids.CITIZEN_EXISTS}), "trùng với bên chuyển"),
        (slip(benNhan={"hoTen": "Lê Ngọc Hân", "soDinhDanh": ids.COUPLE_CHILD}), "chưa đủ 18 tuổi"),
        (
            slip(benNhan={"hoTen": "Trần Văn Bình", "soDinhDanh": ids.CITIZEN_DECEASED}),
            f"Bên nhận (số định danh cá nhân {ids.CITIZEN_DECEASED}) đã chết",
        ),
        (
            slip(
                benNhan={
                    "hoTen": "Công ty Cổ phần Xây dựng Hoàng Long Kiên Giang",
                    "maSoThue": ids.ENTERPRISE_DISSOLVED,
                }
            ),
            "đang ở tình trạng",
        ),
        (slip(loai="thua-ke"), "chưa được khai tử"),
    ],
)
async def test_the_tax_office_returns_a_slip_that_does_not_match_the_records(
    client: httpx.AsyncClient, body: dict[str, Any], reason: str
) -> None:
    await client.post(f"{BASE}/phieu-chuyen", json=body)
    rejected = await wait_status(client, "rejected")
    assert reason in rejected["lichSu"][-1]["noiDungXuLy"]
    assert "ketQuaXuLy" not in rejected


async def test_a_second_slip_for_the_same_parcel_is_refused_while_the_first_stands(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.post(f"{BASE}/phieu-chuyen", json=SALE)).status_code == 200
    again = checked(
        await client.post(f"{BASE}/phieu-chuyen", json=slip(maHoSo="000.00.12.H91-DD-251103-0002")),
        "/phieu-chuyen",
        "post",
    )
    assert again["error"] == "duplicate"
    assert again["message"] == (
        "Thửa đất số 345, tờ bản đồ số 12 đã có phiếu chuyển thông tin đang được cơ quan thuế xử lý "
        f"(mã hồ sơ {CODE})"
    )
    conflict = await client.post(f"{BASE}/phieu-chuyen", json=slip(giaChuyenNhuong=1_000_000_000))
    assert checked(conflict, "/phieu-chuyen", "post")["error"] == "conflict"


async def test_a_slip_whose_first_dossier_was_returned_can_be_sent_again(client: httpx.AsyncClient) -> None:
    await client.post(f"{BASE}/phieu-chuyen", json=slip(dienTich=150.0))
    await wait_status(client, "rejected")
    corrected = await client.post(f"{BASE}/phieu-chuyen", json=slip(maHoSo="000.00.12.H91-DD-251103-0002"))
    assert corrected.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (slip(maXa="99999"), "maXa"),
        (slip(maTinh="01"), "maXa"),
        (slip(soPhatHanhGCN="123456"), "soPhatHanhGCN"),
        (slip(loai="mua-ban"), "loai"),
        (slip(benNhan={"hoTen": "Lê Văn Cường"}), "benNhan"),
        (slip(benChuyen=[]), "benChuyen"),
        (slip(maHoSo="DD 01/2025"), "maHoSo"),
    ],
)
async def test_a_malformed_slip_is_refused_naming_the_field_and_nothing_is_registered(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    refused = checked(await client.post(f"{BASE}/phieu-chuyen", json=body), "/phieu-chuyen", "post")
    assert any(field in problem["loc"] for problem in refused["detail"])
    assert (await client.get(f"{BASE}/ho-so/{CODE}")).status_code == 404
