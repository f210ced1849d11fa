"""The exchange-log pipeline under broker faults: quiet logs, quick detection, bounded loss."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.indexer import Indexer
from ndxp_sim.gateway.store import Store
from tests.conftest import MakeSettings
from tests.gateway.store.store_samples import build_record
from tests.kafka_broker import running_broker

pytestmark = pytest.mark.kafka


async def _eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def _produce(settings: Settings, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        for _ in range(count):
            record = build_record(datetime.now(UTC))
            await producer.send_and_wait(settings.kafka.topic, orjson.dumps(record))
    finally:
        await producer.stop()


async def test_a_broker_outage_gives_the_indexer_one_line_out_and_one_back(
    make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """Case: the broker stops for several seconds under a running indexer, then comes back. Expected: one
    warning when it goes (within a few seconds), none while it stays away (it used to be ~80 error lines
    a second from the Kafka client), one when it is back, and indexing resumes."""
    caplog.set_level(logging.INFO)
    with running_broker() as broker:
        settings = make_settings(kafka={"bootstrap_servers": broker.bootstrap_servers, "topic": "outage"})
        store = Store(settings.store.url)
        await store.start()
        indexer = Indexer(settings, store=store, poll_timeout_ms=100)
        await indexer.start()
        try:
            await _produce(settings, 2)
            await _eventually(lambda: _stored(store, 2))
            caplog.clear()

            await broker.stop()
            gone = time.monotonic()
            await _eventually(lambda: _logged(caplog, "unreachable"), timeout_s=10)
            noticed_after = time.monotonic() - gone
            await asyncio.sleep(4)  # the outage goes on: reconnection attempts with backoff
            during_outage = [r for r in caplog.records if r.levelno >= logging.WARNING]

            await broker.start()  # same port; the embedded broker kept nothing
            await _produce(settings, 2)
            await _eventually(lambda: _stored(store, 4), timeout_s=60)
        finally:
            await indexer.stop()
            await store.stop()
    assert noticed_after < 5
    assert [r.getMessage() for r in during_outage] == [during_outage[0].getMessage()]
    assert "unreachable" in during_outage[0].getMessage()
    back = [r for r in caplog.records if "is back" in r.getMessage()]
    assert len(back) == 1
    noisy = [r for r in caplog.records if r.name.startswith("aiokafka") and r.levelno >= logging.WARNING]
    assert noisy == []


async def _stored(store: Store, count: int) -> bool:
    return await store.count() >= count


async def _logged(caplog: pytest.LogCaptureFixture, text: str) -> bool:
    return any(text in record.getMessage() for record in caplog.records)
