"""The store queries the operator console adds: traffic per time bucket, failing calls, server-side errors."""

from __future__ import annotations

from datetime import timedelta

from ndxp_sim.gateway.store import ExchangeFilter, Store
from tests.gateway.store.store_samples import T0, RecordFactory


async def test_timeline_counts_every_bucket_of_the_window(store: Store, make_record: RecordFactory) -> None:
    await store.upsert_many(
        [
            make_record(ts=T0 + timedelta(seconds=5)),
            make_record(ts=T0 + timedelta(seconds=59, microseconds=999_999), outcome="backend_error"),
            make_record(ts=T0 + timedelta(minutes=2, seconds=30), outcome="client_error"),
            make_record(ts=T0 + timedelta(minutes=2, seconds=31)),
            make_record(ts=T0 + timedelta(minutes=3)),  # the window's end is exclusive
            make_record(ts=T0 - timedelta(microseconds=1)),  # before the window
        ]
    )

    buckets = await store.timeline(T0, T0 + timedelta(minutes=3), bucket_s=60)

    assert [(b.start, b.count, b.errors) for b in buckets] == [
        (T0, 2, 1),
        (T0 + timedelta(minutes=1), 0, 0),
        (T0 + timedelta(minutes=2), 2, 1),
    ]


async def test_timeline_buckets_wider_than_a_minute(store: Store, make_record: RecordFactory) -> None:
    await store.upsert_many([make_record(ts=T0 + timedelta(minutes=m)) for m in range(0, 15)])

    buckets = await store.timeline(T0, T0 + timedelta(minutes=15), bucket_s=300)

    assert [b.count for b in buckets] == [5, 5, 5]


async def test_failed_narrows_to_every_outcome_but_ok(store: Store, make_record: RecordFactory) -> None:
    outcomes = ["ok", "client_error", "backend_error", "gateway_error", "ok"]
    records = [make_record(outcome=o) for o in outcomes]
    await store.upsert_many(records)

    failed = await store.search(ExchangeFilter(failed=True))
    succeeded = await store.search(ExchangeFilter(failed=False))

    assert [i["outcome"] for i in failed.items] == ["gateway_error", "backend_error", "client_error"]
    assert [i["outcome"] for i in succeeded.items] == ["ok", "ok"]


async def test_stats_count_server_side_errors_apart(store: Store, make_record: RecordFactory) -> None:
    outcomes = ["ok", "client_error", "client_error", "backend_error", "gateway_error"]
    await store.upsert_many([make_record(outcome=o) for o in outcomes])

    [row] = await store.stats(T0, T0 + timedelta(hours=1))

    assert (row.count, row.errors, row.server_errors) == (5, 4, 2)
