"""The exchange store: the indexed, queryable copy of the exchange log (SQLite or PostgreSQL)."""

from gateway.store.cursor import InvalidCursorError
from gateway.store.records import InvalidRecordError, PreparedRecord, decode, iso_utc, prepare
from gateway.store.stats import ServiceStats
from gateway.store.store import MAX_PAGE, ExchangeFilter, Page, Store
from gateway.store.tables import ExchangeRow, ExchangeSubject

__all__ = [
    "MAX_PAGE",
    "ExchangeFilter",
    "ExchangeRow",
    "ExchangeSubject",
    "InvalidCursorError",
    "InvalidRecordError",
    "Page",
    "PreparedRecord",
    "ServiceStats",
    "Store",
    "decode",
    "iso_utc",
    "prepare",
]
