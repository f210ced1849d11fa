"""Exchange records for the store tests: valid schema-1 records with any field overridden."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from ndxp_sim.gateway.exchange import sortable_uuid
from ndxp_sim.gateway.store import iso_utc

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)

RecordFactory = Callable[..., dict[str, Any]]


def build_record(ts: datetime, **fields: Any) -> dict[str, Any]:
    duration = fields.pop("duration_ms", 12.5)
    record: dict[str, Any] = {
        "schema_version": 1,
        "exchange_id": sortable_uuid(),
        "request_id": sortable_uuid(),
        "instance": "ndxp-sim-1",
        "ts_request_in": iso_utc(ts),
        "ts_backend_out": iso_utc(ts + timedelta(milliseconds=1)),
        "ts_backend_in": iso_utc(ts + timedelta(milliseconds=duration - 1)),
        "ts_response_out": iso_utc(ts + timedelta(milliseconds=duration)),
        "duration_ms": duration,
        "backend_duration_ms": duration - 2,
        "consumer_id": "000.00.00.H91",
        "service_key": "csdl_dan_cu",
        "service_number": 1,
        "operation": "TraCuuThongTinCongDan",
        "http_method": "POST",
        "http_path": "/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
        "http_query": "",
        "http_status": 200,
        "backend_protocol": "soap",
        "backend_status": 200,
        "outcome": "ok",
        "error_type": None,
        "error_detail": None,
        "scenario": None,
        "request_bytes": 420,
        "response_bytes": 1337,
        "ma_yeu_cau": None,
        "ma_ho_so": None,
        "ma_can_bo": "CB001",
        "ma_don_vi": "000.00.00.H91",
        "sender_code": "000.00.00.H91",
        "receiver_code": "000.00.00.G12",
        "tran_code": "TRACUU_CONGDAN",
        "body_policy": "masked",
        "request_body": '{"SoDinhDanh": "0790****5678"}',
        "response_body": '{"HoVaTen": "N*** V** A"}',
        "request_body_truncated": False,
        "response_body_truncated": False,
        "subjects": [],
    }
    unknown = set(fields) - set(record)
    assert not unknown, f"not record fields: {unknown}"
    record.update(fields)
    return record
