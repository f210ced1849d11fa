"""The gateway's own endpoints: /token, metaservices, diagnostics, health and metrics."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated, Any
from urllib.parse import parse_qs

import orjson
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ndxp_sim.adapters._base import Call
from ndxp_sim.adapters.upstream import UpstreamClient
from ndxp_sim.contracts.cases import case_services, check_answer, diagnostic_case
from ndxp_sim.core.catalogue import PATTERN_NAMES
from ndxp_sim.core.errors import (
    BackendError,
    ClientError,
    GatewayError,
    UnauthorizedError,
    UnknownServiceError,
)
from ndxp_sim.gateway.auth import Caller, parse_basic
from ndxp_sim.gateway.openapi import service_openapi
from ndxp_sim.gateway.runtime import Runtime

router = APIRouter()


def runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(runtime)]


def caller(request: Request, rt: RuntimeDep) -> Caller:
    return rt.tokens.verify(request.headers.get("authorization"))


CallerDep = Annotated[Caller, Depends(caller)]


@router.post("/token", tags=["auth"], summary="OAuth2 client credentials (Basic header or form fields)")
async def token(request: Request, rt: RuntimeDep) -> JSONResponse:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    if form.get("grant_type") != "client_credentials":
        raise ClientError("grant_type: only client_credentials is supported")
    credentials = parse_basic(request.headers.get("authorization")) or (
        form.get("client_id", ""),
        form.get("client_secret", ""),
    )
    if not all(credentials):
        raise UnauthorizedError("client credentials are required (Basic header or client_id/client_secret)")
    consumer = await asyncio.to_thread(rt.tokens.authenticate, *credentials)  # PBKDF2 is slow on purpose
    return JSONResponse(rt.tokens.issue(consumer), headers={"cache-control": "no-store"})


def _service_entry(rt: Runtime, key: str) -> dict[str, Any]:
    info = rt.services[key]
    adapter = rt.adapters.get(key)
    prefix = f"/{info.context}/{info.version}"
    return {
        **info.model_dump(),
        "pattern_name": PATTERN_NAMES[info.pattern],
        "implemented": adapter is not None,
        "operations": [
            {"name": op.name, "method": op.method, "path": f"{prefix}/{op.name}", "summary": op.summary}
            for op in (adapter.operations if adapter else ())
        ],
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


@router.get("/_diag/connect/{service}", tags=["meta"], summary="Play the service's diagnostic case")
async def connect(service: str, rt: RuntimeDep, who: CallerDep) -> dict[str, Any]:
    return await connectivity(rt, service)


async def connectivity(rt: Runtime, service: str) -> dict[str, Any]:
    """The connectivity self-test of one service (also shown by the operator console)."""
    adapter = rt.adapters.get(service)
    if adapter is None:
        raise UnknownServiceError(f"no implemented service {service!r}")
    if service not in case_services():
        return {"service": service, "status": "unknown", "reason": "no example cases (contracts/cases/)"}
    case = diagnostic_case(service)
    op = adapter.by_name.get(case.operation)
    if op is None:  # a province's own adapter may not have the operation the shipped case calls
        reason = f"the diagnostic case calls {case.operation}, which this adapter does not offer"
        return {"service": service, "status": "unknown", "reason": reason}
    headers = {"x-request-id": "diag-" + service, **{k.lower(): v for k, v in case.headers.items()}}
    started = time.perf_counter()
    try:
        reply = await adapter.call(Call(op, op.validate(dict(case.body or case.query)), headers))
        answer: tuple[int, Any, str | None] = (reply.status, orjson.loads(reply.body), None)
        status, reason = "green", "the backend answered"
    except BackendError as error:
        answer = (error.status_code, None, error.type)
        status, reason = "red", error.message
    except GatewayError as error:  # the backend answered, with a client-side error: it is reachable
        answer = (error.status_code, {"message": error.message}, error.type)
        status, reason = "green", f"the backend answered ({error.type})"
    return {
        "service": service,
        "operation": op.name,
        "case": case.name,
        "backend": adapter.base_url,
        "status": status,
        "reason": reason,
        "mismatches": check_answer(case, *answer) if status == "green" else None,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
    }


@router.get("/health", tags=["health"], summary="Liveness")
async def health() -> dict[str, str]:
    return {"status": "ok"}


async def _backend_ready(upstream: UpstreamClient, url: str) -> tuple[bool, str]:
    try:
        response = await upstream.request("GET", url, headers={}, body=None, timeout_s=2.0)
    except GatewayError as error:
        return False, error.message
    return response.status < 500, f"HTTP {response.status}"


@router.get("/health/ready", tags=["health"], summary="Readiness: backends and the exchange-log pipeline")
async def ready(rt: RuntimeDep) -> JSONResponse:
    urls = {key: adapter.base_url for key, adapter in rt.adapters.items()}
    results = await asyncio.gather(*(_backend_ready(rt.upstream, url + "/health") for url in urls.values()))
    checks: dict[str, Any] = {
        f"backend:{key}": {"ok": ok, "reason": reason}
        for key, (ok, reason) in zip(urls, results, strict=True)
    }
    sink_ok, sink_reason = rt.sink.ready()
    checks["exchange_log"] = {"ok": sink_ok, "reason": sink_reason, **rt.sink.stats()}
    all_ok = all(check["ok"] for check in checks.values())
    return JSONResponse(
        {"status": "ready" if all_ok else "degraded", "checks": checks}, 200 if all_ok else 503
    )


@router.get("/metrics", tags=["health"], summary="Prometheus metrics")
async def metrics(rt: RuntimeDep) -> Response:
    return Response(generate_latest(rt.metrics.registry), media_type=CONTENT_TYPE_LATEST)
