"""Exchange-store benchmark: fill a SQLite store with synthetic records, then time each operator query.

    python -m bench.store_bench                       # 1,000,000 records in a temporary database
    python -m bench.store_bench --records 200000 --db var/bench.db --keep

Records are synthetic: 24 services, 40 consumers, 7 days of traffic, one dossier (MaHoSo) per ~8
exchanges, one personal-identifier subject hash on every other exchange. Filling stops early at
--max-fill-s, so a slow disk cannot make the run unbounded.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ndxp_sim.core.catalogue import services
from ndxp_sim.gateway.exchange import sortable_uuid
from ndxp_sim.gateway.logpipe.masking import subject_hash
from ndxp_sim.gateway.store import ExchangeFilter, Page, Store, iso_utc, prepare

END = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)
SPAN = timedelta(days=7)
BATCH = 5000
_KEY = "bench-subject-key"


def synthetic_records(start: int, count: int, total: int) -> list[dict[str, Any]]:
    """Records number `start` to `start + count` of `total` spread evenly over SPAN before END."""
    rng = random.Random(start)
    keys = sorted(services())
    consumers = [f"000.00.00.H{n:02d}" for n in range(40)]
    step = SPAN / total
    records = []
    for i in range(start, start + count):
        ts = END - SPAN + step * i
        duration = rng.lognormvariate(3.5, 0.6)
        outcome = rng.choices(["ok", "client_error", "backend_error"], [94, 4, 2])[0]
        dossier = f"000.00.00.H91-{i // 8:07d}" if rng.random() < 0.4 else None
        citizen = f"079{rng.randrange(200_000):09d}" if i % 2 == 0 else None
        records.append(
            {
                "schema_version": 1,
                "exchange_id": sortable_uuid(),
                "request_id": f"req-{i}",
                "instance": "ndxp-sim-1",
                "ts_request_in": iso_utc(ts),
                "ts_backend_out": iso_utc(ts + timedelta(milliseconds=1)),
                "ts_backend_in": iso_utc(ts + timedelta(milliseconds=duration - 1)),
                "ts_response_out": iso_utc(ts + timedelta(milliseconds=duration)),
                "duration_ms": round(duration, 3),
                "backend_duration_ms": round(duration - 2, 3),
                "consumer_id": rng.choice(consumers),
                "service_key": rng.choice(keys),
                "service_number": 1,
                "operation": "TraCuu",
                "http_method": "POST",
                "http_path": "/api/1.0/TraCuu",
                "http_query": "",
                "http_status": {"ok": 200, "client_error": 404, "backend_error": 504}[outcome],
                "backend_protocol": "rest",
                "backend_status": 200,
                "outcome": outcome,
                "error_type": {
                    "ok": None,
                    "client_error": "Client.NotFound",
                    "backend_error": "Server.Backend.Timeout",
                }[outcome],
                "error_detail": None,
                "scenario": None,
                "request_bytes": 400,
                "response_bytes": 1200,
                "ma_yeu_cau": None,
                "ma_ho_so": dossier,
                "ma_can_bo": None,
                "ma_don_vi": None,
                "sender_code": None,
                "receiver_code": None,
                "tran_code": None,
                "body_policy": "metadata",
                "request_body": None,
                "response_body": None,
                "request_body_truncated": False,
                "response_body_truncated": False,
                "subjects": [subject_hash(citizen, _KEY)] if citizen else [],
            }
        )
    return records


async def fill(store: Store, count: int, max_fill_s: float) -> tuple[int, float]:
    """Insert `count` records in batches; returns (inserted, seconds)."""
    started, inserted = time.perf_counter(), 0
    while inserted < count and time.perf_counter() - started < max_fill_s:
        batch = synthetic_records(inserted, min(BATCH * 20, count - inserted), count)
        for offset in range(0, len(batch), BATCH):
            inserted += await store.upsert_prepared([prepare(r) for r in batch[offset : offset + BATCH]])
        print(f"  {inserted:>9,} records  {time.perf_counter() - started:6.1f} s", flush=True)
    return inserted, time.perf_counter() - started


async def timed(query: Callable[[], Awaitable[Any]], runs: int = 5) -> tuple[float, Any]:
    """Median wall time in ms over `runs` (after one warm-up), and the last result."""
    result = await query()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await query()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


async def measure(store: Store) -> None:
    hour = (END - timedelta(hours=1), END)
    second_page = (await store.search(ExchangeFilter(), 50)).next_cursor
    # Keys that exist: taken from the middle of the data, so lookups hit real rows.
    middle = (await store.search(ExchangeFilter(ts_to=END - SPAN / 2), 200)).items
    dossier = next(item["ma_ho_so"] for item in middle if item["ma_ho_so"])
    exchange_id, request_id = middle[0]["exchange_id"], middle[0]["request_id"]
    subject = subject_hash(f"079{123:09d}", _KEY)
    queries: list[tuple[str, Callable[[], Awaitable[Any]]]] = [
        ("newest 50, no filter", lambda: store.search(ExchangeFilter(), 50)),
        ("newest 50, page 2 (cursor)", lambda: store.search(ExchangeFilter(), 50, second_page)),
        (
            "service + last 1 h, 50",
            lambda: store.search(
                ExchangeFilter(ts_from=hour[0], ts_to=hour[1], service_key="csdl_dan_cu"), 50
            ),
        ),
        (
            "consumer + errors, 50",
            lambda: store.search(ExchangeFilter(consumer_id="000.00.00.H07", outcome="backend_error"), 50),
        ),
        ("by MaHoSo", lambda: store.search(ExchangeFilter(ma_ho_so=dossier), 50)),
        ("trace MaHoSo", lambda: store.trace(ma_ho_so=dossier)),
        ("by request_id", lambda: store.search(ExchangeFilter(request_id=request_id), 50)),
        ("subject (one citizen)", lambda: store.search(ExchangeFilter(subject=subject), 50)),
        ("stats 1 h, per service", lambda: store.stats(*hour)),
        ("stats 1 h, per service+consumer", lambda: store.stats(*hour, by_consumer=True)),
        ("stats 24 h, per service", lambda: store.stats(END - timedelta(days=1), END)),
        ("get one exchange (with bodies)", lambda: store.get(exchange_id)),
    ]
    print(f"\n{'query':<34} {'median ms':>10}  rows")
    for name, query in queries:
        ms, result = await timed(query)
        rows = (
            len(result.items) if isinstance(result, Page) else len(result) if isinstance(result, list) else 1
        )
        print(f"{name:<34} {ms:>10.2f}  {rows}")


async def main(records: int, url: str, max_fill_s: float) -> None:
    store = Store(url)
    await store.start()
    try:
        existing = await store.count()
        if existing < records:
            print(f"filling the store with {records - existing:,} synthetic records (batches of {BATCH:,})")
            inserted, seconds = await fill(store, records - existing, max_fill_s)
            print(f"inserted {inserted:,} in {seconds:.1f} s ({inserted / seconds:,.0f} records/s)")
        print(f"store holds {await store.count():,} exchanges")
        await measure(store)
    finally:
        await store.stop()


def run(records: int, db: Path, keep: bool, max_fill_s: float) -> None:
    try:
        asyncio.run(main(records, f"sqlite+aiosqlite:///{db}", max_fill_s))
        print(f"database file: {db.stat().st_size / 2**20:,.0f} MiB")
    finally:
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the database file for another run")
    parser.add_argument("--max-fill-s", type=float, default=900.0, help="stop filling after this long")
    args = parser.parse_args()
    if args.db:
        run(args.records, args.db, args.keep, args.max_fill_s)
    else:
        with tempfile.TemporaryDirectory(prefix="ndxp-store-bench-") as tmp:
            run(args.records, Path(tmp) / "exchanges.db", False, args.max_fill_s)
