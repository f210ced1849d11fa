"""Server-sent events of newly indexed exchanges, for the live view."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import orjson

from ndxp_sim.gateway.store import ExchangeFilter, Store

POLL_S = 0.5
KEEPALIVE_S = 15.0
# Records reach the store out of order (partitions, several indexers): look back this far for late ones.
LATE_WINDOW = timedelta(seconds=10)
# A stream ends after this long; EventSource reconnects by itself, so no connection is held forever.
STREAM_MAX_S = 300.0
# At most this many exchanges per poll (the newest); the live view is a view, not an export.
_BATCH = 200


def _event(item: dict[str, object]) -> bytes:
    return b"event: exchange\ndata: " + orjson.dumps(item) + b"\n\n"


async def exchange_events(
    store: Callable[[], Store],
    disconnected: Callable[[], Awaitable[bool]],
    *,
    poll_s: float = POLL_S,
    max_s: float = STREAM_MAX_S,
) -> AsyncIterator[bytes]:
    """Each exchange indexed after the stream opened, as an `exchange` event."""
    opened = datetime.now(UTC)
    high_water = opened
    sent: dict[str, datetime] = {}  # ids sent that are still inside the look-back window
    yield b"retry: 2000\n\n"
    started = last_sent = time.monotonic()
    while time.monotonic() - started < max_s and not await disconnected():
        since = max(opened, high_water - LATE_WINDOW)
        page = await store().search(ExchangeFilter(ts_from=since), limit=_BATCH)
        fresh = [item for item in reversed(page.items) if item["exchange_id"] not in sent]
        for item in fresh:
            yield _event(item)
            ts = datetime.fromisoformat(str(item["ts_request_in"]))
            sent[str(item["exchange_id"])] = ts
            high_water = max(high_water, ts)
        if fresh:
            last_sent = time.monotonic()
            sent = {key: ts for key, ts in sent.items() if ts >= high_water - LATE_WINDOW}
        elif time.monotonic() - last_sent > KEEPALIVE_S:
            last_sent = time.monotonic()
            yield b": keep-alive\n\n"
        await asyncio.sleep(poll_s)
