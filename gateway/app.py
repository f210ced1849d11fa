"""Builds the gateway ASGI app: the raw proxy for service calls, FastAPI for everything else."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException

from ndxp_sim.adapters.upstream import UpstreamClient
from ndxp_sim.core.errors import (
    ERROR_HEADER,
    ClientError,
    GatewayError,
    GatewayInternalError,
    InvalidRequestError,
    MethodNotAllowedError,
    NotFoundError,
    PayloadTooLargeError,
    StoreUnavailableError,
    describe_validation,
)
from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway import api, callback_relay
from ndxp_sim.gateway.console import console_app
from ndxp_sim.gateway.exchange import ExchangeSink, sortable_uuid
from ndxp_sim.gateway.http_protocol import HttpLimits
from ndxp_sim.gateway.logpipe import build_sink
from ndxp_sim.gateway.openapi import with_services
from ndxp_sim.gateway.ops_api import ops_router
from ndxp_sim.gateway.proxy import Proxy
from ndxp_sim.gateway.runtime import Runtime
from ndxp_sim.gateway.store import Store
from ndxp_sim.gateway.token_throttle import TokenThrottle

log = logging.getLogger("ndxp.gateway")

_GC_YOUNG_THRESHOLD = 20_000
TOKEN_BODY_BYTES = 4096  # a client-credentials form is about 100 bytes
_OWN_PREFIXES = ("/_", "/token", "/health", "/metrics", "/docs", "/redoc", "/openapi.json", "/console")


def _error_response(error: GatewayError) -> Response:
    headers = {**error.headers, ERROR_HEADER: error.type}
    return Response(error.body(sortable_uuid()), error.status_code, headers, media_type="application/json")


def _http_error(exc: HTTPException) -> GatewayError:
    """The routing framework's own errors (no such endpoint, wrong method) in the gateway's error tree."""
    if isinstance(exc.__cause__, GatewayError):  # FastAPI wraps errors raised while it reads a body
        return exc.__cause__
    if exc.status_code == 404:
        return NotFoundError("no such endpoint")
    if exc.status_code == 405:
        return MethodNotAllowedError("this endpoint does not take that method")
    return ClientError(str(exc.detail)) if exc.status_code < 500 else GatewayInternalError(str(exc.detail))


def tune_gc_for_serving() -> None:
    """For a process that only serves requests, called once everything long-lived is built.

    Freezing keeps the collector from walking the start-up heap again in every full collection (those
    walks were the gateway's p99 under load). A request allocates hundreds of objects, so the default
    700-allocation trigger ran a collection every request or two; nearly all are freed by reference
    counting anyway.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(_GC_YOUNG_THRESHOLD, 20, 50)


class GatewayApp:
    """Sends service calls to the proxy and the gateway's own endpoints to FastAPI."""

    def __init__(self, api_app: FastAPI, proxy: Proxy) -> None:
        self.api = api_app
        self.proxy = proxy
        self.runtime = proxy.runtime
        settings = self.runtime.settings
        # Read by the server's protocol (gateway/http_protocol.py), which enforces them before any app runs.
        self.http_limits = HttpLimits(
            settings.max_header_bytes, settings.header_timeout_s, settings.body_timeout_s
        )

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.api(scope, receive, send)
        elif not scope["path"].startswith(_OWN_PREFIXES):
            await self.proxy(scope, receive, send)  # the proxy enforces max_body_bytes itself
        else:
            limit = TOKEN_BODY_BYTES if scope["path"] == "/token" else self.runtime.settings.max_body_bytes
            declared = _content_length(scope["headers"])
            if declared is not None and declared > limit:
                too_large = PayloadTooLargeError(f"request body over {limit} bytes")
                await _error_response(too_large)(scope, receive, send)  # refused before reading any of it
                return
            await self.api(scope, _limited(receive, limit), send)


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _limited(receive: Any, limit: int) -> Any:
    """`receive` failing with 413 once over `limit` body bytes (a chunked body declares no length)."""
    received = 0

    async def receive_limited() -> Any:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise PayloadTooLargeError(f"request body over {limit} bytes")
        return message

    return receive_limited


class _OpsStore:
    """The exchange store behind the ops API; the gateway keeps serving calls if it cannot be opened."""

    def __init__(self, url: str) -> None:
        self.store = Store(url)
        self.problem: str | None = "not started"

    async def start(self) -> None:
        try:
            await self.store.start()
            self.problem = None
        except Exception as exc:  # the store is for operators; the proxy must not depend on it
            self.problem = f"exchange store unavailable: {type(exc).__name__}"
            log.error("%s (%s); the ops API answers 503 until restart", self.problem, self.store.url)

    async def stop(self) -> None:
        if self.problem is None:
            await self.store.stop()

    def __call__(self) -> Store:
        if self.problem is not None:
            raise StoreUnavailableError(self.problem)
        return self.store


def create_app(
    settings: Settings,
    *,
    sink: ExchangeSink | None = None,
    upstream: UpstreamClient | None = None,
    tune_gc: bool = False,
) -> GatewayApp:
    """The gateway. Tests pass their own sink (MemorySink) and upstream (an httpx client); the server
    process (`ndxp-sim gateway`) also tunes the garbage collector, which is process-wide."""
    runtime = Runtime.build(settings, sink or build_sink(settings), upstream)
    ops_store = _OpsStore(settings.store.url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.sink.start()
        await ops_store.start()
        if tune_gc:
            tune_gc_for_serving()
        try:
            yield
        finally:
            await runtime.sink.stop()
            await runtime.upstream.close()
            runtime.tokens.close()
            await runtime.quota.close()
            await ops_store.stop()

    api_app = FastAPIOffline(  # /docs and /redoc with their scripts served here, not from a CDN
        title="ndxp-sim gateway",
        description="LGSP/NDXP gateway simulator: tokens, metaservices, diagnostics, operator API.",
        version="0.1.0",
        lifespan=lifespan,
        static_url="/docs/assets",  # under an own prefix: other paths go to the proxy
        swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from an online validator
    )
    api_app.state.runtime = runtime
    api_app.state.token_throttle = TokenThrottle()
    api_app.state.readiness = runtime.readiness
    api_app.include_router(api.router)
    api_app.include_router(callback_relay.router)
    api_app.include_router(ops_router(ops_store, runtime.tokens))
    api_app.mount("/console", console_app(runtime, ops_store, api_app.state.token_throttle))

    def openapi() -> dict[str, Any]:
        if api_app.openapi_schema is None:
            own = get_openapi(
                title=api_app.title,
                version=api_app.version,
                description=api_app.description,
                routes=api_app.routes,
            )
            api_app.openapi_schema = with_services(own, [type(a) for a in runtime.adapters.values()])
        return api_app.openapi_schema

    api_app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it

    @api_app.exception_handler(GatewayError)
    async def _gateway_error(_: Request, exc: GatewayError) -> Response:
        return _error_response(exc)

    @api_app.exception_handler(HTTPException)
    async def _http_exception(_: Request, exc: HTTPException) -> Response:
        return _error_response(_http_error(exc))

    @api_app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> Response:
        return _error_response(InvalidRequestError(describe_validation(exc.errors(), where="request")))

    proxy = Proxy(runtime)
    api_app.state.proxy = proxy  # /_diag/connect makes its canned call through the proxy
    return GatewayApp(api_app, proxy)
