"""Personal data in every sink of a real run: topic, store, spool, process logs and error answers."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from ndxp_sim.core import catalogues, identities
from ndxp_sim.core.identifiers import bhxh_is_valid, mst_is_valid
from ndxp_sim.gateway.logpipe.fields import Kind
from ndxp_sim.gateway.logpipe.masking import Masker, mask_value
from tests.conftest import CONSUMER, OPERATOR
from tests.e2e.conftest import Simulator, start_simulator
from tests.kafka_broker import consume_records
from tests.samples import birth_registration

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]
DAN_CU = "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan"
DKDN = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep"


def _personal_numbers() -> dict[str, str]:
    """Every test identity's CCCD, CMND, phone and BHXH number (the CCCD is also the personal tax code)."""
    citizens, _, _ = identities.fixed_records()
    found = {}
    for citizen in citizens:
        for field in ("so_dinh_danh", "so_cmnd", "so_dien_thoai", "ma_so_bhxh"):
            value = getattr(citizen, field)
            if value:
                found[value] = f"{citizen.ten}.{field}"
    return found


PERSONAL = _personal_numbers()


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[Simulator]:
    simulator = start_simulator(tmp_path)
    yield simulator
    simulator.stop()


def _calls(client: httpx.Client, auth: dict[str, str]) -> list[httpx.Response]:
    """Calls that put identifiers everywhere a caller can: headers, correlation keys, query, body, errors."""
    answers = []
    citizens, _, _ = identities.fixed_records()
    for citizen in citizens:
        phone = citizen.so_dien_thoai or "0900000000"
        headers = {**auth, "x-request-id": citizen.so_dinh_danh, "MaHoSo": f"HS-{citizen.so_dinh_danh}"}
        body = {
            "MaYeuCau": f"YC {citizen.so_dinh_danh}",
            "MaCanBo": phone,
            "SoDinhDanh": citizen.so_dinh_danh,
        }
        answers.append(client.post(DAN_CU, json=body, headers=headers))
        if citizen.so_cmnd:
            by_cmnd = {"MaYeuCau": f"YC-{citizen.so_cmnd}", "MaCanBo": "CB-1", "SoCMND": citizen.so_cmnd}
            answers.append(client.post(DAN_CU, json=by_cmnd, headers=auth))
        # error paths: an identifier where an enterprise code belongs, in the query, and in the path
        answers.append(client.get(f"{DKDN}?msdn={citizen.so_dinh_danh}", headers=auth))
        answers.append(client.get(f"{DKDN}?msdn=1600123453&MaSoBHXH={citizen.ma_so_bhxh}", headers=auth))
        answers.append(client.get(f"/apiCSDLDanCu/1.0/{citizen.so_dinh_danh}", headers=auth))
        bad = {"MaYeuCau": phone, "MaCanBo": "CB-1", "SoDinhDanh": citizen.so_dinh_danh + "9"}
        answers.append(client.post(DAN_CU, json=bad, headers={**auth, "x-request-id": phone}))
    missing = {"MaYeuCau": "YC-404", "MaCanBo": "CB-1", "SoDinhDanh": identities.CITIZEN_MISSING}
    answers.append(client.post(DAN_CU, json=missing, headers=auth))
    answers.append(
        client.post(
            "/apiHoTich/1.0/dangKyKhaiSinh",
            json=birth_registration("000.00.00.H91-KS-PII-1"),
            headers={**auth, "MaHoSo": "000.00.00.H91-KS-PII-1"},
        )
    )
    return answers


def _indexed(client: httpx.Client, ops: dict[str, str]) -> list[dict[str, object]]:
    page = client.get("/_ops/exchanges", params={"limit": 500}, headers=ops).json()
    return list(page["items"])


def _without_banner(output: str) -> str:
    """The processes' output without `up`'s start banner, whose "Try it" example request names the
    documented test citizen before any traffic (gateway/embedded.py)."""
    before, _, rest = output.partition("ndxp-sim is up.")
    return before + rest.partition("Press Ctrl+C to stop.")[2]


def _leaks(where: str, text: str) -> list[str]:
    return [f"{where}: {PERSONAL[value]} ({value})" for value in PERSONAL if value in text]


def test_no_identity_number_is_in_clear_in_any_sink(simulator: Simulator, tmp_path: Path) -> None:
    """`ndxp-sim up` (broker, mocks, gateway, indexer, default masked policy); every test identity's CCCD,
    CMND, phone and BHXH number sent in X-Request-Id, MaYeuCau, MaCanBo, MaHoSo, query strings, bodies, an
    unknown path and invalid requests → none of them in clear in the topic, the store's files, the spool,
    the processes' output or any error answer."""
    with httpx.Client(base_url=simulator.base_url, timeout=30) as client:
        token = client.post("/token", data={"grant_type": "client_credentials"}, auth=CONSUMER)
        answers = _calls(client, {"authorization": f"Bearer {token.json()['access_token']}"})
        operator = client.post("/token", data={"grant_type": "client_credentials"}, auth=OPERATOR)
        ops = {"authorization": f"Bearer {operator.json()['access_token']}"}
        bootstrap = f"127.0.0.1:{simulator.env['NDXP_KAFKA__EMBEDDED_PORT']}"
        topic = simulator.env["NDXP_KAFKA__TOPIC"]
        records = asyncio.run(consume_records(bootstrap, topic, expected=len(answers)))
        deadline = time.monotonic() + 120
        while len(_indexed(client, ops)) < len(answers):  # the store is scanned once it holds every call
            assert time.monotonic() < deadline, "the indexer did not index every call"
            time.sleep(0.5)
        ops_answer = orjson.dumps(_indexed(client, ops)).decode()
    assert {answer.status_code for answer in answers} >= {200, 404, 422}
    assert len(records) >= len(answers)

    leaks = _leaks("topic", orjson.dumps(records).decode())
    leaks += _leaks("ops API", ops_answer)
    store_files = sorted(tmp_path.glob("exchanges.db*"))
    assert store_files
    for path in store_files:
        leaks += _leaks(path.name, path.read_bytes().decode("latin-1"))
    with sqlite3.connect(tmp_path / "exchanges.db") as db:
        rows = db.execute("select * from exchange").fetchall()
    assert len(rows) >= len(answers)
    leaks += _leaks("store rows", repr(rows))
    for path in (tmp_path / "spool").rglob("*"):
        if path.is_file():
            leaks += _leaks(f"spool {path.name}", path.read_bytes().decode("latin-1"))
    leaks += _leaks("process output", _without_banner(simulator.log()))
    for answer in answers:
        if answer.status_code >= 400:
            # X-Request-Id is echoed to the caller who chose it (tests/hardening/test_personal_data.py)
            echoed = [(k, v) for k, v in answer.headers.items() if k != "x-request-id"]
            leaks += _leaks(f"error answer {answer.status_code}", answer.text + repr(echoed))
    assert leaks == [], "\n".join(leaks)


def test_a_masked_cccd_leaves_at_least_a_million_candidates() -> None:
    """A test identity's CCCD masked as the sinks show it → the valid CCCDs matching the masked form
    (known province prefixes, any century digit, any year, hidden digits) number at least 10^6, so a keyed
    subject hash cannot be inverted by trying them even with the key."""
    masked = mask_value(identities.CITIZEN_EXISTS, Kind.IDENTIFIER)
    prefixes = {"0" + province.code for province in catalogues.old_provinces()}
    matching_prefixes = [p for p in prefixes if re.fullmatch(masked[:3].replace("*", "."), p)]
    candidates = len(matching_prefixes) * 10 ** masked[3:].count("*")
    assert candidates >= 10**6, (masked, candidates)


def test_a_bhxh_number_under_an_unknown_query_name_is_masked() -> None:
    """A BHXH number in a query parameter with a name the field list does not know (`bhxh=`) → masked in
    the record's query, an enterprise's tax code beside it left clear (it has an MST's check digit)."""
    masker = Masker("test-subject-key")
    bhxh = identities.fixed_records()[0][0].ma_so_bhxh
    assert bhxh and not mst_is_valid(bhxh)
    masked = masker.mask_query(f"msdn=1600123453&bhxh={bhxh}", set())
    assert bhxh not in masked and "msdn=1600123453" in masked


@pytest.mark.xfail(
    strict=True,
    reason="a BHXH number has no check digit: one that happens to carry an MST's (about 1 in 11) is taken "
    "for an enterprise's public tax code where no field name says what it is, and stays in clear",
)
def test_a_bhxh_number_shaped_like_a_tax_code_under_an_unknown_name_is_masked() -> None:
    """A BHXH number that is also a valid MST (`8900000007`), under a name the field list does not know →
    masked in the record's query (it is not: a known limit, see Known limits)."""
    bhxh = "8900000007"
    assert bhxh_is_valid(bhxh) and mst_is_valid(bhxh)
    assert bhxh not in Masker("test-subject-key").mask_query(f"bhxh={bhxh}", set())
