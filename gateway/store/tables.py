"""The exchange store's tables: one row per exchange, plus a subject-hash link table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, Index, Text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every dialect (SQLite keeps it as sortable naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the store only takes timezone-aware values")
        value = value.astimezone(UTC)
        return value if dialect.name == "postgresql" else value.replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        stored: datetime = value
        return stored if stored.tzinfo is not None else stored.replace(tzinfo=UTC)


class ExchangeFields(SQLModel):
    """The exchange record's queryable fields (schema_version 1), declared once for the table and the
    indexer's validation (`records.py`); `contracts/exchange.asyncapi.yaml` is the published schema."""

    schema_version: int
    request_id: str | None = None
    instance: str | None = None
    ts_request_in: datetime = Field(sa_type=UtcDateTime)
    ts_backend_out: datetime | None = Field(default=None, sa_type=UtcDateTime)
    ts_backend_in: datetime | None = Field(default=None, sa_type=UtcDateTime)
    ts_response_out: datetime | None = Field(default=None, sa_type=UtcDateTime)
    duration_ms: float
    backend_duration_ms: float | None = None
    consumer_id: str | None = None
    service_key: str | None = None
    service_number: int | None = None
    operation: str | None = None
    http_method: str | None = None
    http_path: str | None = None
    http_query: str | None = None
    http_status: int | None = None
    backend_protocol: str | None = None
    backend_status: int | None = None
    outcome: str
    error_type: str | None = None
    error_detail: str | None = None
    scenario: str | None = None
    request_bytes: int | None = None
    response_bytes: int | None = None
    ma_yeu_cau: str | None = None
    ma_ho_so: str | None = None
    ma_can_bo: str | None = None
    ma_don_vi: str | None = None
    sender_code: str | None = None  # NGSP routing headers SENDER_CODE, RECEIVER_CODE, TRAN_CODE
    receiver_code: str | None = None
    tran_code: str | None = None
    body_policy: str | None = None
    request_body_truncated: bool | None = None
    response_body_truncated: bool | None = None


class ExchangeRow(ExchangeFields, table=True):
    """One exchange record: typed columns for everything queryable, the full record as JSON text."""

    __tablename__ = "exchange"

    exchange_id: str = Field(primary_key=True)
    record: str = Field(sa_type=Text)


# Every time-ordered index ends in exchange_id so it serves the keyset order (newest first) exactly.
_columns = ExchangeRow.__table__.c  # type: ignore[attr-defined]
Index("ix_exchange_newest", _columns.ts_request_in.desc(), _columns.exchange_id.desc())
for _name in ("service_key", "consumer_id", "outcome", "error_type"):
    Index(f"ix_exchange_{_name}_time", _columns[_name], _columns.ts_request_in, _columns.exchange_id)
for _name in ("ma_ho_so", "ma_yeu_cau", "request_id"):
    Index(f"ix_exchange_{_name}", _columns[_name], _columns.ts_request_in)


class ExchangeSubject(SQLModel, table=True):
    """Links an exchange to the keyed hash of each personal identifier it carried."""

    __tablename__ = "exchange_subject"

    exchange_id: str = Field(primary_key=True)
    subject: str = Field(primary_key=True, index=True)


#: The typed columns a listing returns: everything but the full record (which holds the bodies).
LISTED_COLUMNS = tuple(c for c in _columns if c.name != "record")
