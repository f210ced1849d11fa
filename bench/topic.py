"""Counting exchange records on a topic by reading it to the end (tansu's end offsets are unreliable)."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition


async def _count(bootstrap: str, topic: str, idle_polls: int, timeout_s: float) -> tuple[int, int]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_bytes=50 * 1024 * 1024,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    await consumer.start()
    try:
        if topic not in await consumer.topics():
            return 0, 0
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records = 0
        keys: set[bytes | None] = set()
        empty = 0
        deadline = time.monotonic() + timeout_s
        while empty < idle_polls and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=1000, max_records=20_000)
            got = sum(len(batch) for batch in batches.values())
            empty = 0 if got else empty + 1
            records += got
            for batch in batches.values():
                keys.update(message.key for message in batch)
        return records, len(keys)
    finally:
        await consumer.stop()


def count_records(
    bootstrap: str, topic: str, *, idle_polls: int = 3, timeout_s: float = 180
) -> tuple[int, int]:
    """(records, distinct keys) on `topic`, read from the start until `idle_polls` polls come back empty."""
    return asyncio.run(_count(bootstrap, topic, idle_polls, timeout_s))
