"""One exchange as gathered on the request path, and the sink interface the log pipeline implements."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Outcome = Literal["ok", "client_error", "backend_error", "gateway_error"]

CORRELATION_KEYS = ("MaYeuCau", "MaHoSo", "MaCanBo", "MaDonVi")
# NGSP routing headers a provincial LGSP's clients send on every call: who sends, to whom, which transaction.
ROUTING_HEADERS = ("SENDER_CODE", "RECEIVER_CODE", "TRAN_CODE")


def sortable_uuid() -> str:
    """A UUIDv7 (RFC 9562): 48-bit millisecond timestamp first, so ids sort by time.

    Written as text directly (one per request: `uuid.UUID` and its int arithmetic cost twice this):
    timestamp, version 7, 12 random bits, the variant's two bits `10` with 2 random bits, 60 random bits.
    """
    rand = os.urandom(10).hex()
    ms = f"{time.time_ns() // 1_000_000:012x}"
    return f"{ms[:8]}-{ms[8:]}-7{rand[:3]}-{_VARIANT[int(rand[3], 16) & 3]}{rand[4:7]}-{rand[7:19]}"


_VARIANT = "89ab"  # the hex digits whose top two bits are 10


@dataclass(slots=True)
class Exchange:
    """Everything one request carried, gathered cheaply on the hot path.

    Turning it into the published record (masking, hashing, serialising) happens off the request
    path, in the sink. Timestamps are epoch seconds from time.time().
    """

    exchange_id: str
    request_id: str
    instance: str
    method: str
    path: str
    t_request_in: float
    query: str = ""
    consumer_id: str | None = None
    service_key: str | None = None
    service_number: int | None = None
    operation: str | None = None
    t_backend_out: float | None = None
    t_backend_in: float | None = None
    t_response_out: float | None = None
    status: int = 0
    backend_protocol: str | None = None
    backend_status: int | None = None
    outcome: Outcome = "ok"
    error_type: str | None = None
    error_detail: str | None = None
    scenario: str | None = None
    request_bytes: int = 0
    response_bytes: int = 0
    correlation: dict[str, str] = field(default_factory=dict)
    routing: dict[str, str] = field(default_factory=dict)  # ROUTING_HEADERS given, by header name
    request_body: bytes | None = None
    response_body: bytes | None = None
    request_content_type: str | None = None
    response_content_type: str | None = None
    # The JSON bodies as parsed on the way (None: not parsed); the record masks these, mutating them, instead
    # of parsing the bodies again. They must hold exactly what the bodies hold.
    request_document: Any = None
    response_document: Any = None


class ExchangeSink(Protocol):
    """Where finished exchanges go. `submit` must never block or raise on the request path."""

    def submit(self, exchange: Exchange) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def stats(self) -> dict[str, int]: ...

    def ready(self) -> tuple[bool, str]: ...


class MemorySink:
    """Keeps exchanges in a list: for tests and for running without a log pipeline."""

    def __init__(self) -> None:
        self.exchanges: list[Exchange] = []

    def submit(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def stats(self) -> dict[str, int]:
        return {"submitted": len(self.exchanges)}

    def ready(self) -> tuple[bool, str]:
        return True, "in-memory sink"
