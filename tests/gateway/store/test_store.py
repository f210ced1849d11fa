"""The exchange store on SQLite and PostgreSQL: upsert, search, paging, trace, stats, retention."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from ndxp_sim.gateway.store import ExchangeFilter, InvalidCursorError, InvalidRecordError, Store
from tests.gateway.store.store_samples import T0, RecordFactory


async def test_upsert_is_idempotent_by_exchange_id(store: Store, make_record: RecordFactory) -> None:
    records = [make_record() for _ in range(5)]

    assert await store.upsert_many(records) == 5
    assert await store.upsert_many(records) == 0
    assert await store.upsert_many([*records[:2], make_record()]) == 1

    assert await store.count() == 6


async def test_get_returns_the_full_record_with_bodies(store: Store, make_record: RecordFactory) -> None:
    record = make_record(subjects=["a" * 32])
    await store.upsert_many([record])

    assert await store.get(record["exchange_id"]) == record
    assert await store.get("no-such-exchange") is None


async def test_listings_carry_record_fields_but_no_bodies(store: Store, make_record: RecordFactory) -> None:
    record = make_record()
    await store.upsert_many([record])

    [item] = (await store.search(ExchangeFilter())).items

    assert "request_body" not in item and "response_body" not in item
    expected = {k: v for k, v in record.items() if k not in {"request_body", "response_body", "subjects"}}
    assert item == expected


async def test_an_invalid_record_is_rejected_and_nothing_is_stored(
    store: Store, make_record: RecordFactory
) -> None:
    with pytest.raises(InvalidRecordError, match="outcome"):
        await store.upsert_many([make_record(), make_record(outcome="fine")])
    with pytest.raises(InvalidRecordError, match="ts_request_in"):
        await store.upsert_many([make_record(ts_request_in="2025-03-01T08:00:00")])  # naive: no zone

    assert await store.count() == 0


async def test_search_filters_narrow_the_result(store: Store, make_record: RecordFactory) -> None:
    records = [
        make_record(),
        make_record(consumer_id="000.00.00.H92", service_key="csdl_dkdn", operation="chiTietDoanhNghiep"),
        make_record(outcome="backend_error", http_status=504, error_type="Server.Backend.Timeout"),
        make_record(ma_ho_so="000.00.00.H91-250301-0001", ma_yeu_cau="YC-1"),
        make_record(request_id="req-fixed"),
        make_record(sender_code="000.00.00.H92", receiver_code="000.00.00.G01", tran_code="TRA_CUU_DN"),
    ]
    await store.upsert_many(records)

    async def ids(**filters: object) -> list[str]:
        page = await store.search(ExchangeFilter(**filters))  # type: ignore[arg-type]
        return [item["exchange_id"] for item in page.items]

    def id_of(*indexes: int) -> list[str]:
        return [records[i]["exchange_id"] for i in sorted(indexes, reverse=True)]

    assert await ids() == id_of(0, 1, 2, 3, 4, 5)
    assert await ids(consumer_id="000.00.00.H92") == id_of(1)
    assert await ids(service_key="csdl_dkdn") == id_of(1)
    assert await ids(operation="chiTietDoanhNghiep") == id_of(1)
    assert await ids(outcome="backend_error") == id_of(2)
    assert await ids(http_status=504) == id_of(2)
    assert await ids(error_type="Server.Backend.Timeout") == id_of(2)
    assert await ids(ma_ho_so="000.00.00.H91-250301-0001") == id_of(3)
    assert await ids(ma_yeu_cau="YC-1") == id_of(3)
    assert await ids(request_id="req-fixed") == id_of(4)
    assert await ids(sender_code="000.00.00.H92") == id_of(5)  # the NGSP routing headers
    assert await ids(receiver_code="000.00.00.G01") == await ids(tran_code="TRA_CUU_DN") == id_of(5)
    # The window is [from, to): records are 1 s apart from T0.
    assert await ids(ts_from=T0 + timedelta(seconds=2), ts_to=T0 + timedelta(seconds=4)) == id_of(2, 3)
    assert await ids(service_key="csdl_dan_cu", outcome="ok", ts_from=T0 + timedelta(seconds=4)) == id_of(
        4, 5
    )
    assert await ids(service_key="no_such_service") == []


async def test_subject_search_finds_every_exchange_about_one_person(
    store: Store, make_record: RecordFactory
) -> None:
    citizen, other = "1" * 32, "2" * 32
    records = [
        make_record(subjects=[citizen]),
        make_record(subjects=[other]),
        make_record(subjects=[other, citizen]),
        make_record(),
    ]
    await store.upsert_many(records)
    await store.upsert_many(records)  # a replay must not duplicate subject links either

    page = await store.search(ExchangeFilter(subject=citizen))

    assert [item["exchange_id"] for item in page.items] == [
        records[2]["exchange_id"],
        records[0]["exchange_id"],
    ]


async def test_cursor_paging_is_stable_while_new_exchanges_arrive(
    store: Store, make_record: RecordFactory
) -> None:
    # Several exchanges per timestamp, so the exchange_id tie-break is exercised at page boundaries.
    old = [make_record(ts=T0 + timedelta(seconds=i // 3)) for i in range(23)]
    await store.upsert_many(old)

    seen: list[str] = []
    cursor = None
    while True:
        page = await store.search(ExchangeFilter(), limit=4, cursor=cursor)
        seen += [item["exchange_id"] for item in page.items]
        await store.upsert_many([make_record(ts=T0 + timedelta(hours=1, seconds=len(seen)))])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    newest_first = sorted(old, key=lambda r: (r["ts_request_in"], r["exchange_id"]), reverse=True)
    assert seen == [r["exchange_id"] for r in newest_first]


async def test_a_last_full_page_has_no_next_cursor(store: Store, make_record: RecordFactory) -> None:
    await store.upsert_many([make_record() for _ in range(4)])

    first = await store.search(ExchangeFilter(), limit=2)
    second = await store.search(ExchangeFilter(), limit=2, cursor=first.next_cursor)

    assert len(second.items) == 2 and second.next_cursor is None


async def test_a_forged_cursor_is_refused(store: Store) -> None:
    for cursor in ("not-base64!!", "bm90IGpzb24", "WzEsMl0"):
        with pytest.raises(InvalidCursorError):
            await store.search(ExchangeFilter(), cursor=cursor)


async def test_trace_lists_a_dossier_chain_oldest_first(store: Store, make_record: RecordFactory) -> None:
    dossier = "000.00.00.H91-250301-0042"
    chain = [make_record(ts=T0 + timedelta(minutes=m), ma_ho_so=dossier) for m in (5, 1, 3)]
    await store.upsert_many([*chain, make_record(ma_ho_so="other"), make_record(request_id="r-9")])

    traced = await store.trace(ma_ho_so=dossier)

    assert [item["ts_request_in"] for item in traced] == sorted(r["ts_request_in"] for r in chain)
    assert [item["exchange_id"] for item in await store.trace(request_id="r-9")] != []
    with pytest.raises(ValueError, match="exactly one"):
        await store.trace(ma_ho_so=dossier, request_id="r-9")


async def test_stats_match_hand_computed_numbers(store: Store, make_record: RecordFactory) -> None:
    durations = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    records = [
        make_record(duration_ms=d, outcome="backend_error" if d in (30.0, 90.0) else "ok") for d in durations
    ]
    records += [
        make_record(service_key="csdl_dkdn", consumer_id="000.00.00.H92", duration_ms=7.0),
        make_record(service_key="csdl_dkdn", duration_ms=5.0, outcome="client_error"),
        make_record(ts=T0 - timedelta(hours=2), duration_ms=9999.0),  # outside the window
    ]
    await store.upsert_many(records)

    stats = await store.stats(T0, T0 + timedelta(hours=1))

    by_service = {s.service_key: s for s in stats}
    dan_cu = by_service["csdl_dan_cu"]
    # percentile_cont: rank p*(n-1) = 4.5, 8.55, 8.91 over the sorted durations.
    assert (dan_cu.count, dan_cu.errors, dan_cu.error_rate) == (10, 2, 0.2)
    assert dan_cu.p50_ms == pytest.approx(55.0)
    assert dan_cu.p95_ms == pytest.approx(95.5)
    assert dan_cu.p99_ms == pytest.approx(99.1)
    dkdn = by_service["csdl_dkdn"]
    assert (dkdn.count, dkdn.errors, dkdn.error_rate) == (2, 1, 0.5)
    assert (dkdn.p50_ms, dkdn.p99_ms) == (pytest.approx(6.0), pytest.approx(6.98))

    per_consumer = await store.stats(T0, T0 + timedelta(hours=1), service="csdl_dkdn", by_consumer=True)
    assert [(s.consumer_id, s.count, s.p50_ms) for s in per_consumer] == [
        ("000.00.00.H91", 1, 5.0),
        ("000.00.00.H92", 1, 7.0),
    ]


async def test_stats_of_an_empty_window_are_empty(store: Store, make_record: RecordFactory) -> None:
    await store.upsert_many([make_record()])

    assert await store.stats(T0 + timedelta(days=1), T0 + timedelta(days=2)) == []


async def test_retention_deletes_only_older_exchanges_and_their_subjects(
    store: Store, make_record: RecordFactory
) -> None:
    old = [make_record(ts=T0 - timedelta(days=40), subjects=["3" * 32]) for _ in range(3)]
    recent = make_record(ts=T0, subjects=["3" * 32])
    await store.upsert_many([*old, recent])

    assert await store.delete_older_than(T0 - timedelta(days=30)) == 3

    assert await store.count() == 1
    page = await store.search(ExchangeFilter(subject="3" * 32))
    assert [item["exchange_id"] for item in page.items] == [recent["exchange_id"]]
    assert await store.delete_older_than(T0 - timedelta(days=30)) == 0


async def test_stores_starting_together_on_one_database_both_start(store_url: str) -> None:
    # A gateway and an indexer start at the same moment and both create the tables.
    stores = [Store(store_url) for _ in range(3)]
    await asyncio.gather(*(s.start() for s in stores))
    try:
        assert [await s.count() for s in stores] == [0, 0, 0]
    finally:
        await asyncio.gather(*(s.stop() for s in stores))


async def test_a_store_made_before_the_routing_columns_gets_them_on_start(
    store_url: str, make_record: RecordFactory
) -> None:
    """A store whose table lacks sender_code, receiver_code, tran_code (created by an earlier release) →
    start() adds them; old rows keep NULL there and new records are found by them."""
    old = Store(store_url)
    await old.start()
    old_record = make_record()
    await old.upsert_many([old_record])
    async with old.engine.begin() as conn:
        for column in ("sender_code", "receiver_code", "tran_code"):
            await conn.execute(text(f"ALTER TABLE exchange DROP COLUMN {column}"))
    await old.stop()
    store = Store(store_url)
    await store.start()
    try:
        await store.upsert_many([make_record(sender_code="000.00.00.H91")])
        found = (await store.search(ExchangeFilter(sender_code="000.00.00.H91"))).items
        assert len(found) == 1 and found[0]["sender_code"] == "000.00.00.H91"
        assert await store.count() == 2
    finally:
        await store.stop()
