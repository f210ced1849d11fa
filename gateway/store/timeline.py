"""Exchanges and errors per time bucket over a window: the overview's traffic chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import Integer

from ndxp_sim.gateway.store.tables import ExchangeRow

_t = ExchangeRow.__table__.c  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Bucket:
    """Traffic in [start, start + bucket_s)."""

    start: datetime
    count: int
    errors: int


def _bucket_number(dialect: str, bucket_s: int) -> Any:
    # Whole epoch seconds over the bucket width (floor division: `/` would be true division in SQLAlchemy 2);
    # SQLite keeps timestamps as UTC text, PostgreSQL as timestamptz.
    if dialect == "sqlite":
        # Whole seconds first: SQLite's date functions round fractions to milliseconds, which would move
        # 08:00:59.9999 into the next minute while the window condition (text) keeps it in this one.
        seconds = func.strftime("%s", func.substr(_t.ts_request_in, 1, 19))
        return cast(seconds, Integer) // bucket_s
    return cast(func.floor(func.extract("epoch", _t.ts_request_in) / bucket_s), Integer)


async def traffic_timeline(
    conn: AsyncConnection, window_from: datetime, window_to: datetime, bucket_s: int
) -> list[Bucket]:
    """Every bucket of the window, oldest first, empty ones included (count 0)."""
    number = _bucket_number(conn.dialect.name, bucket_s).label("bucket")
    query = (
        select(number, func.count().label("n"), func.sum(case((_t.outcome != "ok", 1), else_=0)).label("e"))
        .where(_t.ts_request_in >= window_from, _t.ts_request_in < window_to)
        .group_by(number)
    )
    seen = {int(row.bucket): (int(row.n), int(row.e or 0)) for row in await conn.execute(query)}
    first = int(window_from.timestamp()) // bucket_s
    last = (int(window_to.timestamp()) - 1) // bucket_s
    numbers = range(first, last + 1)
    return [Bucket(datetime.fromtimestamp(n * bucket_s, UTC), *seen.get(n, (0, 0))) for n in numbers]
