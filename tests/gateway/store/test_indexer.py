"""The indexer against a real tansu broker: records land in the store once, offsets follow the database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy.exc import OperationalError

from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.indexer import Indexer
from ndxp_sim.gateway.logpipe.broker import EmbeddedBroker, free_port
from ndxp_sim.gateway.store import ExchangeFilter, PreparedRecord, Store
from tests.conftest import MakeSettings
from tests.gateway.store.store_samples import RecordFactory
from tests.kafka_broker import running_broker, unique_topic

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def kafka_broker() -> Iterator[EmbeddedBroker]:
    with running_broker() as broker:
        yield broker


@pytest.fixture
def settings(make_settings: MakeSettings, kafka_broker: EmbeddedBroker) -> Settings:
    """Settings for one test: its own topic and consumer group on the module's broker."""
    kafka = {"bootstrap_servers": kafka_broker.bootstrap_servers, "topic": unique_topic("indexer")}
    return make_settings(kafka=kafka | {"group_id": f"group-{kafka['topic']}"})


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[Store]:
    store = Store(settings.store.url)
    await store.start()
    yield store
    await store.stop()


Produce = Callable[[Sequence[dict[str, Any] | bytes]], Awaitable[None]]


@pytest.fixture
async def produce(settings: Settings) -> AsyncIterator[Produce]:
    """Publish records (or raw message values) to the test's topic with a plain aiokafka producer."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()

    async def send(values: Sequence[dict[str, Any] | bytes]) -> None:
        for value in values:
            await producer.send(
                settings.kafka.topic, value if isinstance(value, bytes) else orjson.dumps(value)
            )
        await producer.flush()

    yield send
    await producer.stop()


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_records_are_indexed_once_even_when_delivered_twice(
    settings: Settings, store: Store, produce: Produce, make_record: RecordFactory
) -> None:
    records = [make_record() for _ in range(20)]
    indexer = Indexer(settings, store=store, poll_timeout_ms=100)
    await indexer.start()
    try:
        await produce(records)
        await produce(records)  # a producer retry or a spool replay
        await eventually(lambda: _consumed(indexer, 40))
    finally:
        await indexer.stop()

    assert await store.count() == 20
    assert indexer.stats() == {"consumed": 40, "inserted": 20, "duplicates": 20, "bad": 0}
    assert await store.get(records[7]["exchange_id"]) == records[7]


async def test_bad_records_are_counted_and_skipped(
    settings: Settings, store: Store, produce: Produce, make_record: RecordFactory
) -> None:
    good = [make_record(), make_record()]
    indexer = Indexer(settings, store=store, poll_timeout_ms=100)
    await indexer.start()
    try:
        await produce([b"not json", good[0], {"schema_version": 99}, make_record(outcome="?"), good[1]])
        await eventually(lambda: _consumed(indexer, 5))
    finally:
        await indexer.stop()

    assert indexer.counters.bad == 3
    page = await store.search(ExchangeFilter())
    assert {item["exchange_id"] for item in page.items} == {r["exchange_id"] for r in good}


class _DatabaseDown(Store):
    """A store whose database is unreachable: every write fails the way a lost connection does."""

    attempts = 0

    async def upsert_prepared(self, records: Sequence[PreparedRecord]) -> int:
        self.attempts += 1
        raise OperationalError("INSERT", {}, ConnectionRefusedError("database is down"))


async def test_offsets_are_committed_only_after_the_database_commit(
    settings: Settings, store: Store, produce: Produce, make_record: RecordFactory
) -> None:
    await produce([make_record() for _ in range(10)])
    broken = _DatabaseDown(settings.store.url)
    await broken.start()
    failing = Indexer(settings, store=broken, poll_timeout_ms=100)
    await failing.start()

    async def retried() -> bool:
        return broken.attempts >= 2  # it kept the batch and retried instead of moving on

    await eventually(retried)
    await failing.stop()
    await broken.stop()
    assert await store.count() == 0

    # Same consumer group: it starts from the committed offsets, which must not cover the batch.
    restarted = Indexer(settings, store=store, poll_timeout_ms=100)
    await restarted.start()
    try:
        await eventually(lambda: _count_is(store, 10))
    finally:
        await restarted.stop()


async def test_indexing_resumes_after_a_broker_restart(
    make_settings: MakeSettings, make_record: RecordFactory
) -> None:
    with running_broker() as broker:
        settings = make_settings(kafka={"bootstrap_servers": broker.bootstrap_servers, "topic": "restart"})
        store = Store(settings.store.url)
        await store.start()
        indexer = Indexer(settings, store=store, poll_timeout_ms=100)
        await indexer.start()
        try:
            await _produce_once(settings, [make_record() for _ in range(3)])
            await eventually(lambda: _count_is(store, 3))

            await broker.stop()
            await broker.start()  # same port; the embedded broker kept nothing: the topic comes back empty
            await _produce_once(settings, [make_record() for _ in range(3)])

            await eventually(lambda: _count_is(store, 6), timeout_s=60)
        finally:
            await indexer.stop()
            await store.stop()


async def _produce_once(settings: Settings, records: Sequence[dict[str, Any]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for record in records:
            await producer.send_and_wait(settings.kafka.topic, orjson.dumps(record))
    finally:
        await producer.stop()


async def _consumed(indexer: Indexer, n: int) -> bool:
    return indexer.counters.consumed >= n


async def _count_is(store: Store, n: int) -> bool:
    return await store.count() == n


async def test_an_indexer_started_before_the_broker_says_so_once_and_waits(
    make_settings: MakeSettings, make_record: RecordFactory, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    settings = make_settings(kafka={"bootstrap_servers": f"127.0.0.1:{port}", "topic": "late"})
    store = Store(settings.store.url)
    await store.start()
    indexer = Indexer(settings, store=store, poll_timeout_ms=100)
    await indexer.start()
    try:
        await eventually(lambda: _logged(caplog, "unreachable"))
        await asyncio.sleep(1.0)  # a few failed reconnects
        with running_broker(port):
            await _produce_once(settings, [make_record() for _ in range(3)])
            await eventually(lambda: _count_is(store, 3))
            # Counted while the broker runs: its stop at the end of the block is an outage of its own.
            outage_lines = [
                r
                for r in caplog.records
                if r.name == "ndxp_sim.gateway.indexer" and "unreachable" in r.message
            ]
    finally:
        await indexer.stop()
        await store.stop()

    assert len(outage_lines) == 1
    assert f"127.0.0.1:{port}" in outage_lines[0].message


async def _logged(caplog: pytest.LogCaptureFixture, text: str) -> bool:
    return any(text in record.message for record in caplog.records)
