"""The operator API under /_ops: search, show, trace and stats over the exchange store (operators only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query

from ndxp_sim.core.errors import ForbiddenError, InvalidRequestError, NotFoundError
from ndxp_sim.gateway.auth import Caller, TokenService
from ndxp_sim.gateway.store import MAX_PAGE, ExchangeFilter, InvalidCursorError, Store, iso_utc

OPERATOR_ROLE = "operator"
DEFAULT_STATS_WINDOW = timedelta(hours=1)

OptionalStr = Annotated[str | None, Query()]


def _utc(value: datetime | None) -> datetime | None:
    """Query timestamps without a zone are taken as UTC, the zone of every record."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def exchange_filters(
    ts_from: Annotated[datetime | None, Query(alias="from", description="inclusive, ISO-8601")] = None,
    ts_to: Annotated[datetime | None, Query(alias="to", description="exclusive, ISO-8601")] = None,
    consumer: OptionalStr = None,
    service: OptionalStr = None,
    operation: OptionalStr = None,
    outcome: OptionalStr = None,
    http_status: Annotated[int | None, Query()] = None,
    error_type: OptionalStr = None,
    ma_ho_so: OptionalStr = None,
    ma_yeu_cau: OptionalStr = None,
    request_id: OptionalStr = None,
    sender_code: Annotated[str | None, Query(description="NGSP SENDER_CODE header")] = None,
    receiver_code: Annotated[str | None, Query(description="NGSP RECEIVER_CODE header")] = None,
    tran_code: Annotated[str | None, Query(description="NGSP TRAN_CODE header")] = None,
    subject: Annotated[str | None, Query(description="keyed subject hash (the CLI computes it)")] = None,
    failed: Annotated[bool | None, Query(description="true: every outcome but ok")] = None,
) -> ExchangeFilter:
    """The search filters of the query string (shared by the ops API and the console)."""
    return ExchangeFilter(
        ts_from=_utc(ts_from),
        ts_to=_utc(ts_to),
        consumer_id=consumer,
        service_key=service,
        operation=operation,
        outcome=outcome,
        http_status=http_status,
        error_type=error_type,
        ma_ho_so=ma_ho_so,
        ma_yeu_cau=ma_yeu_cau,
        request_id=request_id,
        sender_code=sender_code,
        receiver_code=receiver_code,
        tran_code=tran_code,
        subject=subject,
        failed=failed,
    )


def ops_router(store_provider: Callable[[], Store], token_service: TokenService) -> APIRouter:
    """Routes for operators; every call needs a Bearer token of a consumer with the operator role."""

    def operator(authorization: Annotated[str | None, Header()] = None) -> Caller:
        caller = token_service.verify(authorization)
        if OPERATOR_ROLE not in caller.consumer.roles:
            raise ForbiddenError("the ops API is for operators only")
        return caller

    router = APIRouter(prefix="/_ops", tags=["ops"], dependencies=[Depends(operator)])

    @router.get("/exchanges", summary="Search exchanges, newest first")
    async def search_exchanges(
        filters: Annotated[ExchangeFilter, Depends(exchange_filters)],
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
        cursor: OptionalStr = None,
    ) -> dict[str, Any]:
        try:
            page = await store_provider().search(filters, limit, cursor)
        except InvalidCursorError:
            raise InvalidRequestError("cursor: not a cursor this API handed out") from None
        return {"items": page.items, "next_cursor": page.next_cursor}

    @router.get("/exchanges/{exchange_id}", summary="One exchange with its (masked) bodies")
    async def get_exchange(exchange_id: str) -> dict[str, Any]:
        record = await store_provider().get(exchange_id)
        if record is None:
            raise NotFoundError(f"no exchange {exchange_id}")
        return record

    @router.get("/trace", summary="Every exchange sharing one correlation key, oldest first")
    async def trace(
        ma_ho_so: OptionalStr = None, request_id: OptionalStr = None, ma_yeu_cau: OptionalStr = None
    ) -> dict[str, Any]:
        keys = {
            "ma_ho_so": ma_ho_so or None,
            "request_id": request_id or None,
            "ma_yeu_cau": ma_yeu_cau or None,
        }
        if sum(value is not None for value in keys.values()) != 1:
            raise InvalidRequestError("give exactly one of ma_ho_so, request_id, ma_yeu_cau")
        items = await store_provider().trace(
            ma_ho_so=keys["ma_ho_so"], request_id=keys["request_id"], ma_yeu_cau=keys["ma_yeu_cau"]
        )
        return {"items": items}

    @router.get("/stats", summary="Count, error rate and p50/p95/p99 duration per service")
    async def stats(
        service: OptionalStr = None,
        ts_from: Annotated[datetime | None, Query(alias="from")] = None,
        ts_to: Annotated[datetime | None, Query(alias="to")] = None,
        by_consumer: bool = False,
    ) -> dict[str, Any]:
        window_to = _utc(ts_to) or datetime.now(UTC)
        window_from = _utc(ts_from) or window_to - DEFAULT_STATS_WINDOW
        if window_from >= window_to:
            raise InvalidRequestError("from must be before to")
        rows = await store_provider().stats(window_from, window_to, service, by_consumer)
        return {"from": iso_utc(window_from), "to": iso_utc(window_to), "items": [asdict(r) for r in rows]}

    return router
