"""Shared adapter machinery: operations as declarations, the Adapter base, the REST and SOAP transports."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from string import Formatter
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import orjson
from pydantic import BaseModel, ValidationError

from ndxp_sim.adapters import soap
from ndxp_sim.adapters.breaker import CircuitBreaker, trips_breaker
from ndxp_sim.adapters.rejections import fault_reason, invalid_message, rest_reason
from ndxp_sim.adapters.upstream import UpstreamClient, UpstreamResponse
from ndxp_sim.core.catalogue import ServiceInfo, services
from ndxp_sim.core.errors import (
    BackendBadResponseError,
    BackendError,
    BackendFaultError,
    BackendStatusError,
    BackendTimeoutError,
    BackendUnavailableError,
    ConflictError,
    GatewayError,
    InvalidRequestError,
    NotFoundError,
    describe_validation,
)
from ndxp_sim.core.settings import ServiceSettings

JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation a service offers through the gateway, and how it maps to its backend.

    `request` validates the query (GET) or the JSON body (POST); `response` describes the success
    answer (the OpenAPI document is generated from both; answers are not re-validated at run time).
    For REST backends `backend_path` is a template filled from the validated request; the remaining
    fields go in the query (GET) or the JSON body (other methods). SOAP operations are called by name.
    Example requests and answers live in contracts/cases/<service>.yaml, not here.
    """

    name: str
    method: str = "GET"
    request: type[BaseModel] | None = None
    backend_method: str = "GET"
    backend_path: str = ""
    response: type[BaseModel] | None = None
    summary: str = ""
    idempotent: bool | None = None  # default: true for GET
    callback_field: str | None = None  # request field naming a callback URL the consumer registered
    # Request field (body or query) holding the dossier code, recorded as the exchange's MaHoSo so a
    # dossier's submission, status calls and callbacks trace together; named per operation, never guessed.
    dossier_field: str | None = None

    @property
    def is_idempotent(self) -> bool:
        return self.method == "GET" if self.idempotent is None else self.idempotent

    @property
    def path_fields(self) -> tuple[str, ...]:
        return _template_fields(self.backend_path)

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        """The request's fields checked by `request`, as JSON values; InvalidRequestError names the field."""
        if self.request is None:
            return params
        try:
            return self.request.model_validate(params).model_dump(mode="json", exclude_none=True)
        except ValidationError as exc:
            raise InvalidRequestError(describe_validation(exc.errors())) from None


@lru_cache(maxsize=256)
def _template_fields(template: str) -> tuple[str, ...]:
    """Names in a `{field}` template; cached because every request of the operation asks."""
    return tuple(name for _, name, _, _ in Formatter().parse(template) if name)


@dataclass(slots=True)
class Call:
    """One validated call on its way to the backend."""

    operation: Operation
    params: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)  # forwarded headers (request id, scenario)


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes
    backend_status: int | None  # None: the backend was not reached
    content_type: str = JSON
    headers: tuple[tuple[str, str], ...] = ()  # passed on to the caller (a sign-in redirect's location)
    # The JSON body already parsed (REST answers are parsed to check them; SOAP ones are built from it):
    # the exchange record masks this instead of parsing the body again. Nothing reads it after that.
    document: Any = None


class Adapter:
    """Base of every service adapter. Subclasses are declarations: key, operations, transport hooks."""

    key: ClassVar[str]
    protocol: ClassVar[str] = "rest"
    operations: ClassVar[tuple[Operation, ...]] = ()
    implemented: ClassVar[bool] = True

    def __init__(self, base_url: str, settings: ServiceSettings, upstream: UpstreamClient) -> None:
        self.base_url = base_url.rstrip("/")
        self.settings = settings
        self.upstream = upstream
        self.by_name = {op.name: op for op in self.operations}
        self.breaker = CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown_s)

    @classmethod
    def info(cls) -> ServiceInfo:
        return services()[cls.key]

    async def call(self, call: Call) -> Reply:
        return await self._with_retries(call.operation, lambda: self._call_once(call))

    async def _with_retries(
        self, operation: Operation, attempt_once: Callable[[], Awaitable[Reply]]
    ) -> Reply:
        attempts = 1 + (self.settings.retries if operation.is_idempotent else 0)
        for attempt in range(attempts):
            self.breaker.before_call()  # an open circuit fails fast: no connection, no timeout to wait out
            try:
                reply = await attempt_once()
            except BackendError as error:
                self.breaker.failed() if trips_breaker(error) else self.breaker.succeeded()
                if not error.retriable or attempt == attempts - 1:  # each error says if another try helps
                    raise
            except GatewayError as error:  # a 404 or 422 from the backend still proves it alive
                self.breaker.succeeded() if error.backend_status is not None else self.breaker.released()
                raise
            except BaseException:
                self.breaker.released()
                raise
            else:
                self.breaker.succeeded()
                return reply
        raise AssertionError("unreachable")

    async def _call_once(self, call: Call) -> Reply:
        raise NotImplementedError

    async def _send(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> UpstreamResponse:
        return await self.upstream.request(
            method, url, headers=headers, body=body, timeout_s=self.settings.timeout_s
        )


def raise_for_backend_status(status: int, body: bytes = b"") -> None:
    """Map a non-2xx backend status to the error model. Of the backend's body only the field and the
    reason of a refusal (400, 409, 422) reach the consumer, cleaned and bounded (adapters/rejections.py)."""
    error: GatewayError
    if status == 404:
        error = NotFoundError("no record matches the request")
    elif status == 409:
        _, reason = rest_reason(body)
        why = f": {reason}" if reason else " (same key, different content)"
        error = ConflictError(f"the request conflicts with the backend's state{why}")
    elif status in (400, 422):
        error = InvalidRequestError(invalid_message(*rest_reason(body)))
    elif status in (502, 503):
        error = BackendUnavailableError(f"the backend is unavailable (HTTP {status})")
    elif status == 504:
        error = BackendTimeoutError("the backend timed out (HTTP 504)")
    else:
        error = BackendStatusError(f"the backend failed (HTTP {status})")
    error.backend_status = status
    raise error


def _path_segment(field: str, value: Any) -> str:
    """`value` as one path segment; never a dot segment, which the URL would resolve to another path."""
    segment = quote(str(value), safe="")
    if segment.strip(".") == "":
        raise InvalidRequestError(f"{field}: cannot be empty or made of dots only")
    return segment


class RestAdapter(Adapter):
    """JSON over HTTP: LGSP/NGSP style REST backends."""

    protocol = "rest"

    def encode_body(self, operation: Operation, params: dict[str, Any]) -> tuple[bytes, str]:
        """Hook: the body of a call that has one, and its content type (JSON unless a service says other)."""
        return orjson.dumps(params), JSON

    async def _call_once(self, call: Call) -> Reply:
        op = call.operation
        params = dict(call.params)
        path = op.backend_path.format(
            **{name: _path_segment(name, params.pop(name)) for name in op.path_fields}
        )
        url = self.base_url + path
        headers = dict(call.headers)
        body = None
        if op.backend_method == "GET":
            query = {k: v for k, v in params.items() if v is not None}
            if query:
                url += "?" + urlencode(query)
        else:
            body, headers["content-type"] = self.encode_body(op, params)
        response = await self._send(op.backend_method, url, headers, body)
        if not 200 <= response.status < 300:
            raise_for_backend_status(response.status, response.body)
        try:
            document = orjson.loads(response.body)
        except orjson.JSONDecodeError:
            raise BackendBadResponseError("the backend answered with a body that is not JSON") from None
        return Reply(200, response.body, response.status, document=document)


class SoapAdapter(Adapter):
    """SOAP 1.1 backends: the gateway speaks JSON, the adapter translates both ways."""

    protocol = "soap"
    namespace: ClassVar[str]
    soap_path: ClassVar[str] = "/soap"
    not_found_codes: ClassVar[frozenset[str]] = frozenset()  # fault detail MaLoi values meaning "no record"

    def shape_response(self, operation: Operation, payload: dict[str, Any]) -> dict[str, Any]:
        """Hook: normalise the parsed response (e.g. make repeated elements lists)."""
        return payload

    async def _call_once(self, call: Call) -> Reply:
        op = call.operation
        try:
            envelope = soap.build_envelope(self.namespace, op.name, call.params)
        except soap.SoapValueError as exc:
            raise InvalidRequestError(f"body.{exc}") from None
        status, _, payload = await self._post_envelope(op, envelope, call.headers)
        shaped = self.shape_response(op, payload)
        return Reply(200, orjson.dumps(shaped), status, document=shaped)

    async def pass_envelope(self, operation: Operation, envelope: bytes, headers: dict[str, str]) -> Reply:
        """A consumer's own envelope for `operation` (the gateway's SOAP front), sent on as it is; the
        backend's answer comes back as it is too, once it parsed as a SOAP answer."""

        async def once() -> Reply:
            status, body, _ = await self._post_envelope(operation, envelope, headers)
            return Reply(200, body, status, soap.CONTENT_TYPE)

        return await self._with_retries(operation, once)

    async def _post_envelope(
        self, op: Operation, envelope: bytes, forwarded: dict[str, str]
    ) -> tuple[int, bytes, dict[str, Any]]:
        """(backend status, answer bytes, parsed answer) of one envelope; faults mapped to the error model."""
        headers = {
            **forwarded,
            "content-type": soap.CONTENT_TYPE,
            "soapaction": f'"{self.namespace}/{op.name}"',
        }
        response = await self._send("POST", self.base_url + self.soap_path, headers, envelope)
        if response.status not in (200, 500) or "xml" not in response.content_type:
            if not 200 <= response.status < 300:
                raise_for_backend_status(response.status, response.body)
            raise BackendBadResponseError("the backend answered with a body that is not SOAP XML")
        try:
            _, payload = soap.parse_envelope(response.body)
        except soap.SoapFault as fault:
            error = self._map_fault(fault)
            error.backend_status = response.status
            raise error from None
        except soap.SoapParseError:
            raise BackendBadResponseError("the backend answered with a malformed SOAP envelope") from None
        if response.status != 200:
            raise BackendBadResponseError("the backend answered HTTP 500 without a SOAP fault")
        return response.status, response.body, payload

    def _map_fault(self, fault: soap.SoapFault) -> GatewayError:
        code = str(fault.detail.get("MaLoi") or "")
        if code in self.not_found_codes:
            return NotFoundError("no record matches the request")
        if fault.code == "Client":
            return InvalidRequestError(invalid_message(*fault_reason(fault.detail)))
        return BackendFaultError(f"the backend answered with a SOAP fault ({code or 'Server'})")
