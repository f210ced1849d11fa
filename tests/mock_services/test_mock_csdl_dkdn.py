"""The business-registry mock: enterprise detail, paged list, registration-dossier status."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI
from mock_helpers import soap_call

from ndxp_sim.core import identities as ids
from ndxp_sim.core.catalogue import services
from ndxp_sim.mock_services.clock import now_vn


async def test_detail_of_an_active_enterprise(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/csdl_dkdn/doanh-nghiep/{ids.ENTERPRISE_ACTIVE}")
    assert response.status_code == 200
    [cert] = response.json()["GetEntCert"]
    assert cert["MaSoDoanhNghiep"] == ids.ENTERPRISE_ACTIVE
    assert cert["TenTiengViet"] == "Công ty TNHH Thương mại Dịch vụ Minh Phát An Giang"
    assert cert["NgayDangKyLanDau"] == "2012-04-09"
    assert cert["TinhTrangPhapLy"][0]["MaTinhTrangPhapLy"] == "00"
    assert cert["DiaChiTruSo"][0]["DiaChi"][0]["MaTinhThanh"] == 91
    main_trade = {"MaNganh": "4690", "TenNganh": "Bán buôn tổng hợp", "LaNganhChinh": 1}
    assert main_trade in cert["NganhNgheKinhDoanh"]
    [representative] = cert["DaiDienPhapLuat"][0]["ThongTinCaNhan"]
    assert representative["HoVaTen"] == "NGUYỄN VĂN AN"
    assert representative["SoGiayChungThuc"] == ids.CITIZEN_EXISTS


async def test_legal_representative_is_the_same_citizen_in_the_population_db(
    client: httpx.AsyncClient,
) -> None:
    cert = (await client.get(f"/csdl_dkdn/doanh-nghiep/{ids.ENTERPRISE_DISSOLVED}")).json()["GetEntCert"][0]
    assert cert["TinhTrangPhapLy"][0]["TinhTrangPhapLy"] == "Đã giải thể"
    number = cert["DaiDienPhapLuat"][0]["ThongTinCaNhan"][0]["SoGiayChungThuc"]
    _, _, body = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=number)
    person = body["CongdanCollection"]["CongDan"]
    full_name = " ".join(person["HoVaTen"][k] for k in ("Ho", "ChuDem", "Ten"))
    assert full_name.upper() == cert["DaiDienPhapLuat"][0]["ThongTinCaNhan"][0]["HoVaTen"]


@pytest.mark.parametrize("msdn", ["1600123454", "12345", "160012345X", "1600123453-000"])
async def test_bad_msdn_is_422(client: httpx.AsyncClient, msdn: str) -> None:
    response = await client.get(f"/csdl_dkdn/doanh-nghiep/{msdn}")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_msdn"


async def test_unknown_enterprise_is_404(client: httpx.AsyncClient) -> None:
    # A valid check digit, but not in the registry.
    response = await client.get("/csdl_dkdn/doanh-nghiep/0100109106")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "không tìm thấy doanh nghiệp 0100109106"}


async def test_list_pages_are_stable_and_complete(client: httpx.AsyncClient) -> None:
    first = (await client.get("/csdl_dkdn/doanh-nghiep", params={"maTinh": "91", "pageSize": 1})).json()
    total = first["total"]
    assert total >= 2  # the two fixed enterprises are in An Giang
    seen = []
    for page in range(1, total + 1):
        body = (
            await client.get("/csdl_dkdn/doanh-nghiep", params={"maTinh": "91", "page": page, "pageSize": 1})
        ).json()
        assert (body["page"], body["pageSize"], body["total"]) == (page, 1, total)
        seen += [item["MaSoDoanhNghiep"] for item in body["items"]]
    assert seen == sorted(seen) and len(set(seen)) == total
    whole = (await client.get("/csdl_dkdn/doanh-nghiep", params={"maTinh": "91", "pageSize": 100})).json()
    assert [item["MaSoDoanhNghiep"] for item in whole["items"]] == seen[:100]
    assert {item["MaTinhThanh"] for item in whole["items"]} == {91}
    past = (
        await client.get("/csdl_dkdn/doanh-nghiep", params={"maTinh": "91", "page": total + 1, "pageSize": 1})
    ).json()
    assert past["items"] == []
    everyone = (await client.get("/csdl_dkdn/doanh-nghiep")).json()
    assert everyone["total"] >= total and everyone["pageSize"] == 20


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"pageSize": 101}, "invalid_page"),
        ({"pageSize": 0}, "invalid_page"),
        ({"page": 0}, "invalid_page"),
        ({"maTinh": "99"}, "invalid_province"),
        ({"page": "x"}, "validation_error"),
    ],
)
async def test_bad_list_parameters_are_422(
    client: httpx.AsyncClient, params: dict[str, object], code: str
) -> None:
    response = await client.get("/csdl_dkdn/doanh-nghiep", params=params)
    assert response.status_code == 422
    assert response.json()["error"] == code


def ma_ho_so(msdn: str, day: date, seq: int = 1) -> str:
    return f"DKDN-{msdn}-{day:%Y%m%d}-{seq:03d}"


async def test_registration_dossier_status_follows_the_enterprise_history(client: httpx.AsyncClient) -> None:
    async def status(code: str) -> httpx.Response:
        return await client.get(f"/csdl_dkdn/ho-so/{code}")

    founded = (await status(ma_ho_so(ids.ENTERPRISE_ACTIVE, date(2012, 4, 9)))).json()
    assert (founded["TrangThai"], founded["LoaiHoSo"]) == ("DA_CAP_GCN", "Đăng ký thành lập doanh nghiệp")
    assert founded["NgayXuLy"] == "2012-04-09"
    changed = (await status(ma_ho_so(ids.ENTERPRISE_ACTIVE, date(2021, 10, 18), 7))).json()
    assert changed["TrangThai"] == "DA_CAP_GCN"
    assert changed["MaHoSo"].endswith("-007")
    today = now_vn().date()
    pending = (await status(ma_ho_so(ids.ENTERPRISE_ACTIVE, today - timedelta(days=1)))).json()
    assert pending["TrangThai"] == "DANG_XU_LY" and pending["NgayXuLy"] is None
    refused = await status(ma_ho_so(ids.ENTERPRISE_ACTIVE, date(2015, 6, 1)))
    assert refused.json()["TrangThai"] == "TU_CHOI"
    assert (await status(ma_ho_so(ids.ENTERPRISE_ACTIVE, date(2015, 6, 1)))).json() == refused.json()

    before_founding = ma_ho_so(ids.ENTERPRISE_ACTIVE, date(2010, 1, 1))
    assert (await status(before_founding)).status_code == 404
    assert (await status(ma_ho_so("0100109106", date(2015, 6, 1)))).status_code == 404
    for bad in (
        "DKDN-1600123453-20150601",
        "HS-1",
        ma_ho_so(ids.ENTERPRISE_ACTIVE, today + timedelta(days=2)),
        "DKDN-1600123453-20151301-001",
    ):
        response = await status(bad)
        assert response.status_code == 422, bad
        assert response.json()["error"] == "invalid_ma_ho_so"


async def test_unknown_path_under_an_implemented_service_is_json_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/csdl_dkdn/khong-co")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


async def test_health_lists_services(client: httpx.AsyncClient, mock_app: FastAPI) -> None:
    body = (await client.get("/health")).json()
    assert body["status"] == "ok"
    assert body["population"] == len(mock_app.state.mocks.population.citizens)
    assert body["services"]["csdl_dkdn"] == "implemented"
    assert body["services"] == {key: "implemented" for key in services()} and len(body["services"]) == 24
