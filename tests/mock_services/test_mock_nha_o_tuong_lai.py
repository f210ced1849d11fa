"""Off-plan housing notices (pattern D, two-way): the developer's notice, the province's decision back."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from mock_helpers import eventually

from ndxp_sim.core import identities as ids
from tests.contract_checks import response_validator

BASE = "/nha_o_tuong_lai"
CODE = "000.00.18.H91-NOTTL-251103-0001"
NOTICE: dict[str, Any] = {
    "maHoSo": CODE,
    "chuDauTu": {
        "maSoDoanhNghiep": ids.ENTERPRISE_ACTIVE,
        "tenDoanhNghiep": "Công ty TNHH Thương mại Dịch vụ Minh Phát An Giang",
        "nguoiDaiDien": {"hoTen": "Nguyễn Văn An", "soDinhDanh": ids.CITIZEN_EXISTS},
    },
    "duAn": {
        "maDuAn": "DA-91-2024-0007",
        "tenDuAn": "Khu nhà ở Minh Phát Riverside",
        "maTinh": "91",
        "maXa": "30307",
        "diaChi": "Đường Trần Hưng Đạo, khóm Đông Thịnh 2",
        "quyetDinhChapThuanChuTruong": {"so": "1520/QĐ-UBND", "ngay": "2024-03-12"},
        "giayPhepXayDung": {"so": "215/GPXD", "ngay": "2025-01-20"},
        "bienBanNghiemThuMong": {"so": "07/BB-NTM", "ngay": "2025-09-30"},
    },
    "nhaO": {"loai": "can-ho-chung-cu", "soLuong": 240, "tongDienTichSan": 18600.5, "hinhThuc": ["ban"]},
    "baoLanh": {"maNganHang": "970436", "soHopDong": "BL-2025-0915"},
}
ELIGIBLE = {
    "ketLuan": "du-dieu-kien",
    "soVanBan": "3120/SXD-QLN",
    "ngayBanHanh": "2025-11-14",
    "nguoiKy": "Trần Minh Tuấn",
}


def notice(part: str | None = None, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(NOTICE)
    target = body if part is None else body[part]
    for key, value in changes.items():
        if value is None:
            target.pop(key)
        else:
            target[key] = value
    return body


def checked(response: httpx.Response, path: str, method: str = "get") -> Any:
    body = response.json()
    contract = "backends/nha_o_tuong_lai.openapi.yaml"
    response_validator(contract, path, method, str(response.status_code)).validate(body)
    return body


async def state(client: httpx.AsyncClient) -> dict[str, Any]:
    return checked(await client.get(f"{BASE}/ho-so/{CODE}"), "/ho-so/{maHoSo}")["value"]


async def wait_for(client: httpx.AsyncClient, status: str, words: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def reached() -> bool:
        found.update(await state(client))
        return found["trangThai"] == status and words in found["lichSu"][-1]["noiDungXuLy"]

    await eventually(reached)
    return found


async def decide(client: httpx.AsyncClient, decision: dict[str, Any]) -> httpx.Response:
    return await client.post(f"{BASE}/ho-so/{CODE}/ket-qua-tinh", json=decision)


async def test_the_notice_waits_for_the_province_whose_decision_publishes_it(
    client: httpx.AsyncClient,
) -> None:
    checked(await client.post(f"{BASE}/thong-bao", json=NOTICE), "/thong-bao", "post")
    waiting = await wait_for(client, "processing", "chờ văn bản thông báo của Sở Xây dựng tỉnh An Giang")
    assert waiting["lichSu"][-1]["noiDungXuLy"].startswith("Đã chuyển Sở Xây dựng tỉnh An Giang xem xét")
    assert (await state(client))["trangThai"] == "processing"  # nothing moves without the province

    pushed = checked(await decide(client, ELIGIBLE), "/ho-so/{maHoSo}/ket-qua-tinh", "post")
    assert pushed["value"]["trangThai"] == "processing"
    done = await wait_for(client, "done")
    steps = [(step["trangThai"], step["nguoiXuLy"]) for step in done["lichSu"]]
    assert steps[-2:] == [
        ("processing", "Sở Xây dựng tỉnh An Giang"),
        ("done", "Hệ thống dịch vụ công Bộ Xây dựng"),
    ]
    published = done["ketQuaXuLy"]
    assert (published["soVanBan"], published["coQuanBanHanh"]) == (
        "3120/SXD-QLN",
        "Sở Xây dựng tỉnh An Giang",
    )
    assert published["maCongKhai"].startswith("BXD-NOHTTTL-91-") and published["soLuongNhaO"] == 240


async def test_a_province_that_finds_the_housing_not_eligible_rejects_it_with_its_reason(
    client: httpx.AsyncClient,
) -> None:
    await client.post(f"{BASE}/thong-bao", json=NOTICE)
    await wait_for(client, "processing", "chờ văn bản")
    refusal = {**ELIGIBLE, "ketLuan": "khong-du-dieu-kien", "lyDo": "Chưa có hợp đồng bảo lãnh còn hiệu lực"}
    assert (await decide(client, refusal)).status_code == 200
    rejected = await wait_for(client, "rejected")
    assert rejected["lichSu"][-1]["noiDungXuLy"] == (
        "Sở Xây dựng tỉnh An Giang thông báo nhà ở chưa đủ điều kiện được bán, cho thuê mua: "
        "Chưa có hợp đồng bảo lãnh còn hiệu lực"
    )


async def test_a_decision_for_a_notice_not_waiting_for_one_is_refused(client: httpx.AsyncClient) -> None:
    missing = checked(await decide(client, ELIGIBLE), "/ho-so/{maHoSo}/ket-qua-tinh", "post")
    assert missing["error"] == "not_found"
    assert (await client.post("/_admin/clock", json={"step_s": 60})).status_code == 200
    await client.post(f"{BASE}/thong-bao", json=NOTICE)
    early = await decide(client, ELIGIBLE)
    assert early.status_code == 409
    assert (
        early.json()["message"]
        == f"Hồ sơ {CODE} không ở trạng thái chờ văn bản của Sở Xây dựng tỉnh An Giang"
    )
    no_reason = await decide(client, {**ELIGIBLE, "ketLuan": "khong-du-dieu-kien"})
    assert no_reason.status_code == 422


async def test_a_notice_without_the_foundation_record_waits_for_it(client: httpx.AsyncClient) -> None:
    await client.post(f"{BASE}/thong-bao", json=notice("duAn", bienBanNghiemThuMong=None))
    waiting = await wait_for(client, "supplement_requested")
    assert "nghiệm thu hoàn thành phần móng" in waiting["lichSu"][-1]["noiDungXuLy"]
    supplied = await client.post(
        f"{BASE}/ho-so/{CODE}/bo-sung",
        json={"bienBanNghiemThuMong": {"so": "07/BB-NTM", "ngay": "2025-09-30"}},
    )
    assert supplied.status_code == 200
    await wait_for(client, "processing", "chờ văn bản")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (notice("chuDauTu", maSoDoanhNghiep=ids.ENTERPRISE_DISSOLVED), "Tên doanh nghiệp không khớp"),
        (
            notice(
                "chuDauTu",
                maSoDoanhNghiep=ids.ENTERPRISE_DISSOLVED,
                tenDoanhNghiep="Công ty Cổ phần Xây dựng Hoàng Long Kiên Giang",
            ),
            "đang ở tình trạng",
        ),
        (
            notice("chuDauTu", nguoiDaiDien={"hoTen": "Lê Văn Cường", "soDinhDanh": ids.COUPLE_HUSBAND}),
            "không phải người đại diện theo pháp luật",
        ),
        (
            notice("chuDauTu", nguoiDaiDien={"hoTen": "Nguyễn Văn Ăn", "soDinhDanh": ids.CITIZEN_EXISTS}),
            "Họ tên của người đại diện không khớp",
        ),
        (notice(baoLanh={"maNganHang": "123456", "soHopDong": "BL-1"}), "không có trong danh mục ngân hàng"),
    ],
)
async def test_a_notice_whose_developer_or_guarantee_does_not_hold_is_rejected(
    client: httpx.AsyncClient, body: dict[str, Any], reason: str
) -> None:
    await client.post(f"{BASE}/thong-bao", json=body)
    rejected = await wait_for(client, "rejected")
    assert reason in rejected["lichSu"][-1]["noiDungXuLy"]


async def test_a_second_notice_for_the_same_project_is_refused_while_the_first_stands(
    client: httpx.AsyncClient,
) -> None:
    await client.post(f"{BASE}/thong-bao", json=NOTICE)
    again = checked(
        await client.post(f"{BASE}/thong-bao", json=notice(maHoSo="000.00.18.H91-NOTTL-251103-0002")),
        "/thong-bao",
        "post",
    )
    assert again["error"] == "duplicate"
    assert again["message"].startswith("Dự án Khu nhà ở Minh Phát Riverside đã có thông báo")
    assert CODE in again["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (notice("duAn", maXa="99999"), "maXa"),
        (notice("duAn", maTinh="79"), "maXa"),
        (notice("nhaO", hinhThuc=["cho-thue"]), "hinhThuc"),
        (notice("nhaO", soLuong=0), "soLuong"),
        (notice("duAn", giayPhepXayDung=None), "giayPhepXayDung"),
        (notice(maHoSo="NOTTL 01"), "maHoSo"),
    ],
)
async def test_a_malformed_notice_is_refused_naming_the_field_and_nothing_is_registered(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    refused = checked(await client.post(f"{BASE}/thong-bao", json=body), "/thong-bao", "post")
    assert any(field in problem["loc"] for problem in refused["detail"])
    assert (await client.get(f"{BASE}/ho-so/{CODE}")).status_code == 404
