"""Dossier services (#10, …) through the gateway: every call of a dossier carries its code, results arrive."""

from __future__ import annotations

import asyncio
import base64
import copy
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from ndxp_sim.adapters.upstream import HttpxUpstream
from ndxp_sim.contracts.cases import load_cases
from ndxp_sim.gateway.logpipe.masking import Masker
from ndxp_sim.mock_services.app import create_mock_app
from tests.conftest import GatewayHarness, MakeGateway, MakeSettings


@pytest.fixture
async def gateway(make_gateway: MakeGateway, make_settings: MakeSettings) -> AsyncIterator[GatewayHarness]:
    settings = make_settings()
    mock_app = create_mock_app(settings)
    async with mock_app.router.lifespan_context(mock_app):
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=mock_app))
        yield make_gateway(settings, HttpxUpstream(client))


def case_body(service: str, name: str) -> dict[str, Any]:
    case = next(case for case in load_cases(service) if case.name == name)
    assert case.body is not None
    return copy.deepcopy(dict(case.body))


async def call(gateway: GatewayHarness, path: str, body: dict[str, Any]) -> httpx.Response:
    return await gateway.client.post(path, json=body, headers=await gateway.auth())


async def until(check: Any, limit_s: float = 10.0) -> Any:
    """Poll `check` (an HTTP call) until it returns something truthy; generous bound, never timed."""
    deadline = asyncio.get_running_loop().time() + limit_s
    while not (found := await check()):
        assert asyncio.get_running_loop().time() < deadline, "not reached"
        await asyncio.sleep(0.02)
    return found


async def test_judicial_record_calls_trace_by_dossier_and_the_certificate_is_never_logged(
    gateway: GatewayHarness,
) -> None:
    request = case_body("ly_lich_tu_phap", "certificate-request-received")
    code = request["idReceivedDec"]
    receipt = await call(gateway, "/apiLLTP/1.0/nhanHoSoDangKy", request)
    assert receipt.status_code == 200, receipt.text

    async def issued() -> bool:
        answer = await call(gateway, "/apiLLTP/1.0/traTrangThaiHs", {"idReceivedDec": code, "infoType": "2"})
        return bool(answer.json()["DEC_STATUS_ID"] == "5")

    await until(issued)
    result = await call(gateway, "/apiLLTP/1.0/traHoSo", {"infoType": "2", "receiveNo": code})
    certificate = result.json()["LISTCONTENT"][0]["ketQuaXuLy"]
    assert base64.b64decode(certificate["phieuLLTP"]).startswith(b"%PDF-")

    traced = [e for e in gateway.sink.exchanges if e.correlation.get("MaHoSo") == code]
    assert {e.operation for e in traced} == {"nhanHoSoDangKy", "traTrangThaiHs", "traHoSo"}

    exchange = next(e for e in traced if e.operation == "traHoSo")
    masked = orjson.loads(
        Masker("fake-subject-key").mask_body(exchange.response_body or b"", "application/json", set())
    )
    logged = masked["LISTCONTENT"][0]
    assert logged["ketQuaXuLy"]["phieuLLTP"] == "***"
    assert request["declarationWSForm"]["identifyNo"] not in orjson.dumps(masked).decode()


async def test_budget_unit_code_arrives_through_the_gateway_and_every_call_traces(
    gateway: GatewayHarness,
) -> None:
    request = case_body("ma_dvqhns", "code-request-received")
    code = request["maHoSo"]
    assert (await call(gateway, "/apiMaDVQHNS/1.0/dangKyMaSoDVQHNS", request)).status_code == 200

    async def issued() -> dict[str, Any] | None:
        answer = await gateway.client.get(
            "/apiMaDVQHNS/1.0/traCuuHoSo", params={"maHoSo": code}, headers=await gateway.auth()
        )
        value: dict[str, Any] = answer.json()["value"]
        return value if value["trangThai"] == "done" else None

    done = await until(issued)
    assert done["ketQuaXuLy"]["maSoDVQHNS"].isdigit() and len(done["ketQuaXuLy"]["maSoDVQHNS"]) == 7
    traced = {e.operation for e in gateway.sink.exchanges if e.correlation.get("MaHoSo") == code}
    assert traced == {"dangKyMaSoDVQHNS", "traCuuHoSo"}


async def test_social_allowance_decision_arrives_through_the_gateway_and_every_call_traces(
    gateway: GatewayHarness,
) -> None:
    request = case_body("tro_giup_xa_hoi", "allowance-dossier-received")
    code = request["maHoSo"]
    assert (await call(gateway, "/apiTroGiupXaHoi/1.0/dangKyTroCapHangThang", request)).status_code == 200

    async def decided() -> dict[str, Any] | None:
        answer = await gateway.client.get(
            "/apiTroGiupXaHoi/1.0/traCuuHoSo", params={"maHoSo": code}, headers=await gateway.auth()
        )
        value: dict[str, Any] = answer.json()["value"]
        return value if value["trangThai"] == "done" else None

    decision = (await until(decided))["ketQuaXuLy"]
    assert decision["soTienHangThang"] == decision["mucChuan"] * 1.5  # severe disability, adult
    traced = {e.operation for e in gateway.sink.exchanges if e.correlation.get("MaHoSo") == code}
    assert traced == {"dangKyTroCapHangThang", "traCuuHoSo"}
