"""Metaservices, diagnostics, health and metrics."""

from __future__ import annotations

import httpx
import respx

from ndxp_sim.gateway.diag import connectivity
from tests.conftest import LIMITED_CONSUMER, GatewayHarness

MOCKS = "http://127.0.0.1:9100"


async def test_all_24_services_are_listed_with_what_is_implemented(gateway: GatewayHarness) -> None:
    listed = (await gateway.client.get("/_meta/services")).json()["services"]
    assert [s["number"] for s in listed] == list(range(1, 25))
    implemented = {s["key"] for s in listed if s["implemented"]}
    assert {"csdl_dkdn", "csdl_dan_cu", "ho_tich"} <= implemented
    dan_cu = next(s for s in listed if s["key"] == "csdl_dan_cu")
    assert dan_cu["protocol"] == "soap" and dan_cu["pattern"] == "L"
    assert {
        "name": "TraCuuThongTinCongDan",
        "method": "POST",
        "path": "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
    }.items() <= dan_cu["operations"][0].items()
    assert all(not s["operations"] for s in listed if not s["implemented"])
    assert dan_cu["soap_front"] == {"path": "/apiCSDLDanCu/1.0/soap", "wsdl": "/apiCSDLDanCu/1.0/soap?wsdl"}
    assert next(s for s in listed if s["key"] == "csdl_dkdn")["soap_front"] is None


async def test_allowed_lists_only_what_this_consumer_may_call(gateway: GatewayHarness) -> None:
    full = (await gateway.client.get("/_meta/allowed", headers=await gateway.auth())).json()
    limited = (
        await gateway.client.get("/_meta/allowed", headers=await gateway.auth(LIMITED_CONSUMER))
    ).json()
    assert {s["service"] for s in full["services"]} >= {"csdl_dkdn", "csdl_dan_cu", "ho_tich"}
    assert limited == {
        "consumer": "000.00.00.H92",
        "tier": "Bronze",
        "services": [{"service": "csdl_dkdn", "operations": ["chiTietDoanhNghiep"]}],
    }
    assert (await gateway.client.get("/_meta/allowed")).status_code == 401


async def test_openapi_of_a_service_describes_its_operations(gateway: GatewayHarness) -> None:
    spec = (await gateway.client.get("/_meta/openapi/csdl_dkdn")).json()
    assert spec["openapi"] == "3.1.0"
    operation = spec["paths"]["/apiCSDLDKDN/1.0/chiTietDoanhNghiep"]["get"]
    assert operation["parameters"][0]["name"] == "msdn" and operation["parameters"][0]["required"]
    assert {"401", "403", "422", "429", "502", "503", "504"} <= set(operation["responses"])
    assert (await gateway.client.get("/_meta/openapi/dich_vu_khong_co")).status_code == 404


@respx.mock
async def test_connectivity_self_test_is_green_or_red_with_a_reason(gateway: GatewayHarness) -> None:
    headers = await gateway.auth()
    respx.get(url__startswith=f"{MOCKS}/csdl_dkdn/").respond(json={"GetEntCert": []})
    green = (await gateway.client.get("/_diag/connect/csdl_dkdn", headers=headers)).json()
    assert green["status"] == "green" and green["operation"] == "chiTietDoanhNghiep"
    assert green["case"] == "enterprise-found"  # the diagnostic case of contracts/cases/csdl_dkdn.yaml
    assert green["mismatches"][0] == "field GetEntCert.0.MaSoDoanhNghiep: expected '1600123453', missing"
    respx.post(f"{MOCKS}/csdl_dan_cu/soap").mock(side_effect=httpx.ConnectError("refused"))
    red = (await gateway.client.get("/_diag/connect/csdl_dan_cu", headers=headers)).json()
    assert red["status"] == "red" and "could not be reached" in red["reason"]
    del gateway.app.runtime.adapters["ho_tich"].by_name["traCuuHoSo"]  # as a province's own adapter might
    unknown = (await gateway.client.get("/_diag/connect/ho_tich", headers=headers)).json()
    assert unknown["status"] == "unknown" and "traCuuHoSo" in unknown["reason"]


@respx.mock
async def test_readiness_reports_each_backend_and_the_log(gateway: GatewayHarness) -> None:
    assert (await gateway.client.get("/health")).json() == {"status": "ok"}
    respx.get(url__regex=rf"{MOCKS}/(?!csdl_dan_cu/)\w+/health").respond(json={"status": "ok"})  # all others
    respx.get(f"{MOCKS}/csdl_dan_cu/health").mock(side_effect=httpx.ConnectError("refused"))
    response = await gateway.client.get("/health/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["backend:csdl_dkdn"]["ok"] and not checks["backend:csdl_dan_cu"]["ok"]
    assert checks["exchange_log"]["ok"]


@respx.mock
async def test_metrics_count_requests_and_errors_per_service_and_consumer(gateway: GatewayHarness) -> None:
    respx.get(url__startswith=f"{MOCKS}/csdl_dkdn/").respond(503)
    headers = await gateway.auth()
    await gateway.client.get("/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0100109106", headers=headers)
    text = (await gateway.client.get("/metrics")).text
    assert 'ndxp_requests_total{consumer="000.00.00.H91",service="csdl_dkdn",status="503"} 1.0' in text
    labels = 'consumer="000.00.00.H91",service="csdl_dkdn",type="Server.Backend.Unavailable"'
    assert f"ndxp_errors_total{{{labels}}} 1.0" in text
    assert "ndxp_request_duration_seconds_bucket" in text


async def test_the_gateways_own_endpoints_answer_errors_in_the_same_shape(gateway: GatewayHarness) -> None:
    missing = await gateway.client.get("/_meta/nothing-here")
    assert missing.status_code == 404 and missing.json()["type"] == "Client.NotFound"
    wrong_method = await gateway.client.delete("/health")
    assert wrong_method.status_code == 405 and wrong_method.json()["type"] == "Client.MethodNotAllowed"
    assert wrong_method.headers["x-ndxp-error"] == "Client.MethodNotAllowed"


@respx.mock
async def test_the_console_self_test_uses_the_cached_health_checks_not_service_calls(
    gateway: GatewayHarness,
) -> None:
    """Console self-test of every service, twice → green/red from each backend's /health, one health round
    for both, and no service call reaches a backend (so no citizen is looked up without a record)."""
    respx.get(f"{MOCKS}/csdl_dan_cu/health").respond(503)
    health = respx.get(url__regex=rf"{MOCKS}/\w+/health$").respond(json={"status": "ok"})
    service_calls = respx.route(path__regex=r"^/(?!.*/health$)")
    runtime = gateway.app.runtime
    for _ in range(2):
        tests = {key: await connectivity(runtime, key) for key in ("csdl_dkdn", "ho_tich", "csdl_dan_cu")}
    assert tests["csdl_dkdn"]["status"] == tests["ho_tich"]["status"] == "green"
    assert tests["csdl_dan_cu"] == {
        "service": "csdl_dan_cu",
        "status": "red",
        "reason": "GET /health: HTTP 503",
    }
    assert health.call_count == len(runtime.adapters) - 1  # one cached round for every backend
    assert not service_calls.called
    assert not gateway.sink.exchanges
