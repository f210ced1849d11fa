"""A backend refusal (REST 400/422/409, SOAP Client fault) names the field and the reason, cleaned."""

from __future__ import annotations

import httpx
import respx

from ndxp_sim.adapters import soap
from ndxp_sim.adapters.rejections import MAX_REASON_CHARS
from ndxp_sim.core import identities
from tests.conftest import GatewayHarness
from tests.samples import birth_registration

MOCKS = "http://127.0.0.1:9100"
LISTING = "/apiCSDLDKDN/1.0/danhSachDoanhNghiep"
KHAI_SINH = "/apiHoTich/1.0/dangKyKhaiSinh"
DAN_CU = "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan"


async def _message(response: httpx.Response, status: int, error_type: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == error_type
    message: str = body["message"]
    return message


@respx.mock
async def test_a_rest_refusal_names_the_field_and_reason_without_control_characters(
    gateway: GatewayHarness,
) -> None:
    """Backend 422 whose reason carries a NUL, a newline and 1000 characters → `field: reason` in one clean,
    bounded line; the rest of the body (an internal trace) is not echoed."""
    reason = "mã tỉnh '99'\x00 không\r\nhợp lệ" + "x" * 1000
    respx.get(url__startswith=f"{MOCKS}/csdl_dkdn/doanh-nghiep").respond(
        422,
        json={
            "error": "invalid_province",
            "message": "internal: at com.example.Lookup(Lookup.java:42)",
            "detail": [{"loc": ["query", "maTinh"], "msg": reason}],
        },
    )
    response = await gateway.client.get(LISTING, params={"maTinh": "91"}, headers=await gateway.auth())
    message = await _message(response, 422, "Client.InvalidRequest")
    assert message.startswith("maTinh: mã tỉnh '99' không hợp lệxxx")
    assert message.endswith("(the backend rejected the request)")
    assert message.isprintable() and "Lookup.java" not in message
    assert len(message) <= len("maTinh: ") + MAX_REASON_CHARS + len(" (the backend rejected the request)")


@respx.mock
async def test_a_refusal_with_an_unreadable_body_stays_generic(gateway: GatewayHarness) -> None:
    """Backend 400 with an HTML page → the generic message, nothing of the page."""
    respx.get(url__startswith=f"{MOCKS}/csdl_dkdn/doanh-nghiep").respond(400, html="<h1>Bad Request</h1>")
    response = await gateway.client.get(LISTING, params={"maTinh": "91"}, headers=await gateway.auth())
    message = await _message(response, 422, "Client.InvalidRequest")
    assert message == "the backend rejected the request as invalid"


@respx.mock
async def test_a_conflict_says_why(gateway: GatewayHarness) -> None:
    """Backend 409 with its reason → 409 whose message carries that reason."""
    why = "maHoSo 000.00.00.H91-KS-1 was already submitted with different content"
    respx.post(url__startswith=f"{MOCKS}/ho_tich").respond(409, json={"error": "conflict", "message": why})
    response = await gateway.client.post(
        KHAI_SINH, json=birth_registration("000.00.00.H91-KS-1"), headers=await gateway.auth()
    )
    assert why in await _message(response, 409, "Client.Conflict")


@respx.mock
async def test_a_soap_client_fault_names_truongloi_and_mota(gateway: GatewayHarness) -> None:
    """SOAP Client fault with TruongLoi/MoTa → 422 `TruongLoi: MoTa`; the faultstring is not echoed."""
    fault = soap.SoapFault(
        "Client",
        "ORA-00942: table or view does not exist",
        {"MaLoi": "CD-422", "TruongLoi": "SoDinhDanh", "MoTa": "SoDinhDanh\tkhông hợp lệ"},
    )
    respx.post(f"{MOCKS}/csdl_dan_cu/soap").respond(
        500, content=soap.build_fault(fault, "http://dancuquocgia.bca"), content_type=soap.CONTENT_TYPE
    )
    body = {"MaYeuCau": "YC-1", "MaCanBo": "CB-7", "SoDinhDanh": identities.CITIZEN_EXISTS}
    response = await gateway.client.post(DAN_CU, json=body, headers=await gateway.auth())
    message = await _message(response, 422, "Client.InvalidRequest")
    assert message == "SoDinhDanh: SoDinhDanh không hợp lệ (the backend rejected the request)"
