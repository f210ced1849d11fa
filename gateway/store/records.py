"""Exchange records (schema_version 1) in and out of the store: validation, row values, listing items."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal, NamedTuple

import orjson
from pydantic import AwareDatetime, Field, StringConstraints, ValidationError
from sqlmodel.main import SQLModelConfig  # type: ignore[attr-defined]  # not re-exported, but public

from ndxp_sim.core.errors import describe_validation
from ndxp_sim.gateway.logpipe.record import iso_utc as record_timestamp
from ndxp_sim.gateway.store.tables import LISTED_COLUMNS, ExchangeFields

SubjectHash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class InvalidRecordError(ValueError):
    """A message that is not a valid exchange record; the indexer counts and skips it."""


class _RecordV1(ExchangeFields):
    """The fields the store relies on, checked; the full record is kept as published."""

    model_config = SQLModelConfig(extra="ignore")

    schema_version: Literal[1]
    exchange_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    ts_request_in: AwareDatetime
    ts_backend_out: AwareDatetime | None = None
    ts_backend_in: AwareDatetime | None = None
    ts_response_out: AwareDatetime | None = None
    outcome: Literal["ok", "client_error", "backend_error", "gateway_error"]
    subjects: list[SubjectHash] = Field(default_factory=list)


class PreparedRecord(NamedTuple):
    """A validated record as the store writes it: exchange row values and subject hashes."""

    row: dict[str, Any]
    subjects: list[str]


def decode(raw: bytes) -> dict[str, Any]:
    """A Kafka message value as a record mapping, or InvalidRecordError."""
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidRecordError(f"not JSON: {exc}") from None
    if not isinstance(record, dict):
        raise InvalidRecordError("not a JSON object")
    return record


def prepare(record: Mapping[str, Any]) -> PreparedRecord:
    """Validate one record and turn it into row values, or raise InvalidRecordError."""
    try:
        parsed = _RecordV1.model_validate(record)
    except ValidationError as exc:
        raise InvalidRecordError(describe_validation(exc.errors(), where="record", limit=1)) from None
    row = parsed.model_dump(exclude={"subjects"})
    row["record"] = orjson.dumps(dict(record)).decode()
    return PreparedRecord(row, sorted(set(parsed.subjects)))


def iso_utc(value: datetime | None) -> str | None:
    """The record's timestamp format (ISO-8601 UTC, microseconds, trailing Z), from a datetime."""
    return None if value is None else record_timestamp(value.timestamp())


def listing_item(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A listed exchange: every typed column, timestamps in record format, no bodies."""
    item = {column.name: row[column.name] for column in LISTED_COLUMNS}
    for name, value in item.items():
        if isinstance(value, datetime):
            item[name] = iso_utc(value)
    return item
