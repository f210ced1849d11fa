"""The hot path: `/{context}/{version}/{operation}` → auth, ACL, quota, validation, adapter, record.

SOAP services are also served as SOAP at `/{context}/{version}/soap` (gateway/soap_front.py), through the
same admission, the same exchange record and the same adapter.

A raw ASGI app on purpose: FastAPI adds ~100 µs per request on these machines (bench/README.md), and every
call of every procedure passes here.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson

from ndxp_sim.adapters import soap
from ndxp_sim.adapters._base import Adapter, Call, Operation, Reply, SoapAdapter
from ndxp_sim.adapters.oidc import FORM, OidcAdapter, OidcOperation
from ndxp_sim.core.errors import (
    ERROR_HEADER,
    BackendError,
    ClientError,
    ForbiddenError,
    GatewayError,
    GatewayInternalError,
    InvalidRequestError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    QuotaExceededError,
    UnauthorizedError,
    UnknownServiceError,
)
from ndxp_sim.core.settings import ConsumerSettings, Settings
from ndxp_sim.gateway import oidc_front, soap_front
from ndxp_sim.gateway.diag import diagnostic_call, play
from ndxp_sim.gateway.exchange import CORRELATION_KEYS, ROUTING_HEADERS, Exchange, sortable_uuid
from ndxp_sim.gateway.request_params import body_params, hide_digit_runs, query_params
from ndxp_sim.gateway.runtime import Runtime
from ndxp_sim.gateway.soap_front import ErrorRenderer
from ndxp_sim.gateway.urls import url_allowed

log = logging.getLogger("ndxp.gateway")

_JSON = b"application/json"
Header = tuple[bytes, bytes]
_T = TypeVar("_T")
_SCENARIO_HEADER = "x-mock-scenario"
_CORRELATION_HEADERS = tuple((key, key.lower()) for key in CORRELATION_KEYS)
# Underscores in header names are dropped by some proxies and rewritten to hyphens by others: take both.
_ROUTING_HEADERS = tuple((key, key.lower(), key.lower().replace("_", "-")) for key in ROUTING_HEADERS)


# The error type an exchange is noted with when a sign-in provider refuses with this status.
_REFUSALS: dict[int, type[ClientError]] = {
    400: InvalidRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
}


@dataclass(frozen=True, slots=True)
class Route:
    adapter: Adapter
    operation: Operation
    service_number: int


def record_failure(exchange: Exchange, error: GatewayError) -> int:
    """Notes `error` in the exchange (type, detail, outcome) and gives the status to answer with."""
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


def _valid_request_id(value: str) -> bool:
    return 0 < len(value) <= 128 and value.isprintable()


def _json_error(error: GatewayError, exchange_id: str) -> tuple[bytes, bytes]:
    return error.body(exchange_id), _JSON


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
        self.oidc_routes = {path: r for path, r in self.routes.items() if isinstance(r.adapter, OidcAdapter)}
        self.soap_fronts = {
            f"/{a.info().context}/{a.info().version}/{soap_front.SOAP_PATH}": a
            for a in runtime.adapters.values()
            if isinstance(a, SoapAdapter)
        }

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        query = scope["query_string"].decode("latin-1")
        soap_service = self.soap_fronts.get(scope["path"])
        if soap_service is not None and scope["method"] == "GET" and soap_front.asks_wsdl(query):
            await self._send_wsdl(soap_service, scope, headers, send)
            return
        exchange = self._open(scope["method"], scope["path"], query, headers)
        errors: ErrorRenderer = _json_error
        oidc_route = self.oidc_routes.get(scope["path"])
        if oidc_route is not None:
            handling = self._handle_oidc(oidc_route, scope, headers, receive, exchange)
            errors = oidc_front.error_answer(getattr(oidc_route.operation, "caller", "client"))
        elif soap_service is None:
            handling = self._handle(headers, receive, exchange)
        else:
            handling = self._handle_soap(soap_service, headers, receive, exchange)
            errors = soap_front.fault_answer(soap_service.namespace)
        status, body, response_headers = await self._serve(exchange, handling, errors)
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})
        self._close(exchange, status, body)

    async def diagnose(
        self, service: str, path: str, headers: dict[str, str]
    ) -> tuple[int, bytes, list[Header]]:
        """`/_diag/connect/{service}`: the service's canned call under the ACL, quota and exchange record
        of a service call, for it is one (it reaches the real backend, e.g. with a citizen lookup)."""
        exchange = self._open("GET", path, "", headers)
        status, body, response_headers = await self._serve(
            exchange, self._diagnose(service, headers, exchange)
        )
        self._close(exchange, status, body)
        return status, body, response_headers

    def _open(self, method: str, path: str, query: str, headers: dict[str, str]) -> Exchange:
        given_id = headers.get("x-request-id")
        exchange_id = sortable_uuid()
        return Exchange(
            exchange_id=exchange_id,
            request_id=given_id if given_id is not None and _valid_request_id(given_id) else exchange_id,
            instance=self.runtime.settings.instance,
            method=method,
            path=path,
            t_request_in=time.time(),
            query=query,
            request_content_type=headers.get("content-type"),
        )

    async def _serve(
        self, exchange: Exchange, handling: Coroutine[Any, Any, Reply], errors: ErrorRenderer = _json_error
    ) -> tuple[int, bytes, list[Header]]:
        """Awaits `handling` and turns its reply or error into (status, body, headers) for the caller."""
        exchange_id = exchange.exchange_id
        response_headers: list[Header] = []
        try:
            reply = await handling
            status, body, content_type = reply.status, reply.body, reply.content_type.encode()
            exchange.backend_status = reply.backend_status
            exchange.response_document = reply.document
            response_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers]
        except GatewayError as error:
            status, (body, content_type) = record_failure(exchange, error), errors(error, exchange_id)
            response_headers = [(k.encode(), v.encode()) for k, v in error.headers.items()]
            response_headers.append((ERROR_HEADER.encode(), error.type.encode()))
        except Exception:
            log.exception("unexpected error serving %s (exchange %s)", exchange.path, exchange_id)
            internal = GatewayInternalError("the gateway failed to serve the request")
            status, (body, content_type) = record_failure(exchange, internal), errors(internal, exchange_id)
            response_headers = [(ERROR_HEADER.encode(), internal.type.encode())]
        response_headers += [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", exchange.request_id.encode()),
            (b"x-ndxp-exchange-id", exchange_id.encode()),
        ]
        exchange.response_content_type = content_type.decode()
        return status, body, response_headers

    def _close(self, exchange: Exchange, status: int, body: bytes) -> None:
        """Completes the answered exchange and hands it to the log and the metrics."""
        exchange.status = status
        exchange.response_body = body
        exchange.response_bytes = len(body)
        exchange.t_response_out = time.time()
        self.runtime.sink.submit(exchange)
        self.runtime.metrics.observe(
            exchange.service_key or "-",
            exchange.consumer_id or "-",
            status,
            exchange.error_type,
            exchange.t_response_out - exchange.t_request_in,
        )

    def _route(self, path: str, method: str, exchange: Exchange) -> Route:
        route = self.routes.get(path)
        if route is None:
            prefix, _, operation = path.rpartition("/")
            key = self.prefixes.get(prefix + "/")
            if key is None:
                raise UnknownServiceError(f"no service is published at {hide_digit_runs(prefix or path)}")
            exchange.service_key = key
            raise UnknownServiceError(f"service {key} has no operation {hide_digit_runs(operation)!r}")
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
        try:
            route = self._route(exchange.path, exchange.method, exchange)
        except ClientError:
            await self._note_caller(headers, exchange)
            raise
        op = route.operation
        consumer = await self._admit(headers, exchange, route.adapter.key, op.name)

        body = await self._read_request_body(headers, receive, exchange)
        params = self._params(op, exchange.query, body, headers.get("content-type"))
        if op.method != "GET":
            exchange.request_document = params  # the body's JSON: validation copies, nothing changes it
        validated = self._checked_fields(op, params, headers, exchange, consumer)
        forwarded = self._forwarded(headers, exchange)
        return await self._timed(exchange, route.adapter.call(Call(op, validated, forwarded)))

    async def _handle_soap(
        self, adapter: SoapAdapter, headers: dict[str, str], receive: Any, exchange: Exchange
    ) -> Reply:
        """A consumer's SOAP envelope: caller first, then the envelope (its Body element names the
        operation the ACL is asked about), then on to the backend unchanged."""
        exchange.service_key = adapter.key
        exchange.service_number = adapter.info().number
        exchange.backend_protocol = adapter.protocol
        if exchange.method != "POST":
            await self._note_caller(headers, exchange)
            raise MethodNotAllowedError(
                "the SOAP endpoint takes POST (an envelope) or GET ?wsdl", headers={"allow": "GET, POST"}
            )
        consumer = (await self.runtime.tokens.identify(headers)).consumer
        exchange.consumer_id = consumer.id
        body = await self._read_request_body(headers, receive, exchange)
        try:
            namespace, name, params = soap.read_request(body)
        except soap.SoapParseError as error:
            raise soap_front.request_error(error) from None
        op = adapter.by_name.get(name) if namespace == adapter.namespace else None
        if op is None:
            raise UnknownServiceError(f"service {adapter.key} has no operation {{{namespace}}}{name}")
        exchange.operation = op.name
        action = headers.get("soapaction", "").strip().strip('"')
        if action and action.rpartition("/")[2] != op.name:
            raise InvalidRequestError(f"SOAPAction: {action[:128]!r} does not name the Body's {op.name}")
        await self._authorize(consumer, exchange, adapter.key, op.name)
        self._checked_fields(op, params, headers, exchange, consumer)  # the envelope goes on as it is
        forwarded = self._forwarded(headers, exchange)
        return await self._timed(exchange, adapter.pass_envelope(op, body, forwarded))

    async def _handle_oidc(
        self, route: Route, scope: dict[str, Any], headers: dict[str, str], receive: Any, exchange: Exchange
    ) -> Reply:
        """A sign-in endpoint (gateway/oidc_front.py): the client the request names is the consumer, under
        its ACL and quota; the request goes on as it is, its record without credentials."""
        query = exchange.query
        exchange.query = oidc_front.blanked(query)  # first: a refusal is recorded too
        self._route(exchange.path, exchange.method, exchange)
        op, adapter = route.operation, route.adapter
        assert isinstance(op, OidcOperation) and isinstance(adapter, OidcAdapter)
        body = await self._read_request_body(headers, receive, exchange)
        if body and oidc_front.is_form(headers):
            exchange.request_body = oidc_front.blanked(body.decode("utf-8", "replace")).encode()
        if op.method == "POST" and not oidc_front.is_form(headers):
            raise InvalidRequestError(f"content-type: send the {op.name} form as {FORM}")
        client_id = oidc_front.client_named(op, query, body, headers)
        if client_id is not None:
            consumer = self.runtime.settings.consumer(client_id)
            if consumer is None:
                raise UnauthorizedError(
                    f"client_id: {hide_digit_runs(client_id)!r} is not a registered client"
                )
            exchange.consumer_id = consumer.id
            await self._authorize(consumer, exchange, adapter.key, op.name)
            self._correlate(headers, {}, exchange, consumer)
        settings, info = self.runtime.settings, adapter.info()
        reached = (
            f"{scope.get('scheme', 'http')}://{headers.get('host') or f'{settings.host}:{settings.port}'}"
        )
        service = f"/{info.context}/{info.version}"
        cookie = adapter.session_cookie if op.browser else None
        passed = oidc_front.forwarded(headers, reached, settings.public_url, service, cookie)
        reply = await self._timed(
            exchange, adapter.pass_request(op, query, body, self._forwarded(headers, exchange) | passed)
        )
        if reply.status >= 400:  # the provider's refusal, an answer of the protocol: noted as a client error
            refused = _REFUSALS.get(reply.status, ClientError)
            exchange.outcome, exchange.error_type = "client_error", refused.type
            exchange.error_detail = exchange.exchange_id
            reply.headers += ((ERROR_HEADER, refused.type),)
        return reply

    def _checked_fields(
        self,
        op: Operation,
        params: dict[str, Any],
        headers: dict[str, str],
        exchange: Exchange,
        consumer: ConsumerSettings,
    ) -> dict[str, Any]:
        """The request's fields validated and its callback URL checked, its correlation keys noted first
        (a refused request is found by its MaHoSo too)."""
        self._correlate(headers, params, exchange, consumer)
        self._note_dossier(op, params, exchange)
        validated = op.validate(params)
        if op.callback_field:
            callback = validated.get(op.callback_field)
            self._check_callback(callback, consumer.callback_urls, op.callback_field, self.runtime.settings)
        return validated

    @staticmethod
    async def _timed(exchange: Exchange, calling: Awaitable[_T]) -> _T:
        """Awaits the backend call, noting in the exchange when it went out and when it came back."""
        exchange.t_backend_out = time.time()
        try:
            return await calling
        finally:
            exchange.t_backend_in = time.time()

    async def _read_request_body(self, headers: dict[str, str], receive: Any, exchange: Exchange) -> bytes:
        body = await self._read_body(headers, receive)
        exchange.request_body = body
        exchange.request_bytes = len(body)
        return body

    async def _send_wsdl(
        self, adapter: SoapAdapter, scope: dict[str, Any], headers: dict[str, str], send: Any
    ) -> None:
        """The WSDL naming this gateway's SOAP endpoint, as the caller reached it (metadata: no record)."""
        host = headers.get("host") or f"{self.runtime.settings.host}:{self.runtime.settings.port}"
        document = soap_front.wsdl(adapter, f"{scope.get('scheme', 'http')}://{host}{scope['path']}")
        if document is None:
            missing = NotFoundError(f"service {adapter.key} has no WSDL contract")
            status, body, content_type = 404, missing.body(sortable_uuid()), _JSON
        else:
            status, body, content_type = 200, document, soap_front.CONTENT_TYPE
        response_headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})

    def _forwarded(self, headers: dict[str, str], exchange: Exchange) -> dict[str, str]:
        """Headers the backend gets: the request id, and the mock scenario in simulator mode."""
        forwarded = {"x-request-id": exchange.request_id}
        scenario = headers.get(_SCENARIO_HEADER)
        if scenario and self.runtime.settings.simulator_mode:
            forwarded[_SCENARIO_HEADER] = exchange.scenario = scenario[:64]
        return forwarded

    async def _diagnose(self, service: str, headers: dict[str, str], exchange: Exchange) -> Reply:
        try:
            call = diagnostic_call(self.runtime, service)
        except UnknownServiceError:
            await self._note_caller(headers, exchange)
            raise
        adapter = self.runtime.adapters[service]
        exchange.service_key = service
        exchange.service_number = adapter.info().number
        exchange.backend_protocol = adapter.protocol
        if isinstance(call, dict):  # no diagnostic case to play: nothing reaches the backend
            exchange.consumer_id = (await self.runtime.tokens.identify(headers)).consumer.id
            return Reply(200, orjson.dumps(call), None)
        exchange.operation = call.operation.name
        consumer = await self._admit(headers, exchange, service, call.operation.name)
        params = call.params
        exchange.request_body = orjson.dumps(params)
        exchange.request_bytes = len(exchange.request_body)
        exchange.request_content_type = _JSON.decode()
        self._correlate({**call.headers, **headers}, params, exchange, consumer)
        tested = await self._timed(exchange, play(call, exchange.request_id))
        if tested.error is not None:
            record_failure(exchange, tested.error)
        return Reply(200, orjson.dumps(tested.answer), tested.backend_status)

    async def _admit(
        self, headers: dict[str, str], exchange: Exchange, service: str, operation: str
    ) -> ConsumerSettings:
        """The verified consumer, once the ACL lets it call `service.operation` and its quota has room."""
        consumer = (await self.runtime.tokens.identify(headers)).consumer
        exchange.consumer_id = consumer.id
        await self._authorize(consumer, exchange, service, operation)
        return consumer

    async def _authorize(
        self, consumer: ConsumerSettings, exchange: Exchange, service: str, operation: str
    ) -> None:
        if not consumer.may_call(service, operation):
            raise ForbiddenError(f"consumer {consumer.id} may not call {service}.{operation}")
        await self.runtime.quota.check(consumer, exchange.t_request_in)

    async def _note_caller(self, headers: dict[str, str], exchange: Exchange) -> None:
        """Records who made a call that fails before admission (unknown operation, wrong method)."""
        # The call fails anyway: anonymous (or a busy token service) leaves it anonymous.
        with contextlib.suppress(UnauthorizedError, QuotaExceededError):
            exchange.consumer_id = (await self.runtime.tokens.identify(headers)).consumer.id

    @staticmethod
    def _correlate(
        headers: dict[str, str], params: dict[str, Any], exchange: Exchange, consumer: ConsumerSettings
    ) -> None:
        for key, header in _CORRELATION_HEADERS:
            value = headers.get(header) or params.get(key)
            if value:
                exchange.correlation[key] = str(value)[:128]
        if "MaDonVi" not in exchange.correlation:
            exchange.correlation["MaDonVi"] = consumer.id
        for key, underscored, hyphenated in _ROUTING_HEADERS:
            value = headers.get(underscored) or headers.get(hyphenated)
            if value:
                exchange.routing[key] = value[:128]

    @staticmethod
    def _note_dossier(op: Operation, params: dict[str, Any], exchange: Exchange) -> None:
        """The operation's own dossier field as the record's MaHoSo (a MaHoSo header or field wins)."""
        if op.dossier_field is None or "MaHoSo" in exchange.correlation:
            return
        value = params.get(op.dossier_field)
        if isinstance(value, (str, int)) and str(value):
            exchange.correlation["MaHoSo"] = str(value)[:128]

    async def _read_body(self, headers: dict[str, str], receive: Any) -> bytes:
        limit = self.runtime.settings.max_body_bytes
        declared = headers.get("content-length")
        if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLargeError(f"request body over {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":  # gone, or cut off by the body read timeout
                raise ClientError("the request body did not arrive completely")
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
    def _params(op: Operation, query: str, body: bytes, content_type: str | None) -> dict[str, Any]:
        return query_params(query) if op.method == "GET" else body_params(body, content_type)

    @staticmethod
    def _check_callback(url: Any, registered: list[str], field: str, settings: Settings) -> None:
        if url is None:
            return
        if not isinstance(url, str) or not url_allowed(url, registered, settings):
            raise InvalidRequestError(f"{field}: not a callback URL registered for this consumer")
