"""A real tansu broker for tests: started on a free loopback port, stopped by PID; plus a read-back helper.

In a conftest:

    from tests.kafka_broker import broker_fixture
    kafka_broker = broker_fixture()              # session-scoped EmbeddedBroker

and in a test: `kafka_broker.bootstrap_servers`, `await consume_records(bootstrap, topic, expected=n)`.
Give each test its own topic (`unique_topic()`): the broker is shared by the session.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer

from ndxp_sim.gateway.logpipe.broker import EmbeddedBroker


def start_broker(port: int = 0) -> EmbeddedBroker:
    """A running broker on 127.0.0.1 (`port` 0 picks a free one)."""
    broker = EmbeddedBroker("127.0.0.1", port)
    broker.start_sync()
    return broker


def stop_broker(broker: EmbeddedBroker) -> None:
    broker.stop_sync()


@contextmanager
def running_broker(port: int = 0) -> Iterator[EmbeddedBroker]:
    broker = start_broker(port)
    try:
        yield broker
    finally:
        stop_broker(broker)


def broker_fixture(scope: str = "session") -> Callable[..., Any]:
    """A pytest fixture yielding a running EmbeddedBroker, stopped at the end of `scope`."""

    @pytest.fixture(scope=scope)  # type: ignore[call-overload]
    def kafka_broker() -> Iterator[EmbeddedBroker]:
        with running_broker() as broker:
            yield broker

    return kafka_broker


def unique_topic(prefix: str = "test") -> str:
    return f"{prefix}.{uuid.uuid4().hex[:12]}"


async def consume_records(
    bootstrap_servers: str,
    topic: str,
    *,
    expected: int | None = None,
    idle_s: float = 1.0,
    timeout_s: float = 30.0,
) -> list[dict[str, Any]]:
    """Every record of `topic` from the beginning, decoded from JSON, read with no consumer group.

    Stops once `expected` records arrived and nothing more came for `idle_s` (so extra records are
    seen), or after `idle_s` of silence when `expected` is None, or at `timeout_s`. Counting by
    consuming is deliberate: tansu's end offsets are not record counts.
    """
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        fetch_max_bytes=50 * 1024 * 1024,
    )
    await consumer.start()
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    last_arrival = time.monotonic()
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200, max_records=20_000)
            for messages in batches.values():
                records.extend(orjson.loads(message.value) for message in messages)
                last_arrival = time.monotonic()
            enough = expected is None or len(records) >= expected
            if enough and time.monotonic() - last_arrival >= idle_s:
                break
            await asyncio.sleep(0)
    finally:
        await consumer.stop()
    return records
