"""Access: every service × every shipped consumer as the config says; path tricks and method overrides."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from ndxp_sim.adapters.oidc import OidcOperation
from ndxp_sim.adapters.registry import load_adapters
from ndxp_sim.core.catalogue import services
from ndxp_sim.core.errors import ERROR_HEADER
from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.app import create_app
from ndxp_sim.gateway.exchange import MemorySink
from tests.conftest import CONSUMER, LIEN_THONG_SOURCE, LIMITED_CONSUMER, OPERATOR, GatewayHarness
from tests.hardening.conftest import serving
from tests.hardening.fault_backend import FaultBackend, fault_backend
from tests.hardening.raw_http import Answer, connect, read_until_closed, send_quietly

SHIPPED = Settings().consumers
CREDENTIALS = {
    CONSUMER[0]: CONSUMER,
    LIMITED_CONSUMER[0]: LIMITED_CONSUMER,
    OPERATOR[0]: OPERATOR,
    LIEN_THONG_SOURCE[0]: LIEN_THONG_SOURCE,
}
# Routes of the gateway itself that answer without a bearer token, and why (everything else needs one).
PUBLIC = {
    "/token": "takes the consumer's Basic credentials instead",
    "/health": "liveness probe",
    "/health/ready": "readiness probe (cached, see test_readiness.py)",
    "/metrics": "Prometheus scrape",
    "/_meta/services": "the public service catalogue",
    "/_meta/openapi/{service}": "the published contract of a service",
}


def _operation_path(key: str, operation: str) -> str:
    info = services()[key]
    return f"/{info.context}/{info.version}/{operation}"


MATRIX = [
    pytest.param(consumer.id, key, op.name, op.method, id=f"{consumer.id}-{key}.{op.name}")
    for consumer in SHIPPED
    for key, adapter in load_adapters().items()
    if adapter.implemented
    for op in adapter.operations
]


def test_the_matrix_covers_every_shipped_consumer_and_implemented_operation() -> None:
    """The shipped config and the adapter registry → a matrix case for each consumer × operation, and a
    password for every shipped consumer (so a new consumer or service cannot be left out)."""
    assert {consumer.id for consumer in SHIPPED} == set(CREDENTIALS)
    operations = sum(len(a.operations) for a in load_adapters().values() if a.implemented)
    assert len(MATRIX) == len(SHIPPED) * operations > 0


@pytest.mark.parametrize(("consumer_id", "key", "operation", "method"), MATRIX)
async def test_each_consumer_reaches_exactly_the_operations_its_config_allows(
    stack: GatewayHarness, consumer_id: str, key: str, operation: str, method: str
) -> None:
    """Each shipped consumer calls each implemented operation (empty request) → 403 Client.AccessDenied
    exactly where its `allowed` list says no, never 401 or 403 where it says yes; recorded under its id."""
    consumer = next(c for c in SHIPPED if c.id == consumer_id)
    path = _operation_path(key, operation)
    op = next(o for o in load_adapters()[key].operations if o.name == operation)
    if isinstance(op, OidcOperation):
        response = await _as_sign_in_client(stack, consumer_id, op, path)
        exchange = stack.exchange(response.headers["x-ndxp-exchange-id"])
        if consumer.may_call(key, operation):  # admitted: the provider judges it (no code, no secret…)
            assert exchange.backend_status is not None, response.text
        else:
            assert response.status_code == 403 and response.json()["type"] == "Client.AccessDenied"
            assert response.headers[ERROR_HEADER] == "Client.AccessDenied" and exchange.backend_status is None
        assert exchange.consumer_id == consumer_id
        return
    headers = await stack.auth(CREDENTIALS[consumer_id])
    if method == "GET":
        response = await stack.client.get(path, headers=headers)
    else:
        response = await stack.client.request(method, path, headers=headers, json={})
    if consumer.may_call(key, operation):
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403 and response.json()["type"] == "Client.AccessDenied"
    assert stack.exchange(response.headers["x-ndxp-exchange-id"]).consumer_id == consumer_id


async def _as_sign_in_client(
    stack: GatewayHarness, consumer_id: str, op: OidcOperation, path: str
) -> httpx.Response:
    """A sign-in (OIDC) endpoint takes no gateway token: the consumer is the client the request names, by
    client_id, HTTP Basic, or the `client_id` claim of a Bearer token (here one the provider never signed)."""
    if op.caller == "bearer":
        forged = jwt.encode({"alg": "HS256"}, {"client_id": consumer_id}, OctKey.import_key("x" * 32))
        return await stack.client.get(path, headers={"authorization": f"Bearer {forged}"})
    if op.method == "GET":
        return await stack.client.get(path, params={"client_id": consumer_id})
    return await stack.client.post(
        path, data={"client_id": consumer_id}, auth=(consumer_id, "not-the-secret")
    )


def _own_routes() -> list[Any]:
    """The gateway's own routes, from its OpenAPI document (service operations excluded)."""
    paths = create_app(Settings(), sink=MemorySink()).api.openapi()["paths"]
    return [
        pytest.param(path, method.upper(), id=f"{method.upper()} {path}")
        for path, methods in paths.items()
        if not path.startswith("/api")
        for method in methods
    ]


@pytest.mark.parametrize(("path", "method"), _own_routes())
async def test_every_own_route_needs_a_token_unless_documented_public(
    stack: GatewayHarness, path: str, method: str
) -> None:
    """Each route of the gateway's own API (from its OpenAPI document, so new ones are included) called
    without a token → 401 Client.Unauthorized, except the documented public ones (token, health, metrics,
    catalogue)."""
    concrete = path.replace("{service}", "csdl_dkdn").replace("{exchange_id}", "0" * 26)
    response = await stack.client.request(method, concrete)
    if path in PUBLIC:
        assert response.status_code != 401 or path == "/token", (path, response.status_code)
    else:
        assert response.status_code == 401, (path, response.status_code, response.text)
        assert response.json()["type"] == "Client.Unauthorized"


@pytest.fixture
async def fenced() -> AsyncIterator[tuple[tuple[str, int], FaultBackend, Any]]:
    """A real gateway socket whose backends all point at one counting backend."""
    async with fault_backend() as backend:
        settings = Settings(
            services={key: {"base_url": backend.base_url, "retries": 0} for key in load_adapters()},
        )
        async with serving(settings) as address:
            yield address, backend, settings


async def _raw(address: tuple[str, int], request: bytes) -> Answer | None:
    reader, writer = await connect(address)
    await send_quietly(writer, request)
    answer = await read_until_closed(reader, 5)
    writer.close()
    return answer


async def _limited_token(address: tuple[str, int]) -> str:
    basic = base64.b64encode(f"{LIMITED_CONSUMER[0]}:{LIMITED_CONSUMER[1]}".encode()).decode()
    body = b"grant_type=client_credentials"
    answer = await _raw(
        address,
        b"POST /token HTTP/1.1\r\nhost: x\r\nconnection: close\r\n"
        b"content-type: application/x-www-form-urlencoded\r\n"
        + f"authorization: Basic {basic}\r\ncontent-length: {len(body)}\r\n\r\n".encode()
        + body,
    )
    assert answer is not None
    return str(orjson.loads(answer.body)["access_token"])


async def _as_limited_consumer(
    address: tuple[str, int], method: str, path: str, body: bytes = b""
) -> Answer | None:
    """`method path` sent verbatim (no client-side normalising) with the limited consumer's token."""
    token = await _limited_token(address)
    head = (
        f"{method} {path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\n"
        f"authorization: Bearer {token}\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return await _raw(address, head.encode() + body)


def _assert_refused(answer: Answer | None, path: str, refusals: tuple[int, ...]) -> None:
    assert answer is not None, path
    if answer.status in (307, 308):  # the framework's trailing-slash redirect: to the canonical path only
        assert answer.headers["location"].endswith(path.rstrip("/")), answer.headers
    else:
        assert answer.status in refusals, (path, answer)


TRICKS = [
    "/apiCSDLDKDN/1.0/../../apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
    "/apiCSDLDKDN/1.0/%2e%2e/%2e%2e/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
    "/apiCSDLDKDN/1.0/%2E%2E%2F%2E%2E%2FapiCSDLDanCu/1.0/TraCuuThongTinCongDan",
    "//apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
    "/apiCSDLDanCu//1.0/TraCuuThongTinCongDan",
    "/apicsdldancu/1.0/TraCuuThongTinCongDan",
    "/APICSDLDANCU/1.0/TRACUUTHONGTINCONGDAN",
    "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan/",
    "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan/.",
    "/apiCSDLDanCu%2F1.0%2FTraCuuThongTinCongDan",
    "/apiCSDLDanCu/1.0%2fTraCuuThongTinCongDan",
    "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan%00",
    "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan;x=1",
    "/_diag/connect/../../apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
    "/_diag/connect/csdl_dan_cu/",
    "/_diag/connect/CSDL_DAN_CU",
    "/_diag/connect/csdl%5fdan%5fcu",
]


@pytest.mark.parametrize("path", TRICKS)
async def test_path_tricks_never_reach_a_backend_the_consumer_may_not_call(
    fenced: tuple[tuple[str, int], FaultBackend, Any], path: str
) -> None:
    """A consumer allowed only the enterprise lookup sends a citizen lookup through `..`, `%2e%2e`, encoded
    and double slashes, case changes, trailing slashes, NUL and `;` parameters, on a real socket → 403, 404
    or 405 (or a redirect to the canonical path, itself under the ACL), never 2xx or a backend error; the
    backend gets no call."""
    address, backend, _ = fenced
    body = b'{"MaYeuCau": "YC-1", "MaCanBo": "CB-7", "SoDinhDanh": "089085012345"}'
    method = "GET" if path.startswith("/_diag") else "POST"
    answer = await _as_limited_consumer(address, method, path, body)
    _assert_refused(answer, path, (400, 403, 404, 405))
    assert backend.calls == 0


OPS_TRICKS = [
    "//_ops/exchanges",
    "/_OPS/exchanges",
    "/_ops/exchanges/",
    "/%5fops/exchanges",
    "/_ops//exchanges",
]


@pytest.mark.parametrize("path", OPS_TRICKS)
async def test_path_tricks_do_not_open_the_ops_api_to_a_consumer(
    fenced: tuple[tuple[str, int], FaultBackend, Any], path: str
) -> None:
    """A consumer token on /_ops spelled with double slashes, upper case, a trailing slash or an encoded
    underscore → never 200; 401, 403 or 404, or a redirect to the canonical path (itself operator-only)."""
    address, _, _ = fenced
    answer = await _as_limited_consumer(address, "GET", path)
    _assert_refused(answer, path, (401, 403, 404))


@pytest.mark.parametrize(
    ("method", "path", "headers", "query"),
    [
        ("GET", "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan", {"x-http-method-override": "POST"}, ""),
        ("GET", "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan", {}, "?_method=POST"),
        ("POST", "/apiCSDLDKDN/1.0/chiTietDoanhNghiep", {"x-http-method-override": "GET"}, ""),
        ("POST", "/apiCSDLDKDN/1.0/chiTietDoanhNghiep", {"x-method-override": "GET"}, "?_method=GET"),
        ("DELETE", "/_ops/exchanges", {"x-http-method-override": "GET"}, ""),
    ],
)
async def test_method_override_headers_and_parameters_are_ignored(
    stack: GatewayHarness, method: str, path: str, headers: dict[str, str], query: str
) -> None:
    """A GET to a POST operation with X-HTTP-Method-Override or `_method=POST`, a POST to a GET operation
    overridden to GET, a DELETE on /_ops overridden to GET → 405 for the method actually sent, nothing
    reaches a backend."""
    response = await stack.client.request(
        method, path + query, headers={**await stack.auth(), **headers}, json=None
    )
    assert response.status_code == 405, response.text
    if path.startswith("/api"):
        assert response.json()["type"] == "Client.MethodNotAllowed"
        assert stack.exchange(response.headers["x-ndxp-exchange-id"]).t_backend_out is None


async def test_unknown_service_probes_are_recorded_with_the_caller(stack: GatewayHarness) -> None:
    """An authenticated consumer probing an unpublished path → 404 Client.UnknownService, recorded under its
    id (scanning leaves a trace)."""
    response = await stack.client.get("/apiKhongCo/1.0/x", headers=await stack.auth(LIMITED_CONSUMER))
    assert response.status_code == 404 and response.json()["type"] == "Client.UnknownService"
    assert stack.exchange(response.headers["x-ndxp-exchange-id"]).consumer_id == LIMITED_CONSUMER[0]
