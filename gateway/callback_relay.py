"""`POST /_callbacks/{service}`: the mocks' dossier callbacks pass here on their way to the consumer.

Only the mocks call it (shared relay key, never a consumer token). The target must be a callback URL a
consumer registered; the signed body goes on unchanged, and each attempt is an exchange record with
operation `callback` (direction: gateway to consumer), found by the dossier's MaHoSo like its other calls.
The answer is the receiver's status (403 refused, 503/504 unreachable), so the mock's retries and dead
letters work as with direct delivery.
"""

from __future__ import annotations

import hmac
import time

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ndxp_sim.core.errors import (
    ERROR_HEADER,
    ForbiddenError,
    GatewayError,
    InvalidRequestError,
    UnauthorizedError,
    UnknownServiceError,
)
from ndxp_sim.core.settings import ConsumerSettings
from ndxp_sim.gateway.exchange import Exchange, sortable_uuid
from ndxp_sim.gateway.proxy import Proxy, record_failure
from ndxp_sim.gateway.runtime import Runtime
from ndxp_sim.gateway.urls import url_allowed

OPERATION = "callback"
DIRECTION = "callback-out"  # backend_protocol of the record: the gateway calls the consumer
KEY_HEADER = "x-ndxp-relay-key"
TARGET_HEADER = "x-ndxp-callback-url"
DOSSIER_HEADER = "x-ndxp-ma-ho-so"
# Signature and delivery headers the receiver verifies; forwarded exactly as the mock made them.
_FORWARDED = ("Content-Type", "X-NDXP-Service", "X-NDXP-Delivery", "X-NDXP-Timestamp", "X-NDXP-Signature")
_TIMEOUT_S = 5.0

router = APIRouter(include_in_schema=False)


def _receiver(runtime: Runtime, url: str) -> ConsumerSettings | None:
    """The consumer that registered `url` as a callback URL (the simulator's own ports never match)."""
    for consumer in runtime.settings.consumers:
        if url_allowed(url, consumer.callback_urls, runtime.settings):
            return consumer
    return None


async def relay(runtime: Runtime, service: str, headers: dict[str, str], body: bytes) -> Exchange:
    """Checks, forwards and records one callback attempt; the recorded exchange (status, answer, error)."""
    exchange = Exchange(
        exchange_id=sortable_uuid(),
        request_id=headers.get("x-ndxp-delivery", "")[:128] or sortable_uuid(),
        instance=runtime.settings.instance,
        method="POST",
        path=f"/_callbacks/{service}",
        t_request_in=time.time(),
        operation=OPERATION,
        backend_protocol=DIRECTION,
        request_body=body,
        request_bytes=len(body),
        request_content_type=headers.get("content-type"),
    )
    try:
        status, answer, content_type = await _forward(runtime, service, headers, body, exchange)
    except GatewayError as error:
        status = record_failure(exchange, error)
        answer, content_type = error.body(exchange.exchange_id), "application/json"
    exchange.status = status
    exchange.response_body = answer
    exchange.response_bytes = len(answer)
    exchange.response_content_type = content_type
    exchange.t_response_out = time.time()
    runtime.sink.submit(exchange)
    runtime.metrics.observe(
        service,
        exchange.consumer_id or "-",
        status,
        exchange.error_type,
        exchange.t_response_out - exchange.t_request_in,
    )
    return exchange


async def _forward(
    runtime: Runtime, service: str, headers: dict[str, str], body: bytes, exchange: Exchange
) -> tuple[int, bytes, str]:
    expected = runtime.settings.mocks.callback_relay_key.get_secret_value().encode()
    if not hmac.compare_digest(headers.get(KEY_HEADER, "").encode(), expected):
        raise UnauthorizedError("the callback relay takes only the mocks' relay key")
    info = runtime.services.get(service)
    if info is None:
        raise UnknownServiceError(f"no service {service[:64]!r}")
    exchange.service_key = service
    exchange.service_number = info.number
    dossier = headers.get(DOSSIER_HEADER)
    if dossier:
        exchange.correlation["MaHoSo"] = dossier[:128]
    url = headers.get(TARGET_HEADER)
    if not url:
        raise InvalidRequestError(f"{TARGET_HEADER}: missing")
    consumer = _receiver(runtime, url)
    if consumer is None:
        raise ForbiddenError("callback URL: not registered by any consumer")
    exchange.consumer_id = consumer.id
    exchange.correlation["MaDonVi"] = consumer.id
    forwarded = {name: headers[name.lower()] for name in _FORWARDED if name.lower() in headers}
    exchange.t_backend_out = time.time()
    try:
        answer = await runtime.upstream.request(
            "POST", url, headers=forwarded, body=body, timeout_s=_TIMEOUT_S
        )
    finally:
        exchange.t_backend_in = time.time()
    exchange.backend_status = answer.status
    if answer.status >= 400:
        exchange.outcome = "backend_error" if answer.status >= 500 else "client_error"
    return answer.status, answer.body, answer.content_type


@router.post("/_callbacks/{service}")
async def callback_relay(service: str, request: Request) -> Response:
    proxy: Proxy = request.app.state.proxy
    headers = {k.lower(): v for k, v in request.headers.items()}
    exchange = await relay(proxy.runtime, service, headers, await request.body())
    # Only the gateway's own refusals carry an error type; a receiver's answer comes back as it was.
    response_headers = {ERROR_HEADER: exchange.error_type} if exchange.error_type else {}
    return Response(exchange.response_body, exchange.status, response_headers, media_type="application/json")
