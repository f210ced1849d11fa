"""The exchange store: idempotent batch upsert, operator queries and retention over async SQLAlchemy."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, delete, event, func, inspect, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from ndxp_sim.core.private_files import private_file
from ndxp_sim.gateway.store.cursor import decode_cursor, encode_cursor
from ndxp_sim.gateway.store.records import PreparedRecord, listing_item, prepare
from ndxp_sim.gateway.store.stats import ServiceStats, service_stats
from ndxp_sim.gateway.store.tables import LISTED_COLUMNS, ExchangeRow, ExchangeSubject, UtcDateTime
from ndxp_sim.gateway.store.timeline import Bucket, traffic_timeline

MAX_PAGE = 500
MAX_TRACE = 5000
_RETENTION_BATCH = 5000
_CREATE_ATTEMPTS = 3

_x = ExchangeRow.__table__.c  # type: ignore[attr-defined]
_s = ExchangeSubject.__table__.c  # type: ignore[attr-defined]
_TABLES = [ExchangeRow.__table__, ExchangeSubject.__table__]  # type: ignore[attr-defined]
# Both dialects spell the idempotent insert the same way: INSERT … ON CONFLICT DO NOTHING.
_INSERTS: dict[str, Callable[[Any], Any]] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


@dataclass(frozen=True, slots=True)
class ExchangeFilter:
    """What an operator searches by; every field set narrows the result. The window is [ts_from, ts_to)."""

    ts_from: datetime | None = None
    ts_to: datetime | None = None
    consumer_id: str | None = None
    service_key: str | None = None
    operation: str | None = None
    outcome: str | None = None
    http_status: int | None = None
    error_type: str | None = None
    ma_ho_so: str | None = None
    ma_yeu_cau: str | None = None
    request_id: str | None = None
    sender_code: str | None = None
    receiver_code: str | None = None
    tran_code: str | None = None
    subject: str | None = None
    failed: bool | None = None  # True: every outcome but ok; False: ok only


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a newest-first listing; pass next_cursor back for the next (None: no more)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


class Store:
    """Exchange records in SQL: SQLite (`sqlite+aiosqlite:///file`) or PostgreSQL (`postgresql+asyncpg://…`)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: AsyncEngine | None = None

    async def start(self) -> None:
        """Connect and create the tables and indexes if they are missing."""
        url = make_url(self.url)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            private_file(Path(url.database))
        engine = create_async_engine(self.url)
        if engine.dialect.name == "sqlite":
            event.listen(engine.sync_engine, "connect", _tune_sqlite)
        elif engine.dialect.name != "postgresql":
            name = engine.dialect.name
            raise ValueError(f"store.url: unsupported database {name!r} (sqlite or postgresql)")
        for attempt in range(_CREATE_ATTEMPTS):
            try:
                async with engine.begin() as conn:
                    await conn.run_sync(lambda sync: ExchangeRow.metadata.create_all(sync, tables=_TABLES))
                    await conn.run_sync(_add_missing_columns)
                break
            except DBAPIError:
                # A gateway and an indexer starting together both create the tables; the loser retries
                # and finds them there.
                if attempt == _CREATE_ATTEMPTS - 1:
                    await engine.dispose()
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
        self._engine = engine

    async def stop(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise RuntimeError("Store.start() was not called")
        return self._engine

    async def upsert_many(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Store records not seen before (by exchange_id), all in one transaction; returns how many were new.

        Raises InvalidRecordError, and stores nothing, if any record is invalid.
        """
        return await self.upsert_prepared([prepare(record) for record in records])

    async def upsert_prepared(self, records: Sequence[PreparedRecord]) -> int:
        """upsert_many for records already validated by `records.prepare`."""
        if not records:
            return 0
        insert = _INSERTS[self.engine.dialect.name]
        async with self.engine.begin() as conn:
            new_rows = insert(ExchangeRow).on_conflict_do_nothing(index_elements=["exchange_id"])
            result = await conn.execute(new_rows.returning(_x.exchange_id), [r.row for r in records])
            inserted = set(result.scalars())
            links = [
                {"exchange_id": r.row["exchange_id"], "subject": subject}
                for r in records
                if r.row["exchange_id"] in inserted
                for subject in r.subjects
            ]
            if links:
                await conn.execute(insert(ExchangeSubject).on_conflict_do_nothing(), links)
        return len(inserted)

    async def search(self, filters: ExchangeFilter, limit: int = 50, cursor: str | None = None) -> Page:
        """Exchanges matching `filters`, newest first, `limit` (≤ 500) a page. Raises InvalidCursorError."""
        limit = max(1, min(limit, MAX_PAGE))
        query = select(*LISTED_COLUMNS).where(*_conditions(filters))
        if cursor is not None:
            ts, exchange_id = decode_cursor(cursor)
            ts_param = bindparam("cursor_ts", ts, type_=UtcDateTime())
            after = tuple_(ts_param, bindparam("cursor_id", exchange_id))
            # The redundant bound on ts alone lets every dialect turn the row comparison into an index range.
            query = query.where(_x.ts_request_in <= ts, tuple_(_x.ts_request_in, _x.exchange_id) < after)
        query = query.order_by(_x.ts_request_in.desc(), _x.exchange_id.desc()).limit(limit + 1)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        next_cursor = None
        if len(rows) > limit:
            rows = rows[:limit]
            next_cursor = encode_cursor(rows[-1]["ts_request_in"], rows[-1]["exchange_id"])
        return Page([listing_item(row) for row in rows], next_cursor)

    async def get(self, exchange_id: str) -> dict[str, Any] | None:
        """The full record (bodies included) as it was published, or None."""
        async with self.engine.connect() as conn:
            text = await conn.scalar(select(_x.record).where(_x.exchange_id == exchange_id))
        return None if text is None else orjson.loads(text)

    async def trace(
        self,
        *,
        ma_ho_so: str | None = None,
        request_id: str | None = None,
        ma_yeu_cau: str | None = None,
        limit: int = MAX_TRACE,
    ) -> list[dict[str, Any]]:
        """Every exchange sharing one correlation key, oldest first (at most `limit`)."""
        keys = {"ma_ho_so": ma_ho_so, "request_id": request_id, "ma_yeu_cau": ma_yeu_cau}
        given = {name: value for name, value in keys.items() if value is not None}
        if len(given) != 1:
            raise ValueError("trace needs exactly one of ma_ho_so, request_id, ma_yeu_cau")
        [(name, value)] = given.items()
        query = (
            select(*LISTED_COLUMNS)
            .where(_x[name] == value)
            .order_by(_x.ts_request_in, _x.exchange_id)
            .limit(max(1, min(limit, MAX_TRACE)))
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [listing_item(row) for row in rows]

    async def stats(
        self,
        window_from: datetime,
        window_to: datetime,
        service: str | None = None,
        by_consumer: bool = False,
    ) -> list[ServiceStats]:
        """Count, errors (outcome other than ok), error rate and p50/p95/p99 duration per service."""
        async with self.engine.connect() as conn:
            return await service_stats(conn, window_from, window_to, service, by_consumer)

    async def timeline(self, window_from: datetime, window_to: datetime, bucket_s: int) -> list[Bucket]:
        """Exchanges and errors per `bucket_s` seconds over the window, oldest first."""
        async with self.engine.connect() as conn:
            return await traffic_timeline(conn, window_from, window_to, bucket_s)

    async def count(self) -> int:
        async with self.engine.connect() as conn:
            return int(await conn.scalar(select(func.count()).select_from(ExchangeRow)) or 0)

    async def delete_older_than(self, cutoff: datetime) -> int:
        """Delete exchanges that came in before `cutoff`, in short transactions; returns how many."""
        deleted = 0
        while True:
            async with self.engine.begin() as conn:
                batch = await _old_ids(conn, cutoff)
                if not batch:
                    return deleted
                await conn.execute(delete(ExchangeSubject).where(_s.exchange_id.in_(batch)))
                await conn.execute(delete(ExchangeRow).where(_x.exchange_id.in_(batch)))
            deleted += len(batch)


async def _old_ids(conn: AsyncConnection, cutoff: datetime) -> list[str]:
    query = select(_x.exchange_id).where(_x.ts_request_in < cutoff).limit(_RETENTION_BATCH)
    return list((await conn.execute(query)).scalars())


def _conditions(filters: ExchangeFilter) -> list[Any]:
    conditions: list[Any] = []
    if filters.ts_from is not None:
        conditions.append(_x.ts_request_in >= filters.ts_from)
    if filters.ts_to is not None:
        conditions.append(_x.ts_request_in < filters.ts_to)
    for name in (
        "consumer_id",
        "service_key",
        "operation",
        "outcome",
        "http_status",
        "error_type",
        "ma_ho_so",
        "ma_yeu_cau",
        "request_id",
        "sender_code",
        "receiver_code",
        "tran_code",
    ):
        value = getattr(filters, name)
        if value is not None:
            conditions.append(_x[name] == value)
    if filters.failed is not None:
        conditions.append(_x.outcome != "ok" if filters.failed else _x.outcome == "ok")
    if filters.subject is not None:
        about = select(_s.exchange_id).where(_s.subject == filters.subject)
        conditions.append(_x.exchange_id.in_(about))
    return conditions


def _add_missing_columns(sync: Connection) -> None:
    """Columns added to the record since a store was created (all nullable), added to its table: the
    full record is kept as JSON anyway, so older rows simply have NULL in them."""
    present = {column["name"] for column in inspect(sync).get_columns(ExchangeRow.__tablename__)}
    for column in _x:
        if column.name not in present and column.nullable:
            kind = column.type.compile(dialect=sync.dialect)
            sync.execute(text(f'ALTER TABLE {ExchangeRow.__tablename__} ADD COLUMN "{column.name}" {kind}'))


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the ops API read while indexers write; busy_timeout makes concurrent writers wait, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
