"""What a backend said when it refused a request: the field and the reason, bounded and cleaned."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

import orjson

MAX_REASON_CHARS = 200
MAX_FIELD_CHARS = 100
_REQUEST_PARTS = frozenset({"body", "query", "path", "header"})  # FastAPI-style loc prefixes, not fields


def clean(value: Any, limit: int) -> str:
    """`value` as one line of printable text at most `limit` characters long ("" when not a string):
    a backend's words reach the consumer, so no control characters and no unbounded length."""
    if not isinstance(value, str | int):
        return ""
    text = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in str(value)[: limit * 2]
    )
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _field(loc: Any) -> str:
    if not isinstance(loc, list):
        return clean(loc, MAX_FIELD_CHARS)
    parts = [str(part) for part in loc if isinstance(part, str | int)]
    if len(parts) > 1 and parts[0] in _REQUEST_PARTS:
        parts = parts[1:]
    return clean(".".join(parts), MAX_FIELD_CHARS)


def rest_reason(body: bytes) -> tuple[str, str]:
    """(field, reason) from a REST error body: `detail` as a list of {loc, msg} (the first problem) or as
    text, else its `message`; empty strings when the body says nothing usable."""
    try:
        payload = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return "", ""
    if not isinstance(payload, Mapping):
        return "", ""
    detail = payload.get("detail")
    if isinstance(detail, list) and detail and isinstance(detail[0], Mapping):
        first = detail[0]
        return _field(first.get("loc")), clean(first.get("msg"), MAX_REASON_CHARS)
    if isinstance(detail, str):
        return "", clean(detail, MAX_REASON_CHARS)
    return "", clean(payload.get("message"), MAX_REASON_CHARS)


def fault_reason(detail: Mapping[str, Any]) -> tuple[str, str]:
    """(field, reason) from a SOAP fault detail: TruongLoi and MoTa."""
    return clean(detail.get("TruongLoi"), MAX_FIELD_CHARS), clean(detail.get("MoTa"), MAX_REASON_CHARS)


def invalid_message(field: str, reason: str) -> str:
    """The gateway's 422 message for a backend's refusal: `field: reason (…)`, as the gateway's own are."""
    if not (field or reason):
        return "the backend rejected the request as invalid"
    where = f"{field}: " if field else ""
    return f"{where}{reason or 'invalid value'} (the backend rejected the request)"
