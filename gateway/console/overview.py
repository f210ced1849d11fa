"""What the overview shows: traffic over a window, per-service figures, the pipeline and the 24 services."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from ndxp_sim.core.catalogue import ServiceInfo
from ndxp_sim.gateway.console.charts import TimeChart, share, traffic_chart
from ndxp_sim.gateway.diag import connectivity
from ndxp_sim.gateway.runtime import Runtime
from ndxp_sim.gateway.store import ExchangeFilter, ServiceStats, Store

# window name -> (length, bucket width in seconds): about 15–100 bars whatever the window
WINDOWS: dict[str, tuple[timedelta, int]] = {
    "15m": (timedelta(minutes=15), 60),
    "1h": (timedelta(hours=1), 60),
    "6h": (timedelta(hours=6), 300),
    "24h": (timedelta(hours=24), 900),
}
Window = Literal["15m", "1h", "6h", "24h"]
DEFAULT_WINDOW: Window = "1h"
SELF_TEST_TIMEOUT_S = 3.0
RED_ERROR_RATE, AMBER_ERROR_RATE, AMBER_P95_MS = 0.5, 0.05, 2000.0


@dataclass(frozen=True, slots=True)
class ServiceRow:
    info: ServiceInfo
    implemented: bool
    stats: ServiceStats | None
    per_minute: float
    self_test: dict[str, Any] | None
    state: str  # green, amber, red or grey (no traffic, no self-test)
    bars: dict[str, float]


def service_state(stats: ServiceStats | None, self_test: dict[str, Any] | None) -> str:
    """Red when the backend fails its self-test or most calls fail on the server side; amber on some
    server-side failures or slow calls. A consumer's own mistakes (client errors) do not count."""
    tested = None if self_test is None else self_test.get("status")
    failing = 0.0 if stats is None else stats.server_errors / stats.count
    if tested == "red" or failing >= RED_ERROR_RATE:
        return "red"
    if stats is not None and (failing >= AMBER_ERROR_RATE or stats.p95_ms >= AMBER_P95_MS):
        return "amber"
    if stats is not None or tested == "green":
        return "green"
    return "grey"


async def _self_test(runtime: Runtime, key: str) -> dict[str, Any]:
    try:
        return await asyncio.wait_for(connectivity(runtime, key), SELF_TEST_TIMEOUT_S)
    except TimeoutError:
        return {"service": key, "status": "red", "reason": f"no answer within {SELF_TEST_TIMEOUT_S:g} s"}


async def service_rows(runtime: Runtime, stats: list[ServiceStats], minutes: float) -> list[ServiceRow]:
    """All 24 services in appendix order, each with its traffic, self-test and state."""
    by_key = {s.service_key: s for s in stats}
    tested = await asyncio.gather(*(_self_test(runtime, key) for key in runtime.adapters))
    tests = dict(zip(runtime.adapters, tested, strict=True))
    top = {
        "rate": max((s.count / minutes for s in stats), default=0.0),
        "p95": max((s.p95_ms for s in stats), default=0.0),
    }
    rows = []
    for key, info in runtime.services.items():
        row_stats, test = by_key.get(key), tests.get(key)
        rate = row_stats.count / minutes if row_stats else 0.0
        bars = {
            "rate": share(rate, top["rate"]),
            "errors": round(100 * row_stats.error_rate, 1) if row_stats else 0.0,
            "p95": share(row_stats.p95_ms, top["p95"]) if row_stats else 0.0,
        }
        state = service_state(row_stats, test)
        rows.append(ServiceRow(info, key in runtime.adapters, row_stats, rate, test, state, bars))
    return rows


async def pipeline_state(runtime: Runtime, store: Store) -> dict[str, Any]:
    """The exchange log as this gateway process sees it, and how far the store's indexer has got."""
    ok, reason = runtime.sink.ready()
    counters = runtime.sink.stats()
    newest = (await store.search(ExchangeFilter(), limit=1)).items
    indexed_to = newest[0]["ts_request_in"] if newest else None
    last_served = runtime.metrics.last_request_in
    lag_s = None
    if last_served:
        indexed_epoch = datetime.fromisoformat(indexed_to).timestamp() if indexed_to else 0.0
        lag_s = max(0.0, last_served - indexed_epoch)
    return {
        "ready": ok,
        "reason": reason,
        "broker_up": bool(counters.get("broker_up", int(ok))),
        "spool": counters.get("spool_backlog", 0),
        "pending": counters.get("pending", 0),
        "produced": counters.get("produced"),
        "indexed_to": indexed_to,
        "lag_s": lag_s,
        "last_served": (
            datetime.fromtimestamp(last_served, UTC).strftime("%Y-%m-%d %H:%M:%S") if last_served else None
        ),
    }


@dataclass(frozen=True, slots=True)
class Overview:
    window: str
    window_from: datetime
    window_to: datetime
    chart: TimeChart
    total: int
    errors: int
    services: list[ServiceRow]
    pipeline: dict[str, Any]


async def build_overview(runtime: Runtime, store: Store, window: str) -> Overview:
    length, bucket_s = WINDOWS[window]
    # Align the window's end to a bucket edge so every bar covers a whole bucket.
    now = int(time.time())
    window_to = datetime.fromtimestamp(now - now % bucket_s + bucket_s, UTC)
    window_from = window_to - length
    stats, buckets = await asyncio.gather(
        store.stats(window_from, window_to), store.timeline(window_from, window_to, bucket_s)
    )
    minutes = length.total_seconds() / 60
    return Overview(
        window=window,
        window_from=window_from,
        window_to=window_to,
        chart=traffic_chart(buckets, bucket_s),
        total=sum(b.count for b in buckets),
        errors=sum(b.errors for b in buckets),
        services=await service_rows(runtime, stats, minutes),
        pipeline=await pipeline_state(runtime, store),
    )
