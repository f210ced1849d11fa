"""Hostile XML at the mock's SOAP endpoint: refused with a CD-400 fault, and the service keeps serving."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from ndxp_sim.adapters.soap import SoapFault, build_envelope, parse_envelope
from ndxp_sim.core import identities
from ndxp_sim.mock_services.app import create_mock_app
from tests.conftest import MakeSettings

NS = "http://dancuquocgia.bca"
SOAP = "/csdl_dan_cu/soap"
LOOKUP = {"MaYeuCau": "YC-X", "MaDVC": "1.0", "MaTichHop": "LGSP", "MaCanBo": "CB-X"}

_ENVELOPE = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:dc="http://dancuquocgia.bca">'
    "<soap:Body><dc:TraCuuThongTinCongDan><dc:MaYeuCau>YC-X</dc:MaYeuCau><dc:MaDVC>1.0</dc:MaDVC>"
    "<dc:MaTichHop>LGSP</dc:MaTichHop><dc:MaCanBo>CB-X</dc:MaCanBo>"
    "<dc:SoDinhDanh>{so}</dc:SoDinhDanh>{extra}</dc:TraCuuThongTinCongDan></soap:Body></soap:Envelope>"
)


def _envelope(so: str = "&xxe;", extra: str = "") -> str:
    return _ENVELOPE.format(so=so, extra=extra)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
    + _envelope("&lol9;")
)
UTF16_DOCTYPE = (
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    + _envelope("&xxe;")
).encode("utf-16")


def _nested(depth: int) -> str:
    return "<dc:HoVaTen>" * depth + "x" + "</dc:HoVaTen>" * depth


@pytest.fixture
async def mock_app(make_settings: MakeSettings, tmp_path: Path) -> AsyncIterator[FastAPI]:
    mocks = {"population": 300, "cache_dir": tmp_path / "cache", "state_file": None}
    app = create_mock_app(make_settings(mocks=mocks))
    yield app
    await app.state.mocks.aclose()


@pytest.fixture
async def client(mock_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=mock_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mocks") as http:
        yield http


async def _fault(client: httpx.AsyncClient, payload: bytes, content_type: str) -> tuple[int, str | None]:
    status, code, _ = await _fault_with_reason(client, payload, content_type)
    return status, code


async def _fault_with_reason(
    client: httpx.AsyncClient, payload: bytes, content_type: str
) -> tuple[int, str | None, str]:
    response = await client.post(SOAP, content=payload, headers={"Content-Type": content_type})
    with pytest.raises(SoapFault) as caught:
        parse_envelope(response.content)
    assert "root:" not in response.text  # nothing of /etc/passwd
    return response.status_code, caught.value.detail.get("MaLoi"), caught.value.message


async def _still_serves(client: httpx.AsyncClient) -> None:
    payload = build_envelope(NS, "TraCuuThongTinCongDan", {**LOOKUP, "SoDinhDanh": identities.CITIZEN_EXISTS})
    response = await client.post(SOAP, content=payload, headers={"Content-Type": "text/xml; charset=utf-8"})
    assert response.status_code == 200
    name, _ = parse_envelope(response.content)
    assert name == "TraCuuThongTinCongDanResponse"


async def test_a_utf16_envelope_with_a_doctype_is_refused(client: httpx.AsyncClient) -> None:
    """a SOAP envelope encoded in UTF-16 carrying a DOCTYPE with an external entity (a byte search
    for "<!DOCTYPE" does not see it) → HTTP 500 soap fault CD-400 (SOAP forbids DTDs), no file
    content in the answer; the service then answers a normal lookup."""
    status, code, reason = await _fault_with_reason(client, UTF16_DOCTYPE, "text/xml; charset=utf-16")
    assert (status, code) == (500, "CD-400")
    assert "DTD" in reason  # refused for the DOCTYPE, not for failing to parse
    await _still_serves(client)


async def test_billion_laughs_is_refused_quickly(client: httpx.AsyncClient) -> None:
    """the "billion laughs" entity bomb (10^9 expansions of nested entities) → CD-400 in
    well under a second (nothing is expanded), and the service keeps serving."""
    started = time.perf_counter()
    status, code = await _fault(client, BILLION_LAUGHS.encode(), "text/xml; charset=utf-8")
    assert (status, code) == (500, "CD-400")
    assert time.perf_counter() - started < 1.0
    await _still_serves(client)


@pytest.mark.parametrize("depth", [64, 100_000])
async def test_deep_nesting_is_refused(client: httpx.AsyncClient, depth: int) -> None:
    """Elements nested 64 deep inside the operation (past the reader's 32) and 100,000 deep (past
    the parser's own limit) → CD-400 either way, no crash, and the service keeps serving."""
    payload = _envelope(identities.CITIZEN_EXISTS, _nested(depth)).encode()
    status, code = await _fault(client, payload, "text/xml; charset=utf-8")
    assert (status, code) == (500, "CD-400")
    await _still_serves(client)
