"""Every error path of the service proxy, with backends played by respx."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx

from ndxp_sim.adapters import soap
from ndxp_sim.core import identities
from ndxp_sim.core.install_secrets import ensure_secrets_file
from tests.conftest import LIMITED_CONSUMER, GatewayHarness, MakeGateway, MakeSettings
from tests.samples import birth_registration

MOCKS = "http://127.0.0.1:9100"
DKDN = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep"
DAN_CU = "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan"
KHAI_SINH = "/apiHoTich/1.0/dangKyKhaiSinh"
ENTERPRISE = identities.ENTERPRISE_ACTIVE
DAN_CU_BODY = {"MaYeuCau": "YC-1", "MaCanBo": "CB-7", "SoDinhDanh": identities.CITIZEN_EXISTS}


def _assert_error(response: httpx.Response, status: int, error_type: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"type", "message", "detail"}
    assert body["type"] == error_type
    assert response.headers["x-ndxp-error"] == error_type
    return body  # type: ignore[no-any-return]


async def _get(gateway: GatewayHarness, path: str, **kwargs: object) -> httpx.Response:
    return await gateway.client.get(path, headers=await gateway.auth(), **kwargs)  # type: ignore[arg-type]


@respx.mock
async def test_a_lookup_returns_the_backend_answer_and_records_the_exchange(gateway: GatewayHarness) -> None:
    route = respx.get(f"{MOCKS}/csdl_dkdn/doanh-nghiep/{ENTERPRISE}").respond(
        json={"GetEntCert": [{"MaSoDoanhNghiep": ENTERPRISE}]}
    )
    response = await _get(gateway, DKDN, params={"msdn": ENTERPRISE})
    assert response.status_code == 200
    assert response.json() == {"GetEntCert": [{"MaSoDoanhNghiep": ENTERPRISE}]}
    assert route.calls.last.request.headers["x-request-id"] == response.headers["x-request-id"]
    exchange = gateway.exchange(response.headers["x-ndxp-exchange-id"])
    assert (exchange.consumer_id, exchange.service_key, exchange.service_number) == (
        "000.00.00.H91",
        "csdl_dkdn",
        1,
    )
    assert (exchange.operation, exchange.status, exchange.backend_status, exchange.outcome) == (
        "chiTietDoanhNghiep",
        200,
        200,
        "ok",
    )
    assert exchange.t_request_in <= exchange.t_backend_out <= exchange.t_backend_in <= exchange.t_response_out


async def test_unknown_service_operation_and_method(gateway: GatewayHarness) -> None:
    headers = await gateway.auth()
    unknown_service = await gateway.client.get("/apiKhongCo/1.0/x", headers=headers)
    _assert_error(unknown_service, 404, "Client.UnknownService")
    unknown_operation = await gateway.client.get("/apiCSDLDKDN/1.0/xoaDoanhNghiep", headers=headers)
    assert "xoaDoanhNghiep" in _assert_error(unknown_operation, 404, "Client.UnknownService")["message"]
    wrong_method = await gateway.client.post(DKDN, headers=headers, json={})
    _assert_error(wrong_method, 405, "Client.MethodNotAllowed")
    assert wrong_method.headers["allow"] == "GET"
    assert len(gateway.sink.exchanges) == 3  # unknown calls are exchanges too


async def test_a_consumer_may_only_call_what_it_is_allowed(gateway: GatewayHarness) -> None:
    response = await gateway.client.post(
        DAN_CU, json=DAN_CU_BODY, headers=await gateway.auth(LIMITED_CONSUMER)
    )
    body = _assert_error(response, 403, "Client.AccessDenied")
    assert "csdl_dan_cu" in body["message"]


@respx.mock
async def test_over_quota_is_429_with_retry_after(
    make_gateway: MakeGateway, make_settings: MakeSettings
) -> None:
    respx.get(f"{MOCKS}/csdl_dkdn/doanh-nghiep/{ENTERPRISE}").respond(json={})
    gateway = make_gateway(make_settings(tiers={"Gold": 2, "Bronze": 1}))  # tier names ignore case
    statuses = [(await _get(gateway, DKDN, params={"msdn": ENTERPRISE})) for _ in range(3)]
    assert [r.status_code for r in statuses[:2]] == [200, 200]
    _assert_error(statuses[2], 429, "Client.QuotaExceeded")
    assert 1 <= int(statuses[2].headers["retry-after"]) <= 60


async def test_oversized_body_is_413(make_gateway: MakeGateway, make_settings: MakeSettings) -> None:
    gateway = make_gateway(make_settings(max_body_bytes=100))
    response = await gateway.client.post(
        DAN_CU, content=b"{" + b" " * 200 + b"}", headers=await gateway.auth()
    )
    _assert_error(response, 413, "Client.PayloadTooLarge")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b"[1, 2]", "body"),
        (b'{"MaYeuCau": "YC-1", "MaCanBo": "CB-7", "SoDinhDanh": "12345"}', "SoDinhDanh"),
        (b'{"MaCanBo": "CB-7", "SoDinhDanh": "089085012345"}', "MaYeuCau"),
        (b'{"MaYeuCau": "YC-1", "MaCanBo": "CB-7"}', "SoDinhDanh or SoCMND"),
    ],
)
async def test_invalid_bodies_are_422_naming_the_field(
    gateway: GatewayHarness, body: bytes, field: str
) -> None:
    headers = {**await gateway.auth(), "content-type": "application/json"}
    response = await gateway.client.post(DAN_CU, content=body, headers=headers)
    assert field in _assert_error(response, 422, "Client.InvalidRequest")["message"]


async def test_a_wrong_mst_check_digit_is_422(gateway: GatewayHarness) -> None:
    response = await _get(gateway, DKDN, params={"msdn": "0312345678"})
    assert "check digit" in _assert_error(response, 422, "Client.InvalidRequest")["message"]


@respx.mock
@pytest.mark.parametrize(
    ("backend", "status", "error_type"),
    [
        (httpx.Response(500, text="Traceback: secret internals"), 502, "Server.Backend.Error"),
        (httpx.Response(503, text="down"), 503, "Server.Backend.Unavailable"),
        (httpx.Response(404, json={"error": "not_found"}), 404, "Client.NotFound"),
        (httpx.Response(409, json={"error": "conflict"}), 409, "Client.Conflict"),
        (httpx.Response(200, text="{truncated"), 502, "Server.Backend.BadResponse"),
        (httpx.ReadTimeout("slow"), 504, "Server.Backend.Timeout"),
        (httpx.ConnectError("refused"), 503, "Server.Backend.Unavailable"),
    ],
)
async def test_backend_failures_map_to_the_error_model(
    gateway: GatewayHarness, backend: httpx.Response | Exception, status: int, error_type: str
) -> None:
    respx.get(f"{MOCKS}/csdl_dkdn/doanh-nghiep/{ENTERPRISE}").mock(
        side_effect=backend if isinstance(backend, Exception) else None,
        return_value=None if isinstance(backend, Exception) else backend,
    )
    response = await _get(gateway, DKDN, params={"msdn": ENTERPRISE})
    body = _assert_error(response, status, error_type)
    assert "secret internals" not in response.text
    exchange = gateway.exchange(body["detail"])  # the detail id is the exchange's id
    assert exchange.error_type == error_type and exchange.error_detail == body["detail"]


@respx.mock
async def test_idempotent_calls_are_retried_when_the_backend_is_unavailable(gateway: GatewayHarness) -> None:
    route = respx.get(f"{MOCKS}/csdl_dkdn/doanh-nghiep/{ENTERPRISE}").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json={"ok": True})]
    )
    response = await _get(gateway, DKDN, params={"msdn": ENTERPRISE})  # default config: retries 1
    assert response.status_code == 200 and route.call_count == 2


@respx.mock
async def test_soap_backend_is_translated_both_ways(gateway: GatewayHarness) -> None:
    ns = "http://dancuquocgia.bca"
    reply = soap.build_envelope(
        ns,
        "TraCuuThongTinCongDanResponse",
        {"MaYeuCau": "YC-1", "CongdanCollection": {"CongDan": {"SoDinhDanh": identities.CITIZEN_EXISTS}}},
    )
    route = respx.post(f"{MOCKS}/csdl_dan_cu/soap").respond(
        200, content=reply, content_type=soap.CONTENT_TYPE
    )
    response = await gateway.client.post(DAN_CU, json=DAN_CU_BODY, headers=await gateway.auth())
    assert response.status_code == 200
    assert response.json()["CongdanCollection"]["CongDan"] == [{"SoDinhDanh": identities.CITIZEN_EXISTS}]
    operation, sent = soap.parse_envelope(route.calls.last.request.content)
    assert operation == "TraCuuThongTinCongDan"
    assert sent == {"MaYeuCau": "YC-1", "MaCanBo": "CB-7", "SoDinhDanh": identities.CITIZEN_EXISTS}
    assert route.calls.last.request.headers["soapaction"] == f'"{ns}/TraCuuThongTinCongDan"'


@respx.mock
@pytest.mark.parametrize(
    ("fault", "status", "error_type"),
    [
        (soap.SoapFault("Client", "khong tim thay", {"MaLoi": "CD-404"}), 404, "Client.NotFound"),
        (
            soap.SoapFault("Client", "sai", {"MaLoi": "CD-422", "TruongLoi": "SoDinhDanh"}),
            422,
            "Client.InvalidRequest",
        ),
        (
            soap.SoapFault("Server", "java.lang.NullPointerException", {"MaLoi": "CD-500"}),
            502,
            "Server.Backend.Fault",
        ),
    ],
)
async def test_soap_faults_map_to_the_error_model(
    gateway: GatewayHarness, fault: soap.SoapFault, status: int, error_type: str
) -> None:
    respx.post(f"{MOCKS}/csdl_dan_cu/soap").respond(
        500, content=soap.build_fault(fault, "http://dancuquocgia.bca"), content_type=soap.CONTENT_TYPE
    )
    response = await gateway.client.post(DAN_CU, json=DAN_CU_BODY, headers=await gateway.auth())
    _assert_error(response, status, error_type)
    assert "NullPointerException" not in response.text


@respx.mock
async def test_malformed_soap_is_a_bad_response(gateway: GatewayHarness) -> None:
    respx.post(f"{MOCKS}/csdl_dan_cu/soap").respond(200, content=b"<soap:Envelope", content_type="text/xml")
    response = await gateway.client.post(DAN_CU, json=DAN_CU_BODY, headers=await gateway.auth())
    _assert_error(response, 502, "Server.Backend.BadResponse")


@respx.mock
async def test_correlation_keys_and_scenario_travel_with_the_exchange(gateway: GatewayHarness) -> None:
    route = respx.post(f"{MOCKS}/csdl_dan_cu/soap").respond(
        200,
        content=soap.build_envelope("http://dancuquocgia.bca", "R", {"CongdanCollection": None}),
        content_type=soap.CONTENT_TYPE,
    )
    headers = {
        **await gateway.auth(),
        "x-request-id": "req-42",
        "MaHoSo": "HS-2025-0001",
        "x-mock-scenario": "slow:5",
    }
    response = await gateway.client.post(DAN_CU, json=DAN_CU_BODY, headers=headers)
    assert response.headers["x-request-id"] == "req-42"
    assert route.calls.last.request.headers["x-mock-scenario"] == "slow:5"
    exchange = gateway.exchange(response.headers["x-ndxp-exchange-id"])
    assert exchange.request_id == "req-42" and exchange.scenario == "slow:5"
    assert exchange.correlation == {
        "MaYeuCau": "YC-1",
        "MaHoSo": "HS-2025-0001",
        "MaCanBo": "CB-7",
        "MaDonVi": "000.00.00.H91",
    }


async def test_scenarios_are_not_forwarded_outside_simulator_mode(
    make_gateway: MakeGateway, make_settings: MakeSettings, tmp_path: Path
) -> None:
    secrets_file = tmp_path / "secrets.yaml"  # the shipped fake secrets are refused outside simulator mode
    ensure_secrets_file(secrets_file)
    gateway = make_gateway(make_settings(simulator_mode=False, secrets_file=secrets_file))
    with respx.mock:
        route = respx.get(f"{MOCKS}/csdl_dkdn/doanh-nghiep/{ENTERPRISE}").respond(json={})
        headers = {**await gateway.auth(), "x-mock-scenario": "timeout"}
        await gateway.client.get(DKDN, params={"msdn": ENTERPRISE}, headers=headers)
        assert "x-mock-scenario" not in route.calls.last.request.headers


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/cb",
        "http://127.0.0.1:8000@evil.example/cb",
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
    ],
)
async def test_callback_urls_must_be_registered(gateway: GatewayHarness, url: str) -> None:
    body = birth_registration("HS-1", url)
    response = await gateway.client.post(KHAI_SINH, json=body, headers=await gateway.auth())
    assert "callbackUrl" in _assert_error(response, 422, "Client.InvalidRequest")["message"]


@respx.mock
async def test_a_timeout_is_not_retried(gateway: GatewayHarness) -> None:
    route = respx.get(f"{MOCKS}/csdl_dkdn/doanh-nghiep/{ENTERPRISE}").mock(
        side_effect=httpx.ReadTimeout("slow")
    )
    response = await _get(gateway, DKDN, params={"msdn": ENTERPRISE})  # default config: retries 1
    assert response.status_code == 504 and route.call_count == 1


@pytest.mark.parametrize(
    ("set_cookie", "passed"),
    [
        ("ndxp_vneid_sso=s1; Path=/apiVNeID/1.0; HttpOnly; SameSite=lax", True),
        ("ndxp_console=evil; Path=/", False),  # would replace the operator console's session
        ("ndxp_vneid_sso_x=s1; Path=/", False),
    ],
)
@respx.mock
async def test_a_sign_in_provider_may_set_only_its_own_session_cookie(
    gateway: GatewayHarness, set_cookie: str, passed: bool
) -> None:
    """A provider's Set-Cookie reaches the browser only for its declared session cookie: the gateway's
    address is shared with the console, whose session a backend must not be able to replace."""
    respx.get(url__startswith=f"{MOCKS}/vneid_sso/authorize").respond(
        200, html="<p>page</p>", headers={"set-cookie": set_cookie}
    )
    params = {"client_id": "000.00.00.H91", "response_type": "code"}
    answer = await gateway.client.get("/apiVNeID/1.0/authorize", params=params)
    assert answer.status_code == 200
    assert (answer.headers.get("set-cookie") == set_cookie) is passed
    assert passed or "set-cookie" not in answer.headers
