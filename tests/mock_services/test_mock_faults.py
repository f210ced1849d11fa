"""Scenario header and fault profiles, as a client of the mocks sees them."""

from __future__ import annotations

import json
import time

import httpx
import pytest
import uvicorn
from lxml import etree
from mock_helpers import eventually, soap_call

from ndxp_sim.core import identities as ids
from ndxp_sim.core.catalogue import services
from ndxp_sim.mock_services.registry import MOCKS

DETAIL = f"/csdl_dkdn/doanh-nghiep/{ids.ENTERPRISE_ACTIVE}"


def scenario(value: str) -> dict[str, str]:
    return {"X-Mock-Scenario": value}


async def test_error_scenario_answers_the_status_with_a_generic_body(client: httpx.AsyncClient) -> None:
    for status in (500, 502, 503):
        response = await client.get(DETAIL, headers=scenario(f"error:{status}"))
        assert response.status_code == status
        assert response.json() == {
            "error": "backend_error",
            "status": status,
            "message": f"simulated backend failure (scenario error:{status})",
        }


async def test_slow_scenario_delays_then_answers_normally(client: httpx.AsyncClient) -> None:
    started = time.perf_counter()
    response = await client.get(DETAIL, headers=scenario("slow:150"))
    assert time.perf_counter() - started >= 0.15
    assert response.status_code == 200
    assert response.json()["GetEntCert"][0]["MaSoDoanhNghiep"] == ids.ENTERPRISE_ACTIVE


async def test_not_found_scenario_for_rest_and_soap(client: httpx.AsyncClient) -> None:
    response = await client.get(DETAIL, headers=scenario("not-found"))
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    client.headers["X-Mock-Scenario"] = "not-found"
    status, name, _ = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=ids.CITIZEN_EXISTS)
    assert (status, name) == (500, "Client:CD-404")


async def test_malformed_scenario_breaks_json_and_xml(client: httpx.AsyncClient) -> None:
    response = await client.get(DETAIL, headers=scenario("malformed"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    assert response.text.startswith('{"GetEntCert"')

    client.headers["X-Mock-Scenario"] = "malformed"
    response = await client.post(
        "/csdl_dan_cu/soap",
        content=b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        b'<dc:TraCuuThongTinCongDan xmlns:dc="http://dancuquocgia.bca"><dc:SoDinhDanh>'
        + ids.CITIZEN_EXISTS.encode()
        + b"</dc:SoDinhDanh></dc:TraCuuThongTinCongDan></soap:Body></soap:Envelope>",
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.content)


async def test_soap_fault_scenario_applies_to_soap_only(client: httpx.AsyncClient) -> None:
    response = await client.get(DETAIL, headers=scenario("soap-fault"))
    assert response.status_code == 400
    assert response.json()["error"] == "scenario_not_applicable"
    client.headers["X-Mock-Scenario"] = "soap-fault"
    status, name, detail = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=ids.CITIZEN_EXISTS)
    assert (status, name) == (500, "Server:CD-500")
    assert detail["MoTa"]


async def test_supplement_scenario_is_refused_by_non_dossier_services(client: httpx.AsyncClient) -> None:
    response = await client.get(DETAIL, headers=scenario("supplement"))
    assert response.status_code == 400
    assert response.json()["error"] == "scenario_not_applicable"


@pytest.mark.parametrize(
    "value", ["explode", "slow:abc", "error:200", "error:700", "slow:999999", "timeout:5"]
)
async def test_unknown_scenario_is_a_clear_400(client: httpx.AsyncClient, value: str) -> None:
    response = await client.get(DETAIL, headers=scenario(value))
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "unknown_scenario"
    assert "allowed" in body["message"]


async def test_scenarios_do_not_touch_admin_or_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health", headers=scenario("error:503"))).status_code == 200
    assert (await client.get("/_admin/faults", headers=scenario("explode"))).status_code == 200


async def test_every_catalogue_service_is_mocked_and_an_unknown_one_is_404(client: httpx.AsyncClient) -> None:
    assert set(MOCKS) == set(services())
    response = await client.post("/dich_vu_khong_co/anything?x=1")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


async def test_timeout_scenario_hangs_until_the_client_gives_up(
    live_server: tuple[str, uvicorn.Server],
) -> None:
    base_url, server = live_server
    async with httpx.AsyncClient(base_url=base_url, trust_env=False) as http:
        started = time.perf_counter()
        with pytest.raises(httpx.ReadTimeout):
            await http.get(DETAIL, headers=scenario("timeout"), timeout=0.3)
        assert time.perf_counter() - started < 5

        # The server let go of the request once the client disconnected, and keeps serving.
        async def released() -> bool:
            return not server.server_state.tasks

        await eventually(released)
        async with httpx.AsyncClient(base_url=base_url, trust_env=False) as fresh:
            assert (await fresh.get(DETAIL)).status_code == 200


# Fault profiles ---------------------------------------------------------------------------------------


async def outcomes(client: httpx.AsyncClient, count: int) -> list[int]:
    return [(await client.get(DETAIL)).status_code for _ in range(count)]


async def test_fault_profile_is_deterministic_across_reset(client: httpx.AsyncClient) -> None:
    profile = {"latency_ms": {"min": 0, "max": 2}, "error_rate": 0.4, "error_status": 502, "seed": 7}
    assert (await client.put("/_admin/faults/csdl_dkdn", json=profile)).status_code == 200
    first = await outcomes(client, 40)
    assert set(first) == {200, 502}  # a 40% rate over 40 draws gives both

    listed = (await client.get("/_admin/faults")).json()
    assert listed["csdl_dkdn"]["requests"] == 40
    assert listed["csdl_dkdn"]["error_rate"] == 0.4

    assert (await client.post("/_admin/reset")).json() == {"reset": True}
    assert (await client.get("/_admin/faults")).json() == {}
    assert set(await outcomes(client, 10)) == {200}  # no profile after reset

    await client.post("/_admin/reset")
    await client.put("/_admin/faults/csdl_dkdn", json=profile)
    assert await outcomes(client, 40) == first

    await client.put("/_admin/faults/csdl_dkdn", json=profile | {"seed": 8})
    assert await outcomes(client, 40) != first


async def test_fault_profile_error_body_and_fixed_latency(client: httpx.AsyncClient) -> None:
    await client.put(
        "/_admin/faults/csdl_dkdn",
        json={"latency_ms": {"fixed": 100}, "error_rate": 1.0, "error_status": 503},
    )
    started = time.perf_counter()
    response = await client.get(DETAIL)
    assert time.perf_counter() - started >= 0.1
    assert response.status_code == 503
    assert response.json()["error"] == "backend_error"
    # The profile is per service: the population DB is untouched.
    status, name, _ = await soap_call(client, "TraCuuThongTinCongDan", SoDinhDanh=ids.CITIZEN_EXISTS)
    assert (status, name) == (200, "TraCuuThongTinCongDanResponse")
    assert (await client.delete("/_admin/faults/csdl_dkdn")).status_code == 204
    assert (await client.get(DETAIL)).status_code == 200


async def test_scenario_header_wins_over_the_profile(client: httpx.AsyncClient) -> None:
    await client.put("/_admin/faults/csdl_dkdn", json={"error_rate": 1.0})
    response = await client.get(DETAIL, headers=scenario("error:502"))
    assert response.status_code == 502
    assert (await client.get("/_admin/faults")).json()["csdl_dkdn"]["requests"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"error_rate": 1.5},
        {"error_status": 200},
        {"latency_ms": {"min": 50, "max": 5}},
        {"latency_ms": {"fixed": -1}},
        {"latency_ms": {"min": 5}},
        {"error_rate": 0.1, "surprise": True},
    ],
)
async def test_bad_fault_profile_is_422(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await client.put("/_admin/faults/csdl_dkdn", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


async def test_fault_profile_for_unknown_service_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.put("/_admin/faults/no_such", json={})).status_code == 404


async def test_clock_admin(client: httpx.AsyncClient) -> None:
    assert (await client.post("/_admin/clock", json={"step_s": 0.5})).json() == {"step_s": 0.5}
    assert (await client.get("/_admin/clock")).json() == {"step_s": 0.5}
    assert (await client.post("/_admin/clock", json={"step_s": 0})).status_code == 422
    await client.post("/_admin/reset")
    assert (await client.get("/_admin/clock")).json() == {"step_s": 0.02}
