"""Malformed requests: deep or duplicate-key JSON, bad UTF-8, control characters, wrong content types."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ndxp_sim.core import identities
from tests.conftest import CONSUMER, GatewayHarness
from tests.e2e.conftest import Processes

DAN_CU = "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan"
DKDN = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep"
GOOD = b'{"MaYeuCau": "YC-1", "MaCanBo": "CB-7", "SoDinhDanh": "' + identities.CITIZEN_EXISTS.encode() + b'"}'
JSON = "application/json"


def _with(extra: bytes) -> bytes:
    return GOOD[:-1] + b", " + extra + b"}"


BAD_BODIES = [
    pytest.param(b"[" * 100_000 + b"]" * 100_000, JSON, "depth limit", id="100k nested arrays"),
    pytest.param(
        _with(b'"x": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000), JSON, "depth limit", id="deep object"
    ),
    pytest.param(
        _with(b'"SoDinhDanh": "' + identities.CITIZEN_DECEASED.encode() + b'"'),
        JSON,
        "'SoDinhDanh' appears more than once",
        id="duplicate key",
    ),
    pytest.param(_with(b'"x": [{"a": 1, "a": 2}]'), JSON, "'a' appears more than once", id="nested dup"),
    pytest.param(  # a string holding an escaped quote and a colon, as a key's end looks
        _with(b'"x": "q\\": ", "MaCanBo": "CB-8"'),
        JSON,
        "'MaCanBo' appears more than once",
        id="duplicate after an escaped quote and colon",
    ),
    pytest.param(b'{"MaYeuCau": "YC-\xff\xfe", "MaCanBo": "CB-7"}', JSON, "UTF-8", id="invalid UTF-8"),
    pytest.param(b'{"MaYeuCau": "YC-\x01", "MaCanBo": "CB-7"}', JSON, "control character", id="raw control"),
    pytest.param(GOOD.replace(b"YC-1", b"YC-\\u0000\\u001b[31m"), JSON, "MaYeuCau", id="escaped NUL and ESC"),
    pytest.param(
        b"MaYeuCau=YC-1&MaCanBo=CB-7", "application/x-www-form-urlencoded", "content-type", id="form"
    ),
    pytest.param(b"<x><MaYeuCau>YC-1</MaYeuCau></x>", "application/xml", "content-type", id="XML"),
    pytest.param(GOOD, None, "content-type: missing", id="no content type"),
    pytest.param(GOOD, "text/plain", "content-type", id="text/plain"),
    pytest.param(b"", JSON, "JSON object is required", id="empty"),
    pytest.param(b'"just a string"', JSON, "JSON object is required", id="not an object"),
]


@pytest.mark.parametrize(("body", "content_type", "named"), BAD_BODIES)
async def test_malformed_bodies_get_a_422_naming_the_problem(
    stack: GatewayHarness, body: bytes, content_type: str | None, named: str
) -> None:
    """A JSON operation sent 100k nested arrays, a 5000-deep object, a duplicate key, invalid UTF-8, a raw
    or escaped control character, a form, XML, no or a text content type, an empty body or a bare string →
    422 Client.InvalidRequest whose message names the problem; the backend gives no answer (it is not
    called); the next call works."""
    headers = await stack.auth()
    if content_type:
        headers["content-type"] = content_type
    response = await stack.client.post(DAN_CU, content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "Client.InvalidRequest" and named in response.json()["message"]
    assert stack.exchange(response.headers["x-ndxp-exchange-id"]).backend_status is None
    good = await stack.client.post(DAN_CU, content=GOOD, headers={**headers, "content-type": JSON})
    assert good.status_code == 200, good.text


@pytest.mark.parametrize(
    ("query", "named"),
    [
        (f"msdn={identities.ENTERPRISE_ACTIVE}&msdn={identities.ENTERPRISE_DISSOLVED}", "more than once"),
        ("msdn=16001%0023453", "msdn"),
        ("msdn=%ff%fe", "msdn"),
        (f"msdn={identities.ENTERPRISE_ACTIVE}&extra=1", "extra"),
    ],
)
async def test_ambiguous_or_malformed_queries_get_a_422(
    stack: GatewayHarness, query: str, named: str
) -> None:
    """A GET operation with the same field twice, a NUL, invalid UTF-8 or an unknown field in its query →
    422 naming the field, no backend call."""
    response = await stack.client.get(f"{DKDN}?{query}", headers=await stack.auth())
    assert response.status_code == 422 and named in response.json()["message"], response.text
    assert stack.exchange(response.headers["x-ndxp-exchange-id"]).t_backend_out is None


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    parts = Processes(tmp_path)
    yield parts
    parts.stop_all()


def _rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


async def test_a_burst_of_big_bad_bodies_leaves_a_real_gateways_memory_bounded(processes: Processes) -> None:
    """A real gateway process, 60 bad bodies of nearly 1 MiB each (deep nesting, invalid UTF-8, duplicate
    keys), 10 at a time → every one refused with 422, the process's RSS grows by under 64 MiB, and it still
    answers a good call."""
    gateway = await asyncio.to_thread(processes.start, "gateway", "gateway", health="/health")
    near_limit = 1_000_000
    bodies = [
        b"[" * near_limit,
        b'{"MaYeuCau": "' + b"\xff" * (near_limit - 20) + b'"}',
        b"{" + b'"k": 1, ' * (near_limit // 8 - 2) + b'"k": 2}',
    ]
    async with httpx.AsyncClient(base_url=processes.base_url, timeout=30) as client:
        token = await client.post("/token", data={"grant_type": "client_credentials"}, auth=CONSUMER)
        headers = {"authorization": f"Bearer {token.json()['access_token']}", "content-type": JSON}
        await client.post(DAN_CU, content=GOOD, headers=headers)  # first-call allocations are not growth
        before = _rss_mib(gateway.pid)
        statuses: list[int] = []
        for start in range(0, 60, 10):
            batch = [bodies[i % len(bodies)] for i in range(start, start + 10)]
            answers = await asyncio.gather(*(client.post(DAN_CU, content=b, headers=headers) for b in batch))
            statuses += [answer.status_code for answer in answers]
        after = _rss_mib(gateway.pid)
        good = await client.post(DAN_CU, content=GOOD, headers=headers)
    assert set(statuses) == {422}
    assert after - before < 64, (before, after)
    assert good.status_code in (200, 503)  # 503: no mock backend runs here; the gateway itself serves
