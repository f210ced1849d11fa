"""EVN (pattern D + lookups): new connections uploaded as multipart, outage schedules, monthly consumption."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from mock_helpers import eventually

from ndxp_sim.core import identities as ids
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.evn import MAX_FILE_BYTES, tariff
from tests.contract_checks import response_validator

EVN = "/evn"
CODE = "PC91-CDM-251103-0001"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
REQUEST: dict[str, Any] = {
    "maHoSo": CODE,
    "khachHang": {"hoTen": "Nguyễn Văn An", "soDinhDanh": ids.CITIZEN_EXISTS, "soDienThoai": "0912345678"},
    "diaChiDungDien": {"maTinh": "91", "maXa": "30307", "chiTiet": "Số 20, đường Trần Hưng Đạo"},
    "mucDichSuDung": "sinh-hoat",
    "congSuatDangKy": 6.5,
    "soPha": 1,
}
HOUSEHOLD_CUSTOMER = "PB91000000001"  # HOUSEHOLD_EXISTS's meter: Nguyễn Văn An, who lives alone


def connection(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(REQUEST)
    for key, value in changes.items():
        if key in body["khachHang"] or key in ("maSoThue",):
            body["khachHang"][key] = value
        else:
            body[key] = value
    return body


async def submit(
    client: httpx.AsyncClient, body: dict[str, Any], files: list[tuple[str, bytes, str]] | None = None
) -> httpx.Response:
    papers = [("giay-chung-nhan.pdf", PDF, "application/pdf")] if files is None else files
    return await client.post(
        f"{EVN}/cap-dien-moi",
        data={"hoSo": json.dumps(body, ensure_ascii=False)},
        files=[("tepDinhKem", paper) for paper in papers],
    )


def checked(response: httpx.Response, path: str, method: str = "get") -> Any:
    body = response.json()
    response_validator("backends/evn.openapi.yaml", path, method, str(response.status_code)).validate(body)
    return body


async def wait_status(client: httpx.AsyncClient, wanted: str, code: str = CODE) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def reached() -> bool:
        response = await client.get(f"{EVN}/ho-so/{code}")
        found.update(checked(response, "/ho-so/{maHoSo}")["value"])
        return found["trangThai"] == wanted

    await eventually(reached)
    return found


async def test_a_new_connection_ends_with_a_customer_code_whose_consumption_starts_next_month(
    client: httpx.AsyncClient,
) -> None:
    receipt = checked(await submit(client, REQUEST), "/cap-dien-moi", "post")
    assert receipt["value"]["trangThai"] == "received"
    done = await wait_status(client, "done")
    result = done["ketQuaXuLy"]
    assert result["maKhachHang"].startswith("PB91") and len(result["maKhachHang"]) == 13
    assert result["maCongTo"].startswith("1P") and result["chiSoDau"] == 0

    this_month = now_vn().date().replace(day=1)
    usage = await client.get(
        f"{EVN}/khach-hang/{result['maKhachHang']}/san-luong",
        params={"tuThang": f"{this_month - timedelta(days=300):%Y-%m}", "denThang": f"{this_month:%Y-%m}"},
    )
    assert checked(usage, "/khach-hang/{maKhachHang}/san-luong")["value"]["items"] == []  # not billed yet


async def test_the_same_request_again_is_the_same_dossier_and_different_papers_conflict(
    client: httpx.AsyncClient,
) -> None:
    first = await submit(client, REQUEST)
    again = await submit(client, REQUEST)
    assert again.json() == first.json()
    other_paper = await submit(client, REQUEST, [("so-do.png", PNG, "image/png")])
    assert other_paper.status_code == 409
    assert other_paper.json()["message"] == f"Mã hồ sơ {CODE} đã được gửi với nội dung khác"


async def test_a_second_request_for_the_same_place_is_refused_while_the_first_stands(
    client: httpx.AsyncClient,
) -> None:
    await submit(client, REQUEST)
    duplicate = checked(
        await submit(client, connection(maHoSo="PC91-CDM-251103-0002")), "/cap-dien-moi", "post"
    )
    assert duplicate["error"] == "duplicate"
    assert duplicate["message"] == (
        f"Địa điểm Số 20, đường Trần Hưng Đạo đã có yêu cầu cấp điện mới (mã hồ sơ {CODE})"
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"soDinhDanh": ids.CITIZEN_MISSING}, "Không tìm thấy khách hàng có số định danh cá nhân"),
        ({"hoTen": "Nguyễn Văn Bình"}, "Họ tên của khách hàng không khớp"),
        ({"soDinhDanh": ids.COUPLE_CHILD, "hoTen": "Lê Ngọc Hân"}, "chưa đủ 18 tuổi"),
        ({"maSoThue": ids.ENTERPRISE_DISSOLVED}, "đang ở tình trạng"),
        (
            {"maSoThue": ids.ENTERPRISE_ACTIVE, "soDinhDanh": ids.COUPLE_HUSBAND, "hoTen": "Lê Văn Cường"},
            "không phải người đại diện theo pháp luật",
        ),
        ({"congSuatDangKy": 20.0}, "vượt quá khả năng của công tơ 1 pha"),
    ],
)
async def test_a_request_that_does_not_hold_is_rejected_with_the_reason(
    client: httpx.AsyncClient, changes: dict[str, Any], reason: str
) -> None:
    await submit(client, connection(**changes))
    rejected = await wait_status(client, "rejected")
    assert reason in rejected["lichSu"][-1]["noiDungXuLy"]


async def test_an_organisation_s_representative_gets_a_three_phase_business_connection(
    client: httpx.AsyncClient,
) -> None:
    body = connection(
        maSoThue=ids.ENTERPRISE_ACTIVE, mucDichSuDung="kinh-doanh", congSuatDangKy=30.0, soPha=3
    )
    await submit(client, body)
    result = (await wait_status(client, "done"))["ketQuaXuLy"]
    assert result["maCongTo"].startswith("3P") and result["giaBieu"] == "Kinh doanh/sản xuất"


@pytest.mark.parametrize(
    ("files", "status", "words"),
    [
        ([("giay.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")], 415, "không đúng định dạng"),
        ([("giay.exe", b"MZ\x90\x00", "application/octet-stream")], 415, "không đúng định dạng"),
        ([("lon.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES, "application/pdf")], 413, "vượt quá dung lượng"),
        ([], 422, "dữ liệu hồ sơ không hợp lệ"),
    ],
)
async def test_papers_of_the_wrong_type_or_size_are_refused_and_nothing_is_registered(
    client: httpx.AsyncClient, files: list[tuple[str, bytes, str]], status: int, words: str
) -> None:
    refused = await submit(client, REQUEST, files)
    assert refused.status_code == status
    assert words in refused.json()["message"]
    assert (await client.get(f"{EVN}/ho-so/{CODE}")).status_code == 404
    assert (await submit(client, REQUEST)).status_code == 200  # the code is still free


async def test_a_form_that_is_not_multipart_or_lacks_its_json_part_is_refused(
    client: httpx.AsyncClient,
) -> None:
    as_json = await client.post(f"{EVN}/cap-dien-moi", json=REQUEST)
    assert as_json.status_code == 415
    no_part = await client.post(
        f"{EVN}/cap-dien-moi", files=[("tepDinhKem", ("giay.pdf", PDF, "application/pdf"))]
    )
    assert (no_part.status_code, no_part.json()["detail"][0]["loc"]) == (422, ["hoSo"])
    bad_ward = await submit(
        client, connection(diaChiDungDien={"maTinh": "01", "maXa": "30307", "chiTiet": "x"})
    )
    assert bad_ward.status_code == 422
    assert bad_ward.json()["detail"][0]["loc"] == ["diaChiDungDien", "maXa"]


async def test_outages_are_the_same_every_time_and_only_announced_a_week_ahead(
    client: httpx.AsyncClient,
) -> None:
    today = now_vn().date()
    days = [today + timedelta(days=n) for n in range(-20, 8)]
    schedules = []
    for day in days:
        response = await client.get(
            f"{EVN}/lich-ngung-cap-dien", params={"maXa": "30307", "ngay": day.isoformat()}
        )
        schedules.append(checked(response, "/lich-ngung-cap-dien")["value"]["items"])
    assert any(schedules) and not all(schedules)  # some days have planned outages, most have none
    for outage in (item for items in schedules for item in items):
        assert outage["tuGio"] < outage["denGio"] and outage["donViThucHien"] == "Điện lực Long Xuyên"
    again = await client.get(
        f"{EVN}/lich-ngung-cap-dien", params={"maXa": "30307", "ngay": days[0].isoformat()}
    )
    assert again.json()["value"]["items"] == schedules[0]
    far = await client.get(
        f"{EVN}/lich-ngung-cap-dien",
        params={"maXa": "30307", "ngay": (today + timedelta(days=30)).isoformat()},
    )
    assert far.json()["value"]["items"] == []
    unknown = await client.get(
        f"{EVN}/lich-ngung-cap-dien", params={"maXa": "99999", "ngay": today.isoformat()}
    )
    assert checked(unknown, "/lich-ngung-cap-dien")["error"] == "not_found"


async def test_a_household_s_monthly_consumption_is_plausible_and_billed_by_tier(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(
        f"{EVN}/khach-hang/{HOUSEHOLD_CUSTOMER}/san-luong",
        params={"tuThang": "2024-01", "denThang": "2024-12"},
    )
    items = checked(response, "/khach-hang/{maKhachHang}/san-luong")["value"]["items"]
    assert [item["thang"] for item in items] == [f"2024-{month:02d}" for month in range(1, 13)]
    kwh = {item["thang"]: item["dienNangTieuThu"] for item in items}
    assert all(50 <= value <= 200 for value in kwh.values())  # one person's flat
    assert kwh["2024-04"] > kwh["2024-11"]  # the south's dry season needs the fans and the air conditioner
    assert all(item["tienDienChuaVat"] == tariff(item["dienNangTieuThu"]) for item in items)
    assert tariff(100) == 50 * 1984 + 50 * 2050


@pytest.mark.parametrize(
    ("code", "query", "status"),
    [
        ("PB91000000001", {"tuThang": "2024-12", "denThang": "2024-01"}, 422),
        ("PB91000000001", {"tuThang": "2020-01", "denThang": "2024-12"}, 422),
        ("PB91000000001", {"tuThang": "2024-13", "denThang": "2024-12"}, 422),
        ("PB91099999999", {"tuThang": "2024-01", "denThang": "2024-12"}, 404),
        ("PA91000000001", {"tuThang": "2024-01", "denThang": "2024-12"}, 404),  # An Giang is EVNSPC's
    ],
)
async def test_consumption_queries_out_of_bounds_or_for_unknown_customers_are_refused(
    client: httpx.AsyncClient, code: str, query: dict[str, str], status: int
) -> None:
    response = await client.get(f"{EVN}/khach-hang/{code}/san-luong", params=query)
    assert response.status_code == status
    checked(response, "/khach-hang/{maKhachHang}/san-luong")


async def test_a_family_of_four_uses_more_than_a_person_living_alone(client: httpx.AsyncClient) -> None:
    period = {"tuThang": "2025-01", "denThang": "2025-06"}

    async def total(code: str) -> int:
        response = await client.get(f"{EVN}/khach-hang/{code}/san-luong", params=period)
        return sum(item["dienNangTieuThu"] for item in response.json()["value"]["items"])

    assert await total("PB91000000003") > 1.5 * await total(HOUSEHOLD_CUSTOMER)  # HOUSEHOLD_COUPLE's meter
