"""The REST mocks answer what their backend OpenAPI contracts promise, also for requests the gateway refuses.

The answers to every example case are checked in tests/contracts/test_cases.py.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mock_helpers import BIRTH, birth, eventually

from ndxp_sim.core import identities as ids
from tests.contract_checks import response_validator


def check(response: httpx.Response, service: str, path: str, method: str = "get") -> Any:
    body = response.json()
    contract = f"backends/{service}.openapi.yaml"
    response_validator(contract, path, method, str(response.status_code)).validate(body)
    return body


@pytest.mark.parametrize(
    ("url", "path"),
    [
        (f"/csdl_dkdn/doanh-nghiep/{ids.ENTERPRISE_ACTIVE}", "/doanh-nghiep/{msdn}"),
        (f"/csdl_dkdn/doanh-nghiep/{ids.ENTERPRISE_DISSOLVED}", "/doanh-nghiep/{msdn}"),
        ("/csdl_dkdn/doanh-nghiep/0100109106", "/doanh-nghiep/{msdn}"),
        ("/csdl_dkdn/doanh-nghiep/1600123454", "/doanh-nghiep/{msdn}"),
        ("/csdl_dkdn/doanh-nghiep?maTinh=91&pageSize=100", "/doanh-nghiep"),
        ("/csdl_dkdn/doanh-nghiep?pageSize=101", "/doanh-nghiep"),
        (f"/csdl_dkdn/ho-so/DKDN-{ids.ENTERPRISE_ACTIVE}-20120409-001", "/ho-so/{maHoSo}"),
        (f"/csdl_dkdn/ho-so/DKDN-{ids.ENTERPRISE_ACTIVE}-20150601-001", "/ho-so/{maHoSo}"),
        ("/csdl_dkdn/ho-so/DKDN-0100109106-20150601-001", "/ho-so/{maHoSo}"),
    ],
)
async def test_csdl_dkdn_answers_match_the_contract(client: httpx.AsyncClient, url: str, path: str) -> None:
    check(await client.get(url), "csdl_dkdn", path)


async def test_ho_tich_answers_match_the_contract(client: httpx.AsyncClient) -> None:
    check(await client.post("/ho_tich/khai-sinh", json=birth(maGCS=None)), "ho_tich", "/khai-sinh", "post")
    check(await client.post("/ho_tich/khai-sinh", json=birth(meSoDDCN="1")), "ho_tich", "/khai-sinh", "post")
    status_url = f"/ho_tich/ho-so/{BIRTH['maHoSo']}"

    async def waiting() -> bool:
        return (await client.get(status_url)).json()["value"]["trangThai"] == "supplement_requested"

    await eventually(waiting)
    check(await client.get(status_url), "ho_tich", "/ho-so/{maHoSo}")
    supplement = await client.post(f"{status_url}/bo-sung", json={"maGCS": "GCS-1"})
    check(supplement, "ho_tich", "/ho-so/{maHoSo}/bo-sung", "post")

    async def done() -> bool:
        return (await client.get(status_url)).json()["value"]["trangThai"] == "done"

    await eventually(done)
    body = check(await client.get(status_url), "ho_tich", "/ho-so/{maHoSo}")
    assert body["value"]["ketQuaXuLy"]["soDinhDanh"]
    check(await client.get("/ho_tich/ho-so/KHONG-CO"), "ho_tich", "/ho-so/{maHoSo}")
    check(await client.post(f"{status_url}/bo-sung", json={}), "ho_tich", "/ho-so/{maHoSo}/bo-sung", "post")
