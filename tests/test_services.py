"""What the example cases cannot show: paging, timeouts, dossiers moving over time, callbacks over HTTP.

Each request/answer pair of the three services is an example case (contracts/cases/, tests/contracts/).
"""

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
from tests.contract_checks import response_validator
from tests.local_http import CallbackReceiver
from tests.samples import birth_registration

DAN_CU = "/apiCSDLDanCu/1.0"
DKDN = "/apiCSDLDKDN/1.0"
HO_TICH = "/apiHoTich/1.0"
_METHODS = {"dangKyKhaiSinh": "post", "traCuuHoSo": "get", "boSungHoSo": "post"}
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


async def test_enterprise_list_pages_do_not_overlap(stack: GatewayHarness) -> None:
    first = (await _get(stack, f"{DKDN}/danhSachDoanhNghiep", maTinh="91", page=1, pageSize=3)).json()
    second = (await _get(stack, f"{DKDN}/danhSachDoanhNghiep", maTinh="91", page=2, pageSize=3)).json()
    assert first["total"] == second["total"] >= 4
    ids = [e["MaSoDoanhNghiep"] for e in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 6


async def test_a_backend_that_does_not_answer_in_time_is_a_timeout(stack: GatewayHarness) -> None:
    # The only scenario not among the example cases: it lasts the service's whole timeout.
    response = await _post(
        stack,
        f"{DAN_CU}/TraCuuThongTinCongDan",
        {**CALLER, "SoDinhDanh": identities.CITIZEN_EXISTS},
        **{"x-mock-scenario": "timeout"},
    )
    assert (response.status_code, response.json()["type"]) == (504, "Server.Backend.Timeout")


def _conforms(response: httpx.Response, operation: str) -> dict[str, Any]:
    """The answer matches the 200 schema of the gateway-facing contract (states the cases cannot reach)."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    response_validator("ho_tich.openapi.yaml", f"{HO_TICH}/{operation}", _METHODS[operation], "200").validate(
        body
    )
    return body


async def _wait_for_status(gateway: GatewayHarness, ma_ho_so: str, status: str) -> dict[str, Any]:
    for _ in range(200):
        value = _conforms(await _get(gateway, f"{HO_TICH}/traCuuHoSo", maHoSo=ma_ho_so), "traCuuHoSo")[
            "value"
        ]
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
    assert _conforms(receipt, "dangKyKhaiSinh")["value"]["trangThai"] == "received"

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
    assert _conforms(supplied, "boSungHoSo")["value"]["trangThai"] == "processing"
    done = await _wait_for_status(stack, "000.00.00.H91-KS-0002", "done")
    assert len(done["ketQuaXuLy"]["soDinhDanh"]) == 12
