"""The gateway's own endpoints: /token, metaservices, diagnostics, health and metrics."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ndxp_sim.adapters._base import SoapAdapter
from ndxp_sim.core.catalogue import PATTERN_NAMES
from ndxp_sim.core.errors import (
    ClientError,
    UnauthorizedError,
    UnknownServiceError,
)
from ndxp_sim.gateway import readiness
from ndxp_sim.gateway.auth import LGSP_TOKEN_HEADER, Caller, parse_basic, parse_lgsp_token
from ndxp_sim.gateway.openapi import service_openapi
from ndxp_sim.gateway.proxy import Proxy
from ndxp_sim.gateway.runtime import Runtime
from ndxp_sim.gateway.soap_front import SOAP_PATH
from ndxp_sim.gateway.token_throttle import TokenThrottle

router = APIRouter()


def runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(runtime)]


async def caller(request: Request, rt: RuntimeDep) -> Caller:
    return await rt.tokens.identify(request.headers)


CallerDep = Annotated[Caller, Depends(caller)]


@router.post(
    "/token",
    tags=["auth"],
    summary="OAuth2 client credentials (Basic header, form fields, or an LGSP lgspaccesstoken header)",
)
async def token(request: Request, rt: RuntimeDep) -> JSONResponse:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    if form.get("grant_type") != "client_credentials":
        raise ClientError("grant_type: only client_credentials is supported")
    credentials = parse_basic(request.headers.get("authorization")) or (
        form.get("client_id", ""),
        form.get("client_secret", ""),
    )
    lgsp_token = request.headers.get(LGSP_TOKEN_HEADER)
    if not all(credentials) and lgsp_token is None:
        raise UnauthorizedError(
            "client credentials are required (Basic header, client_id/client_secret, or lgspaccesstoken)"
        )
    throttle: TokenThrottle = request.app.state.token_throttle
    address = request.client.host if request.client else "-"
    if all(credentials):
        throttle.admit(credentials[0], address)
        try:
            consumer = await rt.tokens.authenticate(*credentials)  # PBKDF2: slow on purpose
        except UnauthorizedError:
            throttle.failed(credentials[0])
            raise
    else:  # the token service throttles wrong lgspaccesstokens itself: they are sent on calls too
        throttle.admit(parse_lgsp_token(lgsp_token or "").access_key, address)
        consumer = await rt.tokens.authenticate_lgsp(lgsp_token or "")
    return JSONResponse(rt.tokens.issue(consumer), headers={"cache-control": "no-store"})


def _service_entry(rt: Runtime, key: str) -> dict[str, Any]:
    info = rt.services[key]
    adapter = rt.adapters.get(key)
    prefix = f"/{info.context}/{info.version}"
    soap_path = f"{prefix}/{SOAP_PATH}"
    soap = {"path": soap_path, "wsdl": f"{soap_path}?wsdl"} if isinstance(adapter, SoapAdapter) else None
    return {
        **info.model_dump(),
        "pattern_name": PATTERN_NAMES[info.pattern],
        "implemented": adapter is not None,
        "operations": [
            {"name": op.name, "method": op.method, "path": f"{prefix}/{op.name}", "summary": op.summary}
            for op in (adapter.operations if adapter else ())
        ],
        "soap_front": soap,  # the SOAP face of a SOAP service (gateway/soap_front.py)
    }


@router.get("/_meta/services", tags=["meta"], summary="All 24 NDXP services and what is implemented")
async def list_services(rt: RuntimeDep) -> dict[str, Any]:
    return {"services": [_service_entry(rt, key) for key in rt.services]}


@router.get("/_meta/allowed", tags=["meta"], summary="What the calling consumer may call")
async def allowed(rt: RuntimeDep, who: CallerDep) -> dict[str, Any]:
    consumer = who.consumer
    result = []
    for key, adapter in rt.adapters.items():
        ops = [op.name for op in adapter.operations if consumer.may_call(key, op.name)]
        if ops:
            result.append({"service": key, "operations": ops})
    return {"consumer": consumer.id, "tier": consumer.tier, "services": result}


@router.get("/_meta/openapi/{service}", tags=["meta"], summary="OpenAPI document of one service")
async def openapi(service: str, rt: RuntimeDep) -> dict[str, Any]:
    adapter = rt.adapters.get(service)
    if adapter is None:
        raise UnknownServiceError(f"no implemented service {service!r}")
    return service_openapi(type(adapter))


@router.get(
    "/_diag/connect/{service}",
    tags=["meta"],
    summary="Run the service's canned call against its backend: green or red, and why",
    description="A call of that operation: the same ACL, quota and exchange record as a service call.",
)
async def connect(service: str, request: Request) -> Response:
    proxy: Proxy = request.app.state.proxy
    status, body, headers = await proxy.diagnose(service, request.url.path, dict(request.headers))
    return Response(body, status, {name.decode(): value.decode() for name, value in headers})


@router.get("/health", tags=["health"], summary="Liveness")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/health/ready",
    tags=["health"],
    summary="Readiness: backends and the exchange-log pipeline",
    description=f"Backends: {readiness.CHECKED}, checked at most once per {readiness.CACHE_S:g} s.",
)
async def ready(request: Request, rt: RuntimeDep) -> JSONResponse:
    backends: readiness.BackendReadiness = request.app.state.readiness
    checks = await backends.checks()
    sink_ok, sink_reason = rt.sink.ready()
    checks["exchange_log"] = {"ok": sink_ok, "reason": sink_reason, **rt.sink.stats()}
    all_ok = all(check["ok"] for check in checks.values())
    return JSONResponse(
        {"status": "ready" if all_ok else "degraded", "checks": checks}, 200 if all_ok else 503
    )


@router.get("/metrics", tags=["health"], summary="Prometheus metrics")
async def metrics(rt: RuntimeDep) -> Response:
    return Response(generate_latest(rt.metrics.registry), media_type=CONTENT_TYPE_LATEST)
