"""A search exported as CSV or JSON lines, streamed page by page through the store's search."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson

from ndxp_sim.gateway.store import MAX_PAGE, ExchangeFilter, Store
from ndxp_sim.gateway.store.tables import LISTED_COLUMNS

EXPORT_MAX_ROWS = 100_000
COLUMNS = [column.name for column in LISTED_COLUMNS]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    # A spreadsheet would run a text cell starting like a formula (CSV injection): quote it as text.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


async def _items(store: Store, filters: ExchangeFilter) -> AsyncIterator[dict[str, object]]:
    cursor, sent = None, 0
    while sent < EXPORT_MAX_ROWS:
        page = await store.search(filters, min(MAX_PAGE, EXPORT_MAX_ROWS - sent), cursor)
        for item in page.items:
            yield item
        sent += len(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return


async def csv_lines(store: Store, filters: ExchangeFilter) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    async for item in _items(store, filters):
        writer.writerow([_cell(item[name]) for name in COLUMNS])
        if buffer.tell() > 65_536:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


async def json_lines(store: Store, filters: ExchangeFilter) -> AsyncIterator[bytes]:
    async for item in _items(store, filters):
        yield orjson.dumps(item) + b"\n"


# file extension -> (media type, the lines of the file)
FORMATS: dict[str, tuple[str, Callable[[Store, ExchangeFilter], AsyncIterator[Any]]]] = {
    "csv": ("text/csv; charset=utf-8", csv_lines),
    "jsonl": ("application/x-ndjson", json_lines),
}
