"""A service's connectivity self-test: its diagnostic case (contracts/cases/) played against the backend."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import orjson

from ndxp_sim.adapters._base import Adapter, Call, Operation
from ndxp_sim.contracts.cases import Case, case_services, check_answer, diagnostic_case
from ndxp_sim.core.errors import BackendError, GatewayError, UnknownServiceError
from ndxp_sim.gateway.runtime import Runtime


@dataclass(frozen=True, slots=True)
class DiagnosticCall:
    """What the self-test of a service sends: its diagnostic case, as a call of one operation."""

    service: str
    adapter: Adapter
    operation: Operation
    case: Case

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.case.body or self.case.query)

    @property
    def headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.case.headers.items()}


@dataclass(frozen=True, slots=True)
class SelfTest:
    answer: dict[str, Any]  # what /_diag/connect and the console show; never the backend's address
    error: GatewayError | None = None
    backend_status: int | None = None


def diagnostic_call(rt: Runtime, service: str) -> DiagnosticCall | dict[str, Any]:
    """The call to make, or the answer saying why there is none; UnknownServiceError for no such service."""
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
    return DiagnosticCall(service, adapter, op, case)


async def play(call: DiagnosticCall, request_id: str) -> SelfTest:
    """Green when the backend answers (even with a client-side error), red when it fails; and why."""
    op, case = call.operation, call.case
    started = time.perf_counter()
    error: GatewayError | None = None
    backend_status: int | None = None
    try:
        params = op.validate(call.params)
        reply = await call.adapter.call(Call(op, params, {"x-request-id": request_id, **call.headers}))
        answer: tuple[int, Any, str | None] = (reply.status, orjson.loads(reply.body), None)
        status, reason, backend_status = "green", "the backend answered", reply.backend_status
    except BackendError as failure:
        answer, error = (failure.status_code, None, failure.type), failure
        status, reason = "red", failure.message
    except GatewayError as failure:  # the backend answered, with a client-side error: it is reachable
        answer, error = (failure.status_code, {"message": failure.message}, failure.type), failure
        status, reason = "green", f"the backend answered ({failure.type})"
    result = {
        "service": call.service,
        "operation": op.name,
        "case": case.name,
        "status": status,
        "reason": reason,
        "mismatches": check_answer(case, *answer) if status == "green" else None,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
    }
    return SelfTest(result, error, error.backend_status if error is not None else backend_status)


async def connectivity(rt: Runtime, service: str) -> dict[str, Any]:
    """The operator console's self-test: the backend's cached readiness check (gateway/readiness.py),
    green or red, and why. It makes no service call, so there is nothing to record; the canned call with
    its exchange record is /_diag/connect. The console asks for every service on every page view, so
    the checks are shared and cached rather than made per view."""
    if service not in rt.adapters:
        raise UnknownServiceError(f"no implemented service {service!r}")
    check = (await rt.readiness.checks())[f"backend:{service}"]
    status = "green" if check["ok"] else "red"
    return {"service": service, "status": status, "reason": f"GET /health: {check['reason']}"}
