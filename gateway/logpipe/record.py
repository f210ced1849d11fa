"""Turns one gathered Exchange into the published exchange record (schema version 1)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ndxp_sim.gateway.exchange import Exchange
from ndxp_sim.gateway.logpipe.masking import Masker, binary_placeholder, is_binary

if TYPE_CHECKING:
    from ndxp_sim.core.settings import BodyPolicy

SCHEMA_VERSION = 1

_ROUTING_FIELDS = {"SENDER_CODE": "sender_code", "RECEIVER_CODE": "receiver_code", "TRAN_CODE": "tran_code"}
_CORRELATION_FIELDS = {
    "MaYeuCau": "ma_yeu_cau",
    "MaHoSo": "ma_ho_so",
    "MaCanBo": "ma_can_bo",
    "MaDonVi": "ma_don_vi",
}
# Every correlation and routing field, in the record's order, before the exchange's own are filled in.
_NO_CORRELATION: dict[str, None] = dict.fromkeys([*_CORRELATION_FIELDS.values(), *_ROUTING_FIELDS.values()])


def to_record(exchange: Exchange, policy: BodyPolicy, cap_bytes: int, masker: Masker) -> dict[str, Any]:
    """The record for `exchange`; bodies follow `policy` (off, metadata, masked, full) and `cap_bytes`."""
    subjects: set[str] = set()
    masker.start_record()
    request_body, request_truncated = _body(
        exchange.request_body,
        exchange.request_content_type,
        policy,
        cap_bytes,
        masker,
        subjects,
        exchange.request_document,
    )
    response_body, response_truncated = _body(
        exchange.response_body,
        exchange.response_content_type,
        policy,
        cap_bytes,
        masker,
        subjects,
        exchange.response_document,
    )
    t_in = exchange.t_request_in
    t_last = exchange.t_response_out or exchange.t_backend_in or exchange.t_backend_out or t_in
    backend_ms = None
    if exchange.t_backend_out is not None and exchange.t_backend_in is not None:
        backend_ms = round((exchange.t_backend_in - exchange.t_backend_out) * 1000, 3)
    record: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "exchange_id": exchange.exchange_id,
        # Caller-chosen values: a TTHC system may well use a citizen's number as its request or dossier id.
        # An id the gateway made (the exchange id) is a UUID: nothing to mask, and none of its digit runs
        # may be taken for a citizen's number.
        "request_id": request_id
        if (request_id := exchange.request_id) is exchange.exchange_id
        else masker.mask_free_text(request_id, subjects),
        "instance": exchange.instance,
        "ts_request_in": iso_utc(t_in),
        "ts_backend_out": iso_utc(exchange.t_backend_out),
        "ts_backend_in": iso_utc(exchange.t_backend_in),
        "ts_response_out": iso_utc(exchange.t_response_out),
        "duration_ms": round((t_last - t_in) * 1000, 3),
        "backend_duration_ms": backend_ms,
        "consumer_id": exchange.consumer_id,
        "service_key": exchange.service_key,
        "service_number": exchange.service_number,
        "operation": exchange.operation,
        "http_method": exchange.method,
        "http_path": masker.mask_path(exchange.path, subjects),
        "http_query": masker.mask_query(exchange.query, subjects),
        "http_status": exchange.status,
        "backend_protocol": exchange.backend_protocol,
        "backend_status": exchange.backend_status,
        "outcome": exchange.outcome,
        "error_type": exchange.error_type,
        "error_detail": exchange.error_detail,
        "scenario": exchange.scenario,
        "request_bytes": exchange.request_bytes,
        "response_bytes": exchange.response_bytes,
        **_NO_CORRELATION,  # filled in below with what the exchange carries
        "body_policy": policy,
        "request_body": request_body,
        "response_body": response_body,
        "request_body_truncated": request_truncated,
        "response_body_truncated": response_truncated,
        "subjects": None,
    }
    for fields, given in ((_CORRELATION_FIELDS, exchange.correlation), (_ROUTING_FIELDS, exchange.routing)):
        # Agency and transaction codes too: caller-chosen like request_id, masked the same way.
        for key, value in given.items():
            if (field := fields.get(key)) is not None:
                record[field] = masker.mask_free_text(value, subjects)
    record["subjects"] = sorted(subjects)
    return record


def iso_utc(epoch_s: float | None) -> str | None:
    """`2025-07-01T08:30:00.123456Z`, or None."""
    if epoch_s is None:
        return None
    second, micro = divmod(round(epoch_s * 1_000_000), 1_000_000)
    prefix = _SECONDS.get(second)
    if prefix is None:
        # Records come in bursts within the same second: format the date part once per second.
        if len(_SECONDS) > 8:
            _SECONDS.clear()
        prefix = _SECONDS[second] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
    return f"{prefix}.{micro:06d}Z"


_SECONDS: dict[int, str] = {}


def _body(
    body: bytes | None,
    content_type: str | None,
    policy: BodyPolicy,
    cap_bytes: int,
    masker: Masker,
    subjects: set[str],
    document: Any = None,
) -> tuple[str | None, bool]:
    """(text to log, truncated?) for one body; scans for subjects under every policy but `off`.
    `document`: the body's JSON as parsed on the request path, if it was."""
    if not body or policy == "off":
        return None, False
    masked = masker.mask_body(body, content_type, subjects, document)
    if policy == "metadata":
        return None, False
    if policy == "full":
        raw = body.decode("utf-8", "replace")
        text = binary_placeholder(body, content_type or "") if is_binary(content_type) else raw
    else:
        text = masked
    return cap_text(text, cap_bytes)


def cap_text(text: str, cap_bytes: int) -> tuple[str, bool]:
    """`text` cut to at most `cap_bytes` of UTF-8 (never mid-character), and whether it was cut."""
    encoded = text.encode()
    if len(encoded) <= cap_bytes:
        return text, False
    return encoded[:cap_bytes].decode("utf-8", "ignore"), True
