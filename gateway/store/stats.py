"""Per-service (and per-consumer) counts, error rates and duration percentiles over a time window.

Percentiles are computed the same way on every dialect: a window function ranks durations inside each
group, the database returns only the two ranks around each percentile, and Python interpolates
linearly between them (the definition of PostgreSQL's percentile_cont). Nothing scales with the
number of rows on the Python side.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from ndxp_sim.gateway.store.tables import ExchangeRow

PERCENTILES = (50, 95, 99)
_SERVER_SIDE = ("backend_error", "gateway_error")

_t = ExchangeRow.__table__.c  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class ServiceStats:
    """What one service (or one consumer of it) did during a window."""

    service_key: str | None
    consumer_id: str | None
    count: int
    errors: int
    error_rate: float
    server_errors: int  # the backend's or the gateway's fault (outcome backend_error or gateway_error)
    p50_ms: float
    p95_ms: float
    p99_ms: float


async def service_stats(
    conn: AsyncConnection,
    window_from: datetime,
    window_to: datetime,
    service: str | None,
    by_consumer: bool,
) -> list[ServiceStats]:
    group = [_t.service_key, _t.consumer_id] if by_consumer else [_t.service_key]
    where = [_t.ts_request_in >= window_from, _t.ts_request_in < window_to]
    if service is not None:
        where.append(_t.service_key == service)

    counts = (
        select(
            *group,
            func.count().label("n"),
            func.sum(case((_t.outcome != "ok", 1), else_=0)).label("errors"),
            func.sum(case((_t.outcome.in_(_SERVER_SIDE), 1), else_=0)).label("server_errors"),
        )
        .where(*where)
        .group_by(*group)
    )
    totals = {
        tuple(row[: len(group)]): (row.n, row.errors, row.server_errors) for row in await conn.execute(counts)
    }

    values: dict[tuple[Any, ...], dict[int, float]] = defaultdict(dict)
    for row in await conn.execute(_ranks_around_percentiles(group, where)):
        values[tuple(row[: len(group)])][row.rank] = row.duration_ms

    result = []
    for key, (count, errors, server_errors) in sorted(
        totals.items(), key=lambda item: tuple(map(str, item[0]))
    ):
        p50, p95, p99 = (_interpolate(values[key], count, p) for p in PERCENTILES)
        result.append(
            ServiceStats(
                service_key=key[0],
                consumer_id=key[1] if by_consumer else None,
                count=count,
                errors=errors,
                error_rate=errors / count,
                server_errors=server_errors,
                p50_ms=p50,
                p95_ms=p95,
                p99_ms=p99,
            )
        )
    return result


def _ranks_around_percentiles(group: list[Any], where: list[Any]) -> Select[Any]:
    ranked = (
        select(
            *group,
            _t.duration_ms,
            (func.row_number().over(partition_by=group, order_by=_t.duration_ms) - 1).label("rank"),
            func.count().over(partition_by=group).label("n"),
        )
        .where(*where)
        .subquery()
    )
    # Integer division floors on both dialects: the lower rank is (p * (n - 1)) // 100.
    wanted = []
    for p in PERCENTILES:
        lower = (p * (ranked.c.n - 1)) // 100
        wanted.append(or_(ranked.c.rank == lower, ranked.c.rank == lower + 1))
    grouped = [ranked.c[column.name] for column in group]
    return select(*grouped, ranked.c.rank, ranked.c.duration_ms).where(or_(*wanted))


def _interpolate(by_rank: dict[int, float], count: int, percentile: int) -> float:
    lower, remainder = divmod(percentile * (count - 1), 100)
    low = by_rank[lower]
    if remainder == 0:
        return low
    return low + (by_rank[lower + 1] - low) * remainder / 100
