"""The three services end to end in-process: gateway → adapter → the real mock app; callbacks over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ndxp_sim.adapters.upstream import HttpxUpstream
from ndxp_sim.core import identities
from ndxp_sim.mock_services.app import create_mock_app
from tests.conftest import GatewayHarness, MakeGateway, MakeSettings
from tests.local_http import CallbackReceiver
from tests.samples import birth_registration

DAN_CU = "/apiCSDLDanCu/1.0"
DKDN = "/apiCSDLDKDN/1.0"
HO_TICH = "/apiHoTich/1.0"
CALLER = {"MaYeuCau": "YC-2025-0001", "MaDVC": "1.000656", "MaTichHop": "LGSP-AG", "MaCanBo": "CB-0042"}


@pytest.fixture
async def stack(make_gateway: MakeGateway, make_settings: MakeSettings) -> AsyncIterator[GatewayHarness]:
    settings = make_settings(services={"csdl_dan_cu": {"timeout_s": 0.5}, "csdl_dkdn": {"timeout_s": 0.5}})
    mock_app = create_mock_app(settings)
    async with mock_app.router.lifespan_context(mock_app):
        upstream = HttpxUpstream(httpx.AsyncClient(transport=httpx.ASGITransport(app=mock_app)))
        yield make_gateway(settings, upstream)


async def _post(gateway: GatewayHarness, path: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return await gateway.client.post(path, json=body, headers={**await gateway.auth(), **headers})


async def _get(gateway: GatewayHarness, path: str, **params: Any) -> httpx.Response:
    return await gateway.client.get(path, params=params, headers=await gateway.auth())


async def test_citizen_lookup_returns_the_shared_population_record(stack: GatewayHarness) -> None:
    response = await _post(
        stack, f"{DAN_CU}/TraCuuThongTinCongDan", {**CALLER, "SoDinhDanh": identities.CITIZEN_EXISTS}
    )
    assert response.status_code == 200, response.text
    [person] = response.json()["CongdanCollection"]["CongDan"]
    assert person["SoDinhDanh"] == identities.CITIZEN_EXISTS
    assert person["HoVaTen"] == {"Ho": "Nguyễn", "ChuDem": "Văn", "Ten": "An"}
    by_cmnd = await _post(
        stack, f"{DAN_CU}/TraCuuThongTinCongDan", {**CALLER, "SoCMND": identities.CITIZEN_EXISTS_CMND}
    )
    assert by_cmnd.json()["CongdanCollection"]["CongDan"][0]["SoDinhDanh"] == identities.CITIZEN_EXISTS


async def test_unknown_and_deceased_citizens(stack: GatewayHarness) -> None:
    missing = await _post(
        stack, f"{DAN_CU}/TraCuuThongTinCongDan", {**CALLER, "SoDinhDanh": identities.CITIZEN_MISSING}
    )
    assert missing.status_code == 404 and missing.json()["type"] == "Client.NotFound"
    deceased = await _post(
        stack, f"{DAN_CU}/TraCuuThongTinCongDan", {**CALLER, "SoDinhDanh": identities.CITIZEN_DECEASED}
    )
    assert deceased.json()["CongdanCollection"]["CongDan"][0]["TrangThai"] == "Đã chết"


async def test_identity_check_and_marital_status(stack: GatewayHarness) -> None:
    name = {"Ho": "Nguyễn", "ChuDem": "Văn", "Ten": "An"}
    match = await _post(
        stack,
        f"{DAN_CU}/XacThucThongTinCongDan",
        {
            **CALLER,
            "SoDinhDanh": identities.CITIZEN_EXISTS,
            "HoVaTen": name,
            "NgayThangNamSinh": {"NgayThangNam": "19850315"},
        },
    )
    assert match.json()["KetQua"] == "true"
    mismatch = await _post(
        stack,
        f"{DAN_CU}/XacThucThongTinCongDan",
        {
            **CALLER,
            "SoDinhDanh": identities.CITIZEN_EXISTS,
            "HoVaTen": name,
            "NgayThangNamSinh": {"NgayThangNam": "19860315"},
        },
    )
    assert mismatch.json()["KetQua"] == "false"
    assert "NgayThangNamSinh" in str(mismatch.json()["TruongKhongKhop"])
    married = await _post(
        stack, f"{DAN_CU}/XacMinhTinhTrangHonNhan", {**CALLER, "SoDinhDanh": identities.COUPLE_HUSBAND}
    )
    assert married.json()["TinhTrangHonNhan"] == "Đã kết hôn"
    assert married.json()["VoChong"]["SoDinhDanh"] == identities.COUPLE_WIFE


async def test_enterprise_registry(stack: GatewayHarness) -> None:
    active = (await _get(stack, f"{DKDN}/chiTietDoanhNghiep", msdn=identities.ENTERPRISE_ACTIVE)).json()
    assert active["GetEntCert"][0]["MaSoDoanhNghiep"] == identities.ENTERPRISE_ACTIVE
    dissolved = (await _get(stack, f"{DKDN}/chiTietDoanhNghiep", msdn=identities.ENTERPRISE_DISSOLVED)).json()
    assert "giải thể" in dissolved["GetEntCert"][0]["TinhTrangPhapLy"][0]["TinhTrangPhapLy"]
    first = (await _get(stack, f"{DKDN}/danhSachDoanhNghiep", maTinh="91", page=1, pageSize=3)).json()
    second = (await _get(stack, f"{DKDN}/danhSachDoanhNghiep", maTinh="91", page=2, pageSize=3)).json()
    assert first["total"] == second["total"] >= 4
    ids = [e["MaSoDoanhNghiep"] for e in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 6
    unknown = await _get(stack, f"{DKDN}/chiTietDoanhNghiep", msdn="0100109106")
    assert unknown.status_code == 404


@pytest.mark.parametrize(
    ("scenario", "status", "error_type"),
    [
        ("timeout", 504, "Server.Backend.Timeout"),
        ("malformed", 502, "Server.Backend.BadResponse"),
        ("error:503", 503, "Server.Backend.Unavailable"),
        ("error:500", 502, "Server.Backend.Error"),
        ("soap-fault", 502, "Server.Backend.Fault"),
        ("not-found", 404, "Client.NotFound"),
    ],
)
async def test_scenarios_reach_the_mock_and_come_back_as_typed_errors(
    stack: GatewayHarness, scenario: str, status: int, error_type: str
) -> None:
    response = await _post(
        stack,
        f"{DAN_CU}/TraCuuThongTinCongDan",
        {**CALLER, "SoDinhDanh": identities.CITIZEN_EXISTS},
        **{"x-mock-scenario": scenario},
    )
    assert (response.status_code, response.json()["type"]) == (status, error_type)


async def _wait_for_status(gateway: GatewayHarness, ma_ho_so: str, status: str) -> dict[str, Any]:
    for _ in range(200):
        value = (await _get(gateway, f"{HO_TICH}/traCuuHoSo", maHoSo=ma_ho_so)).json()["value"]
        if value["trangThai"] == status:
            return value  # type: ignore[no-any-return]
        await asyncio.sleep(0.02)
    raise AssertionError(f"{ma_ho_so} never reached {status}; last {value['trangThai']}")


async def test_birth_registration_gives_the_child_an_id_and_calls_back(
    stack: GatewayHarness, receiver: CallbackReceiver
) -> None:
    receiver.script = [500]  # the first delivery fails: the mock must retry
    receipt = await _post(
        stack,
        f"{HO_TICH}/dangKyKhaiSinh",
        birth_registration("000.00.00.H91-KS-0001", receiver.url),
        MaHoSo="000.00.00.H91-KS-0001",
    )
    assert receipt.status_code == 200, receipt.text
    assert receipt.json()["value"]["trangThai"] == "received"
    again = await _post(
        stack, f"{HO_TICH}/dangKyKhaiSinh", birth_registration("000.00.00.H91-KS-0001", receiver.url)
    )
    assert again.json() == receipt.json()  # idempotent by maHoSo

    done = await _wait_for_status(stack, "000.00.00.H91-KS-0001", "done")
    child_id = done["ketQuaXuLy"]["soDinhDanh"]
    assert [step["trangThai"] for step in done["lichSu"]][:2] == ["received", "processing"]
    child = await _post(stack, f"{DAN_CU}/TraCuuThongTinCongDan", {**CALLER, "SoDinhDanh": child_id})
    assert child.status_code == 200
    person = child.json()["CongdanCollection"]["CongDan"][0]
    assert person["Me"]["SoDinhDanh"] == identities.COUPLE_WIFE

    await receiver.wait_for(lambda: any(b'"done"' in d["raw"] for d in receiver.received), limit_s=10)
    delivered = [d for d in receiver.received if d["answered"] == 200]
    statuses = [httpx.Response(200, content=d["raw"]).json()["trangThai"] for d in delivered]
    assert statuses[-1] == "done" and "processing" in statuses
    key = stack.app.runtime.settings.mocks.callback_key.get_secret_value().encode()
    for delivery in delivered:
        headers, body = delivery["headers"], delivery["raw"]
        signed = f"{headers['X-NDXP-Timestamp']}.".encode() + body
        expected = "sha256=" + hmac.new(key, signed, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-NDXP-Signature"], expected)


async def test_a_dossier_without_birth_certificate_waits_for_supplement(stack: GatewayHarness) -> None:
    body = birth_registration("000.00.00.H91-KS-0002", None, with_certificate=False)
    assert (await _post(stack, f"{HO_TICH}/dangKyKhaiSinh", body)).status_code == 200
    await _wait_for_status(stack, "000.00.00.H91-KS-0002", "supplement_requested")
    supplied = await _post(
        stack, f"{HO_TICH}/boSungHoSo", {"maHoSo": "000.00.00.H91-KS-0002", "maGCS": "GCS-9"}
    )
    assert supplied.status_code == 200, supplied.text
    done = await _wait_for_status(stack, "000.00.00.H91-KS-0002", "done")
    assert len(done["ketQuaXuLy"]["soDinhDanh"]) == 12
