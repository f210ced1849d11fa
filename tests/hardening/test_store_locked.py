"""The exchange store locked by another writer: the indexer waits it out, losing and duplicating nothing."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from ndxp_sim.gateway.indexer import Indexer
from ndxp_sim.gateway.logpipe.broker import EmbeddedBroker
from ndxp_sim.gateway.store import Store
from tests.conftest import MakeSettings
from tests.gateway.store.store_samples import T0, build_record
from tests.kafka_broker import running_broker, unique_topic

pytestmark = pytest.mark.kafka
LOCK_S = 3.0


@pytest.fixture(scope="module")
def kafka_broker() -> Iterator[EmbeddedBroker]:
    with running_broker() as broker:
        yield broker


async def test_the_indexer_waits_out_a_writer_holding_the_sqlite_lock(
    make_settings: MakeSettings, kafka_broker: EmbeddedBroker, tmp_path: Path
) -> None:
    """Another process-style writer holds an EXCLUSIVE lock on the SQLite store for 3 s while 40 records
    (then 20 of them again, a replay) reach the topic → the indexer takes a batch and nothing is written for
    the 3 s the lock is held, no error stops it, and once released the store holds each record exactly
    once."""
    topic = unique_topic("locked")
    database = tmp_path / "locked.db"
    settings = make_settings(
        store={"url": f"sqlite+aiosqlite:///{database}"},
        kafka={"bootstrap_servers": kafka_broker.bootstrap_servers, "topic": topic, "group_id": topic},
    )
    store = Store(settings.store.url)
    await store.start()  # creates the schema before the lock is taken
    clock = itertools.count()
    records = [build_record(T0 + timedelta(seconds=next(clock))) for _ in range(40)]

    holder = sqlite3.connect(database, isolation_level=None, timeout=1)
    holder.execute("BEGIN EXCLUSIVE")
    indexer = Indexer(settings, store=store, poll_timeout_ms=100)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        await indexer.start()
        for record in records + records[:20]:
            await producer.send(topic, orjson.dumps(record))
        await producer.flush()
        deadline = time.monotonic() + 30
        while indexer.stats()["consumed"] == 0:  # the consumer group has joined and holds a batch
            assert time.monotonic() < deadline, "the indexer consumed nothing"
            await asyncio.sleep(0.05)
        await asyncio.sleep(LOCK_S)  # its write is now waiting on the lock
        consumed_while_locked = indexer.stats()["consumed"]
        inserted_while_locked = indexer.stats()["inserted"]
        holder.execute("COMMIT")
        deadline = time.monotonic() + 30
        while (
            indexer.stats()["consumed"] < 60
            or indexer.stats()["inserted"] + indexer.stats()["duplicates"] < 60
        ):
            assert time.monotonic() < deadline, indexer.stats()
            await asyncio.sleep(0.05)
    finally:
        holder.close()
        await producer.stop()
        await indexer.stop()
    assert consumed_while_locked > 0 and inserted_while_locked == 0
    assert await store.count() == 40
    assert indexer.stats() == {"consumed": 60, "inserted": 40, "duplicates": 20, "bad": 0}
    for record in (records[0], records[39]):
        assert await store.get(record["exchange_id"]) == record
    await store.stop()
