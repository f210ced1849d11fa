"""The exchange store: the indexed, queryable copy of the exchange log (SQLite or PostgreSQL)."""

from ndxp_sim.gateway.store.cursor import InvalidCursorError
from ndxp_sim.gateway.store.records import InvalidRecordError, PreparedRecord, decode, iso_utc, prepare
from ndxp_sim.gateway.store.stats import ServiceStats
from ndxp_sim.gateway.store.store import MAX_PAGE, ExchangeFilter, Page, Store
from ndxp_sim.gateway.store.tables import ExchangeRow, ExchangeSubject
from ndxp_sim.gateway.store.timeline import Bucket

__all__ = [
    "MAX_PAGE",
    "Bucket",
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
