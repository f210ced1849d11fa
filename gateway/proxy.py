"""The hot path: `/{context}/{version}/{operation}` → auth, ACL, quota, validation, adapter, record.

A raw ASGI app on purpose: FastAPI adds ~100 µs per request on these machines (bench/README.md), and every
call of every procedure passes here.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson

from ndxp_sim.adapters._base import Adapter, Call, Operation, Reply
from ndxp_sim.core.errors import (
    ERROR_HEADER,
    BackendError,
    ClientError,
    ForbiddenError,
    GatewayError,
    GatewayInternalError,
    InvalidRequestError,
    MethodNotAllowedError,
    PayloadTooLargeError,
    UnknownServiceError,
)
from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.exchange import CORRELATION_KEYS, Exchange, sortable_uuid
from ndxp_sim.gateway.runtime import Runtime
from ndxp_sim.gateway.urls import url_allowed

log = logging.getLogger("ndxp.gateway")

_JSON = b"application/json"
_SCENARIO_HEADER = "x-mock-scenario"
_CORRELATION_HEADERS = tuple((key, key.lower()) for key in CORRELATION_KEYS)


@dataclass(frozen=True, slots=True)
class Route:
    adapter: Adapter
    operation: Operation
    service_number: int


def _valid_request_id(value: str) -> bool:
    return 0 < len(value) <= 128 and value.isprintable()


class Proxy:
    """Serves every service operation of every adapter in the runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.routes: dict[str, Route] = {}
        self.prefixes: dict[str, str] = {}  # "/context/version/" -> service key
        for key, adapter in runtime.adapters.items():
            info = adapter.info()
            prefix = f"/{info.context}/{info.version}/"
            self.prefixes[prefix] = key
            for op in adapter.operations:
                self.routes[prefix + op.name] = Route(adapter, op, info.number)
        self.contexts = {f"/{info.context}" for info in runtime.services.values()}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        runtime = self.runtime
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        given_id = headers.get("x-request-id")
        exchange_id = sortable_uuid()
        exchange = Exchange(
            exchange_id=exchange_id,
            request_id=given_id if given_id is not None and _valid_request_id(given_id) else exchange_id,
            instance=runtime.settings.instance,
            method=scope["method"],
            path=scope["path"],
            t_request_in=time.time(),
            query=scope["query_string"].decode("latin-1"),
            request_content_type=headers.get("content-type"),
        )
        response_headers: list[tuple[bytes, bytes]] = []
        try:
            reply = await self._handle(headers, receive, exchange)
            status, body, content_type = reply.status, reply.body, reply.content_type.encode()
            exchange.backend_status = reply.backend_status
        except GatewayError as error:
            status, body, content_type = self._fail(exchange, error), error.body(exchange_id), _JSON
            response_headers = [(k.encode(), v.encode()) for k, v in error.headers.items()]
            response_headers.append((ERROR_HEADER.encode(), error.type.encode()))
        except Exception:
            log.exception("unexpected error serving %s (exchange %s)", exchange.path, exchange_id)
            internal = GatewayInternalError("the gateway failed to serve the request")
            status, body, content_type = self._fail(exchange, internal), internal.body(exchange_id), _JSON
            response_headers = [(ERROR_HEADER.encode(), internal.type.encode())]
        response_headers += [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", exchange.request_id.encode()),
            (b"x-ndxp-exchange-id", exchange_id.encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})
        exchange.status = status
        exchange.response_body = body
        exchange.response_bytes = len(body)
        exchange.response_content_type = content_type.decode()
        exchange.t_response_out = time.time()
        runtime.sink.submit(exchange)
        runtime.metrics.observe(
            exchange.service_key or "-",
            exchange.consumer_id or "-",
            status,
            exchange.error_type,
            exchange.t_response_out - exchange.t_request_in,
        )

    def _fail(self, exchange: Exchange, error: GatewayError) -> int:
        exchange.error_type = error.type
        exchange.error_detail = exchange.exchange_id
        exchange.backend_status = error.backend_status
        if isinstance(error, ClientError):
            exchange.outcome = "client_error"
        elif isinstance(error, BackendError):
            exchange.outcome = "backend_error"
        else:
            exchange.outcome = "gateway_error"
        return error.status_code

    def _route(self, path: str, method: str, exchange: Exchange) -> Route:
        route = self.routes.get(path)
        if route is None:
            prefix, _, operation = path.rpartition("/")
            key = self.prefixes.get(prefix + "/")
            if key is None:
                raise UnknownServiceError(f"no service is published at {prefix or path}")
            exchange.service_key = key
            raise UnknownServiceError(f"service {key} has no operation {operation!r}")
        exchange.service_key = route.adapter.key
        exchange.service_number = route.service_number
        exchange.operation = route.operation.name
        exchange.backend_protocol = route.adapter.protocol
        if method != route.operation.method:
            raise MethodNotAllowedError(
                f"{route.operation.name} takes {route.operation.method}, not {method}",
                headers={"allow": route.operation.method},
            )
        return route

    async def _handle(self, headers: dict[str, str], receive: Any, exchange: Exchange) -> Reply:
        runtime = self.runtime
        route = self._route(exchange.path, exchange.method, exchange)
        op = route.operation
        caller = runtime.tokens.verify(headers.get("authorization"))
        consumer = caller.consumer
        exchange.consumer_id = consumer.id
        if not consumer.may_call(route.adapter.key, op.name):
            raise ForbiddenError(f"consumer {consumer.id} may not call {route.adapter.key}.{op.name}")
        runtime.quota.check(consumer, exchange.t_request_in)

        body = await self._read_body(headers, receive)
        exchange.request_body = body
        exchange.request_bytes = len(body)
        params = self._params(op, exchange.query, body)
        for key, header in _CORRELATION_HEADERS:
            value = headers.get(header) or params.get(key)
            if value:
                exchange.correlation[key] = str(value)[:128]
        if "MaDonVi" not in exchange.correlation:
            exchange.correlation["MaDonVi"] = consumer.id
        validated = op.validate(params)
        if op.callback_field:
            callback = validated.get(op.callback_field)
            self._check_callback(callback, consumer.callback_urls, op.callback_field, runtime.settings)

        forwarded = {"x-request-id": exchange.request_id}
        scenario = headers.get(_SCENARIO_HEADER)
        if scenario and runtime.settings.simulator_mode:
            forwarded[_SCENARIO_HEADER] = exchange.scenario = scenario[:64]
        exchange.t_backend_out = time.time()
        try:
            return await route.adapter.call(Call(op, validated, forwarded))
        finally:
            exchange.t_backend_in = time.time()

    async def _read_body(self, headers: dict[str, str], receive: Any) -> bytes:
        limit = self.runtime.settings.max_body_bytes
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLargeError(f"request body over {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLargeError(f"request body over {limit} bytes")
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    @staticmethod
    def _params(op: Operation, query: str, body: bytes) -> dict[str, Any]:
        if op.method == "GET":
            return dict(parse_qsl(query, keep_blank_values=True))
        if not body:
            raise InvalidRequestError("body: a JSON object is required")
        try:
            params = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise InvalidRequestError(f"body: not valid JSON ({exc.msg} at position {exc.pos})") from None
        if not isinstance(params, dict):
            raise InvalidRequestError("body: a JSON object is required")
        return params

    @staticmethod
    def _check_callback(url: Any, registered: list[str], field: str, settings: Settings) -> None:
        if url is None:
            return
        if not isinstance(url, str) or not url_allowed(url, registered, settings):
            raise InvalidRequestError(f"{field}: not a callback URL registered for this consumer")
