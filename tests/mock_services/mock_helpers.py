"""Helpers for the mock-backend tests: free ports, a callback receiver, polling, SOAP calls."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable, Collection
from typing import Any

import httpx

from ndxp_sim.adapters.soap import SoapFault, build_envelope, parse_envelope
from ndxp_sim.core import identities as ids
from tests.contract_checks import response_validator, template_of
from tests.local_http import CallbackReceiver, free_port  # noqa: F401 - re-exported for the mock tests

SOAP_NS = "http://dancuquocgia.bca"


async def eventually(check: Callable[[], Awaitable[bool]], limit_s: float = 5.0) -> None:
    """Poll `check` (an HTTP query, so there is no event to wait on) until it holds, for `limit_s` at most."""
    deadline = asyncio.get_running_loop().time() + limit_s
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not reached within {limit_s} s")
        await asyncio.sleep(0.01)


async def soap_call(
    client: httpx.AsyncClient, operation: str, **payload: Any
) -> tuple[int, str, dict[str, Any]]:
    """(HTTP status, operation or "Fault:<MaLoi>", payload or fault detail) of one SOAP call."""
    response = await client.post(
        "/csdl_dan_cu/soap",
        content=build_envelope(SOAP_NS, operation, payload),
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f"{SOAP_NS}/{operation}"},
    )
    try:
        name, body = parse_envelope(response.content)
    except SoapFault as fault:
        return response.status_code, f"{fault.code}:{fault.detail.get('MaLoi')}", fault.detail
    return response.status_code, name, body


# A complete birth-registration dossier for ho_tich.
BIRTH: dict[str, Any] = {
    "maDonVi": 30307,
    "maTinh": "91",
    "maTTHC": "1.001193.000.00.00.H01",
    "maHoSo": "H01.30307-251101-0001",
    "ngayTiepNhan": "2025-11-01 08:30:00",
    "hoTich": {
        "maGCS": "GCS-91-2025-000123",
        "nksHoTen": "Lê Minh Khang",
        "nksGioiTinh": "1",
        "nksNgaySinh": "2025-10-20",
        "nksNoiSinh": {"maTinh": "91", "maXa": "30307", "dcChiTiet": "Bệnh viện Đa khoa trung tâm An Giang"},
        "nksDanToc": "01",
        "nksQuocTich": "VN",
        "meHoTen": "Phạm Thị Dung",
        "meSoDDCN": ids.COUPLE_WIFE,
        "chaHoTen": "Lê Văn Cường",
        "chaSoDDCN": ids.COUPLE_HUSBAND,
        "nycHoTen": "Lê Văn Cường",
        "nycQuanHe": "Cha",
        "soLuongBanSao": 2,
    },
}


ENVELOPE = {"maDonVi", "maTinh", "maTTHC", "maHoSo", "ngayTiepNhan", "callbackUrl", "hoTich"}


def changed(
    sample: dict[str, Any], parts: tuple[str, ...], top: Collection[str] = (), **changes: Any
) -> dict[str, Any]:
    """A copy of the sample dossier with fields changed (None removes a field). A field goes to the top level
    if it is in `top` or already there, else to the first of the `parts` that has it, else to the first part.
    """
    body = copy.deepcopy(sample)
    for key, value in changes.items():
        inner = [body[part] for part in parts]
        target = body if key in top else next((part for part in (body, *inner) if key in part), inner[0])
        if value is None:
            target.pop(key, None)
        else:
            target[key] = value
    return body


def birth(**changes: Any) -> dict[str, Any]:
    """The sample birth dossier with top-level or hoTich fields changed (None removes a field)."""
    return changed(BIRTH, ("hoTich",), ENVELOPE, **changes)


async def contract_get(client: httpx.AsyncClient, service: str, path: str, **query: str) -> Any:
    """A 200 answer of a REST mock, checked against the service's backend contract."""
    response = await client.get(f"/{service}{path}", params=query)
    assert response.status_code == 200, response.text
    body = response.json()
    contract = f"backends/{service}.openapi.yaml"
    response_validator(contract, template_of(contract, path), "get", "200").validate(body)
    return body
