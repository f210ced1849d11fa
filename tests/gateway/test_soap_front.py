"""The SOAP front of a SOAP service: WSDL at the gateway, envelopes through admission to the backend,
gateway errors as SOAP faults, hostile XML refused, every call recorded with its envelope masked."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import requests
import respx
import zeep
import zeep.exceptions
from lxml import etree

from ndxp_sim.core import identities
from ndxp_sim.gateway.app import GatewayApp
from ndxp_sim.gateway.logpipe.masking import Masker
from ndxp_sim.gateway.logpipe.record import to_record
from tests.conftest import LIMITED_CONSUMER, GatewayHarness, MakeGateway, MakeSettings
from tests.local_http import serving_app

SOAP = "/apiCSDLDanCu/1.0/soap"
NS = "http://dancuquocgia.bca"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CITIZEN = identities.CITIZEN_EXISTS
LOOKUP = f"""<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:dc="{NS}">
  <soap:Body>
    <dc:TraCuuThongTinCongDan>
      <dc:MaYeuCau>YC-SOAP-1</dc:MaYeuCau><dc:MaCanBo>CB-7</dc:MaCanBo><dc:SoDinhDanh>{CITIZEN}</dc:SoDinhDanh>
    </dc:TraCuuThongTinCongDan>
  </soap:Body>
</soap:Envelope>"""
XML = {"content-type": "text/xml; charset=utf-8"}


@asynccontextmanager
async def served(app: GatewayApp) -> AsyncIterator[str]:
    async with serving_app(app, lifespan="off") as (host, port):  # the harness runs no lifespan either
        yield f"http://{host}:{port}"


def _fault(response: httpx.Response, status: int, error_type: str) -> dict[str, str]:
    """The SOAP 1.1 fault of a refused call: HTTP status kept, faultcode = error type, detail in the
    service namespace (MaLoi, MoTa, MaTraoDoi)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/xml")
    assert response.headers["x-ndxp-error"] == error_type
    root = etree.fromstring(response.content)
    fault = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None
    assert fault.findtext("faultcode") == f"soap:{error_type}"
    detail = {etree.QName(child).localname: child.text or "" for child in fault.find("detail")}
    assert detail["MaLoi"] == error_type
    assert detail["MaTraoDoi"] == response.headers["x-ndxp-exchange-id"]
    return {"faultstring": fault.findtext("faultstring") or "", **detail}


async def test_a_zeep_client_loads_the_gateways_wsdl_and_looks_up_a_citizen(stack: GatewayHarness) -> None:
    """zeep loads `…/soap?wsdl` from the gateway (address: the gateway's, not the backend's) and calls
    TraCuuThongTinCongDan with a Bearer token → the citizen, through the gateway."""
    token = await stack.token()
    async with served(stack.app) as base:

        def call() -> tuple[str, str, object]:
            session = requests.Session()
            session.headers["authorization"] = f"Bearer {token}"
            transport = zeep.Transport(session=session, timeout=10, operation_timeout=10)
            client = zeep.Client(f"{base}{SOAP}?wsdl", transport=transport)
            address = client.service._binding_options["address"]
            wsdl_text = session.get(f"{base}{SOAP}?wsdl", timeout=10).text
            answer = client.service.TraCuuThongTinCongDan(
                MaYeuCau="YC-Z-1", MaCanBo="CB-7", SoDinhDanh=CITIZEN
            )
            return address, wsdl_text, answer

        address, wsdl_text, answer = await asyncio.to_thread(call)
    assert address == f"{base}{SOAP}"
    assert "9100" not in wsdl_text and "csdl_dan_cu/soap" not in wsdl_text
    citizen = answer.CongdanCollection.CongDan[0]  # type: ignore[attr-defined]
    assert citizen.SoDinhDanh == CITIZEN and citizen.HoVaTen.Ten == "An"
    exchange = stack.sink.exchanges[-1]
    assert (exchange.service_key, exchange.operation, exchange.status, exchange.backend_status) == (
        "csdl_dan_cu",
        "TraCuuThongTinCongDan",
        200,
        200,
    )


async def test_a_zeep_call_without_a_token_raises_the_gateways_fault(stack: GatewayHarness) -> None:
    """zeep without a token → zeep.exceptions.Fault with code Client.Unauthorized (HTTP 401 kept)."""
    async with served(stack.app) as base:

        def call() -> zeep.exceptions.Fault:
            client = zeep.Client(f"{base}{SOAP}?wsdl")
            with pytest.raises(zeep.exceptions.Fault) as raised:
                client.service.TraCuuThongTinCongDan(MaYeuCau="YC-Z-2", MaCanBo="CB-7", SoDinhDanh=CITIZEN)
            return raised.value

        fault = await asyncio.to_thread(call)
    assert fault.code is not None and fault.code.endswith("Client.Unauthorized")
    assert stack.sink.exchanges[-1].status == 401


async def test_the_exchange_record_holds_the_envelope_masked(stack: GatewayHarness) -> None:
    """A SOAP call → its record's request and response bodies are XML with the số định danh masked."""
    response = await stack.client.post(SOAP, content=LOOKUP.encode(), headers={**await stack.auth(), **XML})
    assert response.status_code == 200, response.text
    assert CITIZEN in response.text  # the consumer gets the backend's answer as it is
    exchange = stack.exchange(response.headers["x-ndxp-exchange-id"])
    assert exchange.correlation["MaYeuCau"] == "YC-SOAP-1"
    record = to_record(exchange, "masked", 65536, Masker(b"k" * 32))
    assert (
        "<dc:TraCuuThongTinCongDan>" in record["request_body"]
        and "TraCuuThongTinCongDanResponse" in (record["response_body"])
    )
    for body in (record["request_body"], record["response_body"]):
        assert CITIZEN not in body and CITIZEN[-2:] in body  # masked, 2 digits kept
    assert record["subjects"]


async def test_a_utf16_envelope_is_served_and_recorded_masked(stack: GatewayHarness) -> None:
    """A UTF-16 envelope (XML allows it; no DTD) → served, and its record masked like a UTF-8 one."""
    envelope = LOOKUP.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
    headers = {**await stack.auth(), "content-type": "text/xml; charset=utf-16"}
    response = await stack.client.post(SOAP, content=envelope, headers=headers)
    assert response.status_code == 200, response.text
    record = to_record(
        stack.exchange(response.headers["x-ndxp-exchange-id"]), "masked", 65536, Masker(b"k" * 32)
    )
    assert "<dc:SoDinhDanh>**********45</dc:SoDinhDanh>" in record["request_body"]


@pytest.mark.parametrize(
    ("headers", "envelope", "status", "error_type", "says"),
    [
        ({}, LOOKUP, 401, "Client.Unauthorized", "bearer token"),
        ("limited", LOOKUP, 403, "Client.AccessDenied", "csdl_dan_cu.TraCuuThongTinCongDan"),
        (
            None,
            LOOKUP.replace("TraCuuThongTinCongDan", "XoaCongDan"),
            404,
            "Client.UnknownService",
            "XoaCongDan",
        ),
        (None, LOOKUP.replace(NS, "http://other.example"), 404, "Client.UnknownService", "other.example"),
        (None, LOOKUP.replace(CITIZEN, "12345"), 422, "Client.InvalidRequest", "SoDinhDanh"),
        (None, "<not-xml", 422, "Client.InvalidRequest", "not well-formed"),
        (None, f'<a xmlns="{NS}"/>', 422, "Client.InvalidRequest", "Envelope"),
        (
            {"soapaction": f'"{NS}/XacMinhTinhTrangHonNhan"'},
            LOOKUP,
            422,
            "Client.InvalidRequest",
            "SOAPAction",
        ),
    ],
)
async def test_refused_envelopes_get_faults_with_the_http_status(
    stack: GatewayHarness,
    headers: dict[str, str] | str | None,
    envelope: str,
    status: int,
    error_type: str,
    says: str,
) -> None:
    """No token, another consumer's ACL, unknown operation or namespace, invalid field, not XML, not an
    envelope, SOAPAction naming another operation → fault of that type, status as the JSON front's."""
    if headers is None:
        sent = await stack.auth()
    elif headers == "limited":
        sent = await stack.auth(LIMITED_CONSUMER)
    else:
        sent = {**await stack.auth(), **headers} if headers else {}  # type: ignore[dict-item]
    response = await stack.client.post(SOAP, content=envelope.encode(), headers={**sent, **XML})
    fault = _fault(response, status, error_type)
    assert says in fault["faultstring"] and fault["MoTa"] == fault["faultstring"]
    assert stack.exchange(response.headers["x-ndxp-exchange-id"]).status == status


@respx.mock
async def test_over_quota_is_a_429_fault_with_retry_after(
    make_gateway: MakeGateway, make_settings: MakeSettings
) -> None:
    """Second call of a consumer allowed one per minute → 429 fault with Retry-After."""
    respx.post("http://127.0.0.1:9100/csdl_dan_cu/soap").respond(503)
    gateway = make_gateway(make_settings(tiers={"Gold": 1}))
    headers = {**await gateway.auth(), **XML}
    first = await gateway.client.post(SOAP, content=LOOKUP.encode(), headers=headers)
    _fault(first, 503, "Server.Backend.Unavailable")
    second = await gateway.client.post(SOAP, content=LOOKUP.encode(), headers=headers)
    _fault(second, 429, "Client.QuotaExceeded")
    assert int(second.headers["retry-after"]) >= 1


BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:dc="{NS}"><soap:Body><dc:TraCuuThongTinCongDan>
<dc:MaYeuCau>&lol4;</dc:MaYeuCau><dc:MaCanBo>CB</dc:MaCanBo><dc:SoDinhDanh>{CITIZEN}</dc:SoDinhDanh>
</dc:TraCuuThongTinCongDan></soap:Body></soap:Envelope>"""
XXE = LOOKUP.replace(
    '<?xml version="1.0" encoding="utf-8"?>',
    '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
).replace("CB-7", "&xxe;")
DEEP = LOOKUP.replace(
    "<dc:MaCanBo>CB-7</dc:MaCanBo>", "<dc:MaCanBo>" + "<dc:x>" * 40 + "</dc:x>" * 40 + "</dc:MaCanBo>"
)


@pytest.mark.parametrize(
    "envelope",
    [
        BILLION_LAUGHS.encode(),
        XXE.encode(),
        XXE.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16"),  # DTD in another encoding
        DEEP.encode(),
    ],
    ids=["billion-laughs", "xxe", "utf16-dtd", "too-deep"],
)
async def test_hostile_xml_is_a_fault_and_the_service_keeps_serving(
    stack: GatewayHarness, envelope: bytes
) -> None:
    """Billion laughs, XXE, a UTF-16 DTD, 40 nested levels → 422 fault at the gateway (the backend never
    sees it), and the next good envelope is served."""
    headers = {**await stack.auth(), **XML}
    refused = await stack.client.post(SOAP, content=envelope, headers=headers)
    fault = _fault(refused, 422, "Client.InvalidRequest")
    assert "DTD" in fault["faultstring"] or "deeper" in fault["faultstring"]
    assert "root:" not in refused.text  # nothing of /etc/passwd
    exchange = stack.exchange(refused.headers["x-ndxp-exchange-id"])
    assert exchange.backend_status is None
    record = to_record(exchange, "masked", 65536, Masker(b"k" * 32))  # refused, but recorded, masked
    assert record["request_body"] and CITIZEN not in record["request_body"].replace("\x00", "")
    served_after = await stack.client.post(SOAP, content=LOOKUP.encode(), headers=headers)
    assert served_after.status_code == 200 and CITIZEN in served_after.text


async def test_the_soap_endpoint_takes_post_or_wsdl_only(stack: GatewayHarness) -> None:
    """GET without ?wsdl → 405 fault naming GET, POST; `?WSDL` works too; JSON operations still work."""
    refused = await stack.client.get(SOAP)
    _fault(refused, 405, "Client.MethodNotAllowed")
    assert refused.headers["allow"] == "GET, POST"
    wsdl = await stack.client.get(SOAP, params={"WSDL": ""})
    assert wsdl.status_code == 200 and b"http://gateway/apiCSDLDanCu/1.0/soap" in wsdl.content
    json_front = await stack.client.post(
        "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
        json={"MaYeuCau": "YC-J", "MaCanBo": "CB-7", "SoDinhDanh": CITIZEN},
        headers=await stack.auth(),
    )
    assert json_front.status_code == 200 and json_front.json()["CongdanCollection"]["CongDan"][0]
