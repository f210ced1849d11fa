"""`ndxp-sim logs` against a real HTTP server (uvicorn in a thread) and a real tansu broker."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import orjson
import pytest
import uvicorn
from typer.testing import CliRunner

from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.cli_logs import app
from ndxp_sim.gateway.logpipe.broker import free_port
from ndxp_sim.gateway.logpipe.masking import subject_hash
from ndxp_sim.gateway.store import Store
from tests.gateway.store.ops_app import build_app
from tests.gateway.store.store_samples import T0, build_record
from tests.kafka_broker import running_broker, unique_topic

CITIZEN = "079012345678"
runner = CliRunner()


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    key = Settings().log.subject_key.get_secret_value()
    return [
        build_record(T0, ma_ho_so="000.00.00.H91-250301-0007", duration_ms=40.0),
        build_record(T0 + timedelta(seconds=1), subjects=[subject_hash(CITIZEN, key)], duration_ms=20.0),
        build_record(
            T0 + timedelta(seconds=2),
            ma_ho_so="000.00.00.H91-250301-0007",
            service_key="csdl_dkdn",
            outcome="backend_error",
            http_status=504,
            error_type="Server.Backend.Timeout",
            duration_ms=10000.0,
        ),
    ]


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> Iterator[str]:
    """A gateway with the ops API on a free port, its store holding `records`."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('cli') / 'exchanges.db'}"

    async def fill() -> None:
        store = Store(url)
        await store.start()
        await store.upsert_many(records)
        await store.stop()

    asyncio.run(fill())
    store = Store(url)
    port = free_port()
    config = uvicorn.Config(
        build_app(Settings(), lambda: store, own_store=store),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the test gateway did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def logs(*args: str) -> Any:
    return runner.invoke(app, list(args))


def test_search_prints_a_table_newest_first(gateway_url: str, records: list[dict[str, Any]]) -> None:
    result = logs("search", "--url", gateway_url, "--from", "2025-03-01T00:00:00Z")

    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.split()[:3] == ["TIME", "(UTC)", "CONSUMER"]
    assert [row.split()[-1] for row in rows] == [r["exchange_id"] for r in reversed(records)]
    assert "2025-03-01 08:00:02.000" in rows[0] and "backend_error" in rows[0] and "10000.0" in rows[0]


def test_search_json_lines_follow_every_page(gateway_url: str, records: list[dict[str, Any]]) -> None:
    result = logs("search", "--url", gateway_url, "--json", "--limit", "1", "--all")

    assert result.exit_code == 0, result.output
    lines = [orjson.loads(line) for line in result.output.splitlines()]
    assert [line["exchange_id"] for line in lines] == [r["exchange_id"] for r in reversed(records)]


def test_search_by_clear_subject_finds_the_citizens_exchanges(
    gateway_url: str, records: list[dict[str, Any]]
) -> None:
    result = logs("search", "--url", gateway_url, "--json", "--subject", CITIZEN)

    assert result.exit_code == 0, result.output
    assert [orjson.loads(line)["exchange_id"] for line in result.output.splitlines()] == [
        records[1]["exchange_id"]
    ]


def test_show_prints_the_whole_record(gateway_url: str, records: list[dict[str, Any]]) -> None:
    result = logs("show", records[0]["exchange_id"], "--url", gateway_url)

    assert result.exit_code == 0, result.output
    assert orjson.loads(result.output) == records[0]


def test_trace_prints_the_dossier_chain_oldest_first(gateway_url: str, records: list[dict[str, Any]]) -> None:
    result = logs("trace", "--ma-ho-so", "000.00.00.H91-250301-0007", "--url", gateway_url, "--json")

    assert result.exit_code == 0, result.output
    chain = [orjson.loads(line)["exchange_id"] for line in result.output.splitlines()]
    assert chain == [records[0]["exchange_id"], records[2]["exchange_id"]]


def test_stats_table(gateway_url: str) -> None:
    result = logs(
        "stats", "--url", gateway_url, "--from", "2025-03-01T08:00:00Z", "--to", "2025-03-01T09:00:00Z"
    )

    assert result.exit_code == 0, result.output
    header, dan_cu, dkdn = result.output.splitlines()
    assert header.split() == [
        "SERVICE",
        "COUNT",
        "ERRORS",
        "ERROR",
        "%",
        "P50",
        "MS",
        "P95",
        "MS",
        "P99",
        "MS",
    ]
    assert dan_cu.split() == ["csdl_dan_cu", "2", "0", "0.0%", "30.0", "39.0", "39.8"]
    assert dkdn.split() == ["csdl_dkdn", "1", "1", "100.0%", "10000.0", "10000.0", "10000.0"]


def test_errors_are_one_clear_line_and_a_non_zero_exit(gateway_url: str) -> None:
    unreachable = logs("search", "--url", f"http://127.0.0.1:{free_port()}")
    wrong_secret = logs("search", "--url", gateway_url, "--client-secret", "wrong")
    not_found = logs("show", "no-such-exchange", "--url", gateway_url)
    bad_since = logs("search", "--url", gateway_url, "--since", "yesterday")

    assert unreachable.exit_code == 1
    assert "cannot reach the gateway at http://127.0.0.1:" in unreachable.output
    assert "is `ndxp-sim up` running?" in unreachable.output
    assert wrong_secret.exit_code == 1 and "refused the operator credentials" in wrong_secret.output
    assert not_found.exit_code == 1 and "404 Client.NotFound" in not_found.output
    assert bad_since.exit_code == 1 and "not a duration" in bad_since.output


@pytest.mark.kafka
def test_tail_follows_the_topic_from_the_beginning(records: list[dict[str, Any]]) -> None:
    topic = unique_topic("tail")
    with running_broker() as broker:
        asyncio.run(_publish(broker.bootstrap_servers, topic, records))

        result = logs(
            "tail", "--bootstrap-servers", broker.bootstrap_servers, "--topic", topic,
            "--from-beginning", "--service", "csdl_dan_cu", "--limit", "2", "--json",
        )  # fmt: skip

    assert result.exit_code == 0, result.output
    tailed = {orjson.loads(line)["exchange_id"] for line in result.output.splitlines()}
    assert tailed == {records[0]["exchange_id"], records[1]["exchange_id"]}


def test_tail_says_when_the_broker_is_unreachable() -> None:
    result = logs("tail", "--bootstrap-servers", f"127.0.0.1:{free_port()}")

    assert result.exit_code == 1
    assert "cannot reach the Kafka broker at 127.0.0.1:" in result.output


async def _publish(servers: str, topic: str, records: list[dict[str, Any]]) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=servers)
    await producer.start()
    try:
        for record in records:
            await producer.send_and_wait(topic, orjson.dumps(record))
    finally:
        await producer.stop()
