"""KafkaSink against a real tansu broker: delivery, draining, outages, a slow broker, a killed gateway."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaTimeoutError

from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.logpipe import CountingSink, build_sink
from ndxp_sim.gateway.logpipe.broker import EmbeddedBroker, free_port
from ndxp_sim.gateway.logpipe.schema import record_schema
from ndxp_sim.gateway.logpipe.sink import TOPIC_PARTITIONS, KafkaSink, partition_by_crc32
from tests.gateway.logpipe.logpipe_samples import CITIZEN_ID, MakeExchange
from tests.kafka_broker import consume_records, running_broker

pytestmark = pytest.mark.kafka

SinkSettings = Callable[..., Settings]
REPO = Path(__file__).resolve().parents[3]


async def eventually(condition: Callable[[], bool], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def submit(sink: KafkaSink, make_exchange: MakeExchange, count: int) -> list[str]:
    exchanges = [make_exchange() for _ in range(count)]
    for exchange in exchanges:
        sink.submit(exchange)
    return [e.exchange_id for e in exchanges]


@pytest.fixture
def own_broker() -> Iterator[EmbeddedBroker]:
    """A broker this test may stop, pause and restart (on the same port)."""
    with running_broker() as broker:
        yield broker


async def test_every_exchange_reaches_the_topic_exactly_once_as_a_valid_record(
    sink_settings: SinkSettings, make_exchange: MakeExchange
) -> None:
    settings = sink_settings()
    sink = KafkaSink(settings)
    await sink.start()
    assert sink.ready()[0]
    ids = submit(sink, make_exchange, 500)
    await eventually(lambda: sink.stats()["produced"] == 500)
    await sink.stop()

    records = await consume_records(
        settings.kafka.bootstrap_servers or "", settings.kafka.topic, expected=500
    )
    assert sorted(r["exchange_id"] for r in records) == sorted(ids)
    validator = jsonschema.Draft7Validator(record_schema())
    for record in records:
        validator.validate(record)
        assert CITIZEN_ID not in orjson.dumps(record).decode()
    stats = sink.stats()
    assert (stats["submitted"], stats["produced"], stats["spooled"], stats["pending"], stats["failed"]) == (
        500, 500, 0, 0, 0,
    )  # fmt: skip


async def test_each_record_lands_on_the_partition_its_key_names(
    sink_settings: SinkSettings, make_exchange: MakeExchange
) -> None:
    settings = sink_settings(queue_max=100)  # some sent from memory, the rest overflow and are replayed
    sink = KafkaSink(settings)
    await sink.start()
    ids = submit(sink, make_exchange, 400)
    await eventually(lambda: sink.stats()["pending"] == 0)
    await sink.stop()
    stats = sink.stats()
    assert stats["produced"] > 0 and stats["replayed"] > 0
    assert stats["produced"] + stats["replayed"] == 400

    consumer = AIOKafkaConsumer(
        settings.kafka.topic,
        bootstrap_servers=settings.kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    placed: dict[str, int] = {}
    try:
        while len(placed) < 400:
            batches = await asyncio.wait_for(consumer.getmany(timeout_ms=200), 30)
            for messages in batches.values():
                placed.update((m.key.decode(), m.partition) for m in messages)
    finally:
        await consumer.stop()
    # The layout earlier records and the indexers rely on: crc32 of the exchange id over the partitions.
    partitions = list(range(TOPIC_PARTITIONS))
    assert placed == {i: partition_by_crc32(i.encode(), partitions, partitions) for i in ids}
    assert set(placed.values()) == set(partitions)


async def test_a_batch_the_broker_fails_goes_to_the_spool_and_every_count_adds_up(
    sink_settings: SinkSettings, make_exchange: MakeExchange, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_send_batch = AIOKafkaProducer.send_batch
    failed: list[int] = []

    async def fail_the_first(self: AIOKafkaProducer, batch: Any, topic: str, *, partition: int) -> Any:
        if failed:
            return await real_send_batch(self, batch, topic, partition=partition)
        failed.append(batch.record_count())  # never sent: its records exist only in the sink's memory
        future = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_later(0.05, future.set_exception, KafkaTimeoutError("batch expired"))
        return future

    monkeypatch.setattr(AIOKafkaProducer, "send_batch", fail_the_first)
    settings = sink_settings()
    sink = KafkaSink(settings, probe_interval_s=0.2)
    await sink.start()
    ids = submit(sink, make_exchange, 300)
    await eventually(lambda: sink.stats()["pending"] == 0 and sink.stats()["spooled"] > 0)
    await sink.stop()

    stats = sink.stats()
    assert failed and failed[0] > 0
    assert stats["spooled"] >= failed[0] and stats["replayed"] == stats["spooled"]
    assert (stats["submitted"], stats["produced"] + stats["spooled"], stats["pending"], stats["failed"]) == (
        300, 300, 0, 0,
    )  # fmt: skip
    records = await consume_records(
        settings.kafka.bootstrap_servers or "", settings.kafka.topic, expected=300
    )
    # At-least-once: batches in flight when the sink gave up on the broker may arrive twice, none is lost.
    assert {r["exchange_id"] for r in records} == set(ids)


async def test_stop_drains_records_still_in_memory(
    sink_settings: SinkSettings, make_exchange: MakeExchange
) -> None:
    settings = sink_settings()
    sink = KafkaSink(settings)
    await sink.start()
    ids = submit(sink, make_exchange, 3000)
    await sink.stop()  # right away: nothing has been sent yet

    assert sink.stats()["produced"] == 3000 and sink.stats()["pending"] == 0
    records = await consume_records(
        settings.kafka.bootstrap_servers or "", settings.kafka.topic, expected=3000
    )
    assert sorted(r["exchange_id"] for r in records) == sorted(ids)


async def test_stop_without_a_broker_puts_everything_in_the_spool(
    sink_settings: SinkSettings, make_exchange: MakeExchange
) -> None:
    settings = sink_settings(bootstrap=f"127.0.0.1:{free_port()}")
    sink = KafkaSink(settings)
    await sink.start()
    assert not sink.ready()[0]
    submit(sink, make_exchange, 250)
    await sink.stop()

    stats = sink.stats()
    assert (stats["spooled"], stats["spool_backlog"], stats["pending"], stats["failed"]) == (250, 250, 250, 0)
    lines = await asyncio.to_thread(
        lambda: [
            line
            for seg in sorted(sink.spool_directory.glob("*.seg"))
            for line in seg.read_bytes().splitlines()
        ]
    )
    assert len(lines) == 250 and all(orjson.loads(line)["schema_version"] == 1 for line in lines)


async def test_outage_spools_without_raising_then_replays_each_record_once(
    sink_settings: SinkSettings,
    make_exchange: MakeExchange,
    own_broker: EmbeddedBroker,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ndxp.logpipe")
    settings = sink_settings(bootstrap=own_broker.bootstrap_servers)
    sink = KafkaSink(settings, delivery_timeout_s=2, probe_interval_s=0.2)
    await sink.start()
    submit(sink, make_exchange, 100)
    await eventually(lambda: sink.stats()["produced"] == 100)

    await own_broker.stop()
    during_outage = []
    for _ in range(30):  # traffic keeps coming while the broker is away
        during_outage += submit(sink, make_exchange, 10)
        await asyncio.sleep(0.01)
    await eventually(lambda: sink.stats()["spool_backlog"] == 300)
    ready, reason = sink.ready()
    assert not ready and "unreachable" in reason

    await own_broker.start()  # same port; memory storage, so the topic is empty again
    await eventually(lambda: sink.stats()["replayed"] == 300)
    assert sink.ready()[0]
    await sink.stop()

    records = await consume_records(own_broker.bootstrap_servers, settings.kafka.topic, expected=300)
    assert sorted(r["exchange_id"] for r in records) == sorted(during_outage)
    stats = sink.stats()
    assert (stats["spooled"], stats["replayed"], stats["pending"], stats["failed"]) == (300, 300, 0, 0)
    messages = [r.getMessage() for r in caplog.records if r.name == "ndxp.logpipe"]
    assert sum("unavailable" in m for m in messages) == 1
    assert sum("is back after" in m for m in messages) == 1
    assert not await asyncio.to_thread(lambda: list(Path(settings.log.spool_dir).rglob("*.seg")))


async def test_a_broker_that_stops_answering_is_an_outage_too(
    sink_settings: SinkSettings, make_exchange: MakeExchange, own_broker: EmbeddedBroker
) -> None:
    settings = sink_settings(bootstrap=own_broker.bootstrap_servers)
    sink = KafkaSink(settings, delivery_timeout_s=1, probe_interval_s=0.2)
    await sink.start()
    ids = submit(sink, make_exchange, 50)
    await eventually(lambda: sink.stats()["produced"] == 50)

    os.kill(own_broker.pid or 0, signal.SIGSTOP)  # accepts connections, never answers
    try:
        ids += submit(sink, make_exchange, 200)
        await eventually(lambda: sink.stats()["spooled"] >= 200)
        assert not sink.ready()[0]
    finally:
        os.kill(own_broker.pid or 0, signal.SIGCONT)
    await eventually(lambda: sink.stats()["pending"] == 0)
    await sink.stop()

    records = await consume_records(own_broker.bootstrap_servers, settings.kafka.topic, expected=250)
    # A paused broker may still write what it had received: at-least-once, never a loss.
    assert {r["exchange_id"] for r in records} == set(ids)
    assert sink.stats()["failed"] == 0


async def test_records_waiting_behind_full_batches_of_a_silent_broker_go_to_the_spool(
    sink_settings: SinkSettings, make_exchange: MakeExchange, own_broker: EmbeddedBroker
) -> None:
    # Small batches: a pump fills several per partition, so it stalls with full batches in hand.
    settings = sink_settings(bootstrap=own_broker.bootstrap_servers, kafka={"max_batch_size": 16_384})
    sink = KafkaSink(settings, delivery_timeout_s=1, probe_interval_s=0.2)
    await sink.start()
    await eventually(lambda: sink.ready()[0])

    os.kill(own_broker.pid or 0, signal.SIGSTOP)  # accepts connections, never answers
    try:
        ids = submit(sink, make_exchange, 1500)
        await eventually(lambda: sink.stats()["spool_backlog"] == 1500)  # none acknowledged, none lost
        assert not sink.ready()[0]
    finally:
        os.kill(own_broker.pid or 0, signal.SIGCONT)
    await eventually(lambda: sink.stats()["pending"] == 0)
    await sink.stop()

    stats = sink.stats()
    assert (stats["produced"], stats["spooled"], stats["replayed"], stats["failed"]) == (0, 1500, 1500, 0)
    records = await consume_records(own_broker.bootstrap_servers, settings.kafka.topic, expected=1500)
    assert {r["exchange_id"] for r in records} == set(ids)


async def test_a_queue_over_its_limit_overflows_to_the_spool_and_still_delivers(
    sink_settings: SinkSettings, make_exchange: MakeExchange
) -> None:
    settings = sink_settings(queue_max=50)
    sink = KafkaSink(settings)
    await sink.start()
    ids = submit(sink, make_exchange, 1000)  # all at once: the task sees 1000 queued
    await eventually(lambda: sink.stats()["pending"] == 0)
    await sink.stop()

    stats = sink.stats()
    assert stats["spooled"] >= 950 and stats["replayed"] == stats["spooled"]
    records = await consume_records(
        settings.kafka.bootstrap_servers or "", settings.kafka.topic, expected=1000
    )
    assert sorted(r["exchange_id"] for r in records) == sorted(ids)


_KILLED_GATEWAY = """
import asyncio, sys, time
import ndxp_sim.adapters.upstream  # the gateway's import order
from ndxp_sim.gateway.exchange import Exchange, sortable_uuid
from ndxp_sim.gateway.logpipe.sink import TOPIC_PARTITIONS, KafkaSink, partition_by_crc32
from ndxp_sim.core.settings import Settings

async def main(count):
    sink = KafkaSink(Settings(), probe_interval_s=60)
    await sink.start()
    ids = []
    for _ in range(count):
        exchange = Exchange(sortable_uuid(), "req", "killed-gw", "GET", "/x", time.time())
        ids.append(exchange.exchange_id)
        sink.submit(exchange)
    while sink.stats()["spool_backlog"] < count:
        await asyncio.sleep(0.01)
    print(" ".join(ids), flush=True)
    await asyncio.sleep(120)

asyncio.run(main(int(sys.argv[1])))
"""


async def test_spool_of_a_killed_gateway_is_replayed_by_the_next_one(
    sink_settings: SinkSettings, tmp_path: Path
) -> None:
    settings = sink_settings()
    env = {
        **os.environ,
        "NDXP_KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",  # nobody listens: everything spools
        "NDXP_KAFKA__TOPIC": settings.kafka.topic,
        "NDXP_LOG__SPOOL_DIR": str(settings.log.spool_dir),
        "NDXP_STORE__URL": f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
    }
    child = subprocess.Popen(  # noqa: ASYNC220 - started once, read in a thread, killed by PID
        [sys.executable, "-c", _KILLED_GATEWAY, "400"], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        line = await asyncio.wait_for(asyncio.to_thread(child.stdout.readline), 60)  # type: ignore[union-attr]
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    spooled_ids = line.split()
    assert len(spooled_ids) == 400

    sink = KafkaSink(settings)
    await sink.start()  # adopts the dead process's spool directory
    await eventually(lambda: sink.stats()["replayed"] == 400)
    await sink.stop()

    records = await consume_records(
        settings.kafka.bootstrap_servers or "", settings.kafka.topic, expected=400
    )
    assert sorted(r["exchange_id"] for r in records) == sorted(spooled_ids)
    left = await asyncio.to_thread(lambda: [p.name for p in Path(settings.log.spool_dir).iterdir()])
    assert left == [sink.spool_directory.name]  # the dead worker's directory is gone


def test_build_sink_follows_log_enabled(make_settings: Callable[..., Settings]) -> None:
    assert isinstance(build_sink(make_settings(log={"enabled": False})), CountingSink)
    assert isinstance(build_sink(make_settings()), KafkaSink)
