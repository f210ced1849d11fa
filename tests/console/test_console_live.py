"""The live event stream: each newly indexed exchange once, late (out-of-order) ones too, then it ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from ndxp_sim.gateway.console.live import exchange_events
from ndxp_sim.gateway.store import Store
from tests.gateway.store.store_samples import build_record


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = Store(f"sqlite+aiosqlite:///{tmp_path / 'exchanges.db'}")
    await opened.start()
    yield opened
    await opened.stop()


async def _next_exchange(events: AsyncIterator[bytes]) -> dict[str, object]:
    async with asyncio.timeout(5):
        async for chunk in events:
            if chunk.startswith(b"event: exchange"):
                return orjson.loads(chunk.split(b"data: ", 1)[1])  # type: ignore[no-any-return]
    raise AssertionError("the stream ended")


async def _not_disconnected() -> bool:
    return False


async def test_new_and_late_exchanges_arrive_once_each(store: Store) -> None:
    events = exchange_events(lambda: store, _not_disconnected, poll_s=0.01, max_s=30)
    assert await anext(events) == b"retry: 2000\n\n"
    await store.upsert_many([build_record(datetime.now(UTC) - timedelta(minutes=5), request_id="old")])

    now = datetime.now(UTC)
    await store.upsert_many([build_record(now + timedelta(seconds=3), request_id="first")])
    first = await _next_exchange(events)
    # Indexed after `first` but two seconds older: another partition or indexer was behind.
    await store.upsert_many([build_record(now + timedelta(seconds=1), request_id="late")])
    late = await _next_exchange(events)
    await store.upsert_many([build_record(now + timedelta(seconds=4), request_id="second")])
    second = await _next_exchange(events)

    assert [e["request_id"] for e in (first, late, second)] == ["first", "late", "second"]
    await events.aclose()


async def test_the_stream_ends_when_the_browser_goes_or_time_is_up(store: Store) -> None:
    async def gone() -> bool:
        return True

    assert [chunk async for chunk in exchange_events(lambda: store, gone)] == [b"retry: 2000\n\n"]
    short = exchange_events(lambda: store, _not_disconnected, poll_s=0.01, max_s=0.05)
    async with asyncio.timeout(5):
        assert [chunk async for chunk in short] == [b"retry: 2000\n\n"]
