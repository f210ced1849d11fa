"""The opaque keyset cursor of a listing: the (ts_request_in, exchange_id) of the last item shown."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime

import orjson


class InvalidCursorError(ValueError):
    """A cursor this store did not hand out."""


def encode_cursor(ts_request_in: datetime, exchange_id: str) -> str:
    raw = orjson.dumps([ts_request_in.isoformat(), exchange_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        ts, exchange_id = orjson.loads(raw)
        when = datetime.fromisoformat(ts)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidCursorError("invalid cursor") from None
    if when.tzinfo is None or not isinstance(exchange_id, str):
        raise InvalidCursorError("invalid cursor")
    return when, exchange_id
