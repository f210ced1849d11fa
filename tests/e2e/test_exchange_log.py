"""The exchange log with real processes: broker outage, gateway SIGKILL, masking, subject search."""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import subprocess
import sys
import time
from typing import Any

import httpx
import orjson
import pytest

from ndxp_sim.core import identities
from tests.e2e.conftest import ROOT, Processes, Simulator
from tests.kafka_broker import consume_records, start_broker, stop_broker

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]
CONSUMER = ("000.00.00.H91", "demo-secret-H91")
OPERATOR = ("ops.ndxp-sim", "demo-secret-ops")
CALLER = {"MaYeuCau": "YC-LOG", "MaCanBo": "CB-LOG"}
_numbers = itertools.count()


def _token(base_url: str, credentials: tuple[str, str]) -> dict[str, str]:
    response = httpx.post(f"{base_url}/token", data={"grant_type": "client_credentials"}, auth=credentials)
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['access_token']}"}


def _calls(client: httpx.Client, headers: dict[str, str], count: int) -> list[str]:
    """A mix of successes and errors; every call answered normally. Returns the request ids sent."""
    cases: list[tuple[str, str, dict[str, Any], int]] = [
        (
            "POST",
            "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
            {**CALLER, "SoDinhDanh": identities.CITIZEN_EXISTS},
            200,
        ),
        ("GET", f"/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn={identities.ENTERPRISE_ACTIVE}", {}, 200),
        (
            "POST",
            "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
            {**CALLER, "SoDinhDanh": identities.CITIZEN_MISSING},
            404,
        ),
        ("GET", "/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=0312345678", {}, 422),
    ]
    sent = []
    for method, path, body, status in itertools.islice(itertools.cycle(cases), count):
        request_id = f"log-test-{next(_numbers)}"
        response = client.request(
            method, path, json=body or None, headers={**headers, "x-request-id": request_id}
        )
        assert response.status_code == status, response.text
        sent.append(request_id)
    return sent


def _indexed_request_ids(base_url: str, headers: dict[str, str] | None = None) -> list[str]:
    headers = headers or _token(base_url, OPERATOR)
    ids: list[str] = []
    cursor = None
    while True:
        params = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{base_url}/_ops/exchanges", params=params, headers=headers, timeout=10).json()
        ids += [item["request_id"] for item in page["items"]]
        cursor = page.get("next_cursor")
        if not cursor:
            return ids


def _wait_indexed(base_url: str, expected: list[str], timeout_s: float = 120) -> list[str]:
    deadline = time.monotonic() + timeout_s
    # One operator token for the whole wait: /token is throttled per address (60 a minute).
    headers = _token(base_url, OPERATOR)
    while True:
        indexed = [rid for rid in _indexed_request_ids(base_url, headers) if rid.startswith("log-test-")]
        if set(expected) <= set(indexed) or time.monotonic() > deadline:
            return indexed
        time.sleep(0.5)


def _log_stats(client: httpx.Client) -> dict[str, int]:
    return client.get("/health/ready").json()["checks"]["exchange_log"]  # type: ignore[no-any-return]


def test_a_broker_outage_loses_nothing_and_duplicates_nothing(processes: Processes) -> None:
    broker = processes.broker()
    try:
        processes.start("mocks", "mocks", health="/health")
        processes.start("gateway", "gateway", health="/health")
        processes.start("indexer", "indexer")
        with httpx.Client(base_url=processes.base_url, timeout=30) as client:
            headers = _token(processes.base_url, CONSUMER)
            sent = _calls(client, headers, 20)
            # tansu keeps records in memory only: what it holds dies with it (Apache Kafka keeps them),
            # so the outage starts once the records it already acknowledged are indexed.
            assert set(sent) <= set(_wait_indexed(processes.base_url, sent))
            stop_broker(broker)
            sent += _calls(client, headers, 40)  # the gateway answers every call normally meanwhile
            deadline = time.monotonic() + 30
            while _log_stats(client)["spooled"] == 0:
                assert time.monotonic() < deadline, _log_stats(client)
                sent += _calls(client, headers, 4)
                time.sleep(0.5)
            broker = start_broker(processes.kafka_port)
            sent += _calls(client, headers, 10)
            indexed = _wait_indexed(processes.base_url, sent)
            stats = _log_stats(client)
        assert sorted(indexed) == sorted(sent), "every exchange in the store exactly once"
        assert stats["failed"] == 0 and stats["replayed"] > 0
        log = processes.log("gateway")
        # A line when the broker goes away and one when it is back, not one per request (40+ here).
        assert 1 <= log.count("unavailable") <= 2 and 1 <= log.count("is back after") <= 2
        assert "Traceback" not in log
    finally:
        stop_broker(broker)


def test_spooled_records_survive_a_gateway_sigkill(processes: Processes) -> None:
    processes.start("mocks", "mocks", health="/health")
    processes.start("gateway", "gateway", health="/health")
    with httpx.Client(base_url=processes.base_url, timeout=30) as client:
        sent = _calls(client, _token(processes.base_url, CONSUMER), 24)
        deadline = time.monotonic() + 30
        while _log_stats(client)["spooled"] < len(sent):  # no broker at all: everything goes to the spool
            assert time.monotonic() < deadline, _log_stats(client)
            time.sleep(0.3)
    processes.stop("gateway", signal.SIGKILL)
    broker = start_broker(processes.kafka_port)
    try:
        processes.start("gateway", "gateway", health="/health")
        processes.start("indexer", "indexer")
        indexed = _wait_indexed(processes.base_url, sent)
        assert sorted(indexed) == sorted(sent)
    finally:
        processes.stop_all()
        stop_broker(broker)


def test_no_clear_personal_data_reaches_the_topic_and_operators_find_a_citizen(simulator: Simulator) -> None:
    base = simulator.base_url
    with httpx.Client(base_url=base, timeout=30) as client:
        sent = _calls(client, _token(base, CONSUMER), 8)
    bootstrap = f"127.0.0.1:{simulator.env['NDXP_KAFKA__EMBEDDED_PORT']}"
    records = asyncio.run(consume_records(bootstrap, simulator.env["NDXP_KAFKA__TOPIC"], expected=len(sent)))
    raw = orjson.dumps(records).decode()
    assert {r["request_id"] for r in records} >= set(sent)
    for clear in (
        identities.CITIZEN_EXISTS,
        identities.CITIZEN_EXISTS_CMND,
        "Nguyễn",
        "19850315",
        "0912345678",
    ):
        assert clear not in raw, f"{clear} reached the topic unmasked"
    _wait_indexed(base, sent)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway",
            "logs",
            "search",
            "--subject",
            identities.CITIZEN_EXISTS,
            "--json",
            "--url",
            base,
        ],
        cwd=ROOT,
        env=simulator.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    found_ids = {item["request_id"] for item in found}
    assert set(sent[0::4]) <= found_ids  # the lookups of this citizen
    assert not set(sent[2::4]) & found_ids  # not the lookups of somebody else
