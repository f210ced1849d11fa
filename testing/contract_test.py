"""`ndxp-sim contract-test`: plays the contract's example cases and generated requests against a target."""

from __future__ import annotations

import os
import random
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from hypothesis.configuration import set_hypothesis_home_dir
from lxml import etree
from schemathesis import BaseSchema, GenerationMode, Response

from ndxp_sim.adapters._base import JSON, Adapter, Operation, RestAdapter, SoapAdapter
from ndxp_sim.adapters.registry import load_adapters
from ndxp_sim.adapters.upstream import AiohttpUpstream
from ndxp_sim.contracts import CONTRACTS_DIR
from ndxp_sim.contracts.cases import Case, CaseFileError, check_answer, load_case_file
from ndxp_sim.core.catalogue import services
from ndxp_sim.core.errors import InvalidRequestError
from ndxp_sim.core.settings import ServiceSettings
from ndxp_sim.testing.contract_openapi import (
    TIMEOUT_S,
    ContractFileError,
    Outcome,
    call_example,
    load_openapi,
    operation_id,
    operations,
    run_generated,
)
from ndxp_sim.testing.contract_report import Echo, print_summary, progress_line, write_junit
from ndxp_sim.testing.contract_results import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    CheckResult,
    UsageError,
)
from ndxp_sim.testing.contract_soap import load_xsd, play_soap_case

MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@dataclass(frozen=True)
class Options:
    target: str
    services: Sequence[str] = ()  # empty: every service with a case file
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    token: str | None = None
    junit: Path | None = None
    seed: int | None = None
    max_examples: int = 20
    backend: bool = False
    contracts: Path = CONTRACTS_DIR


@dataclass(frozen=True)
class _Service:
    """A selected service, its contract loaded: OpenAPI (gateway or REST backend) or XSD (SOAP backend)."""

    key: str
    cases: tuple[Case, ...]
    adapter: type[Adapter] | None
    schema: BaseSchema | None = None
    xsd: etree.XMLSchema | None = None


def main(options: Options, echo: Echo | None = None) -> int:
    """Run, print, write JUnit; 0 all passed, 1 something failed, 2 bad usage (one line on stderr)."""
    out = echo or _print
    with tempfile.TemporaryDirectory(prefix="ndxp-contract-test-") as scratch:
        if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
            set_hypothesis_home_dir(scratch)  # Hypothesis's caches, else .hypothesis/ in the caller's folder
        try:
            return _run(options, out)
        except UsageError as exc:
            print(f"contract-test: {exc}", file=sys.stderr, flush=True)
            return 2


def _run(options: Options, echo: Echo) -> int:
    if options.max_examples < 1:
        raise UsageError("--max-examples must be at least 1")
    if not options.target.startswith(("http://", "https://")):
        raise UsageError(f"--target must be an http:// or https:// URL, got {options.target!r}")
    target = options.target.rstrip("/")
    selected = [_load(key, options) for key in _service_keys(options)]
    seed = options.seed if options.seed is not None else random.randrange(2**32)
    headers = {} if options.backend else {"Authorization": f"Bearer {_token(target, options)}"}
    _probe(target, selected[0], headers, options.backend)
    what = "backends" if options.backend else "gateway"
    echo(f"contract-test: {what} at {target}, seed {seed} (pass --seed {seed} to repeat)")
    results: list[CheckResult] = []
    for service in selected:
        base_url = f"{target}/{service.key}" if options.backend else target
        for name, checks in _service_checks(service, base_url, headers, options, seed):
            found = [check() for check in checks]
            echo(progress_line(service.key, name, found))
            results.extend(found)
    print_summary(results, echo)
    if options.junit:
        try:
            write_junit(results, options.junit)
        except OSError as exc:
            raise UsageError(f"cannot write the JUnit report {options.junit}: {exc.strerror}") from None
    return 0 if all(result.passed for result in results) else 1


def _print(line: str) -> None:
    print(line, flush=True)


def _service_keys(options: Options) -> list[str]:
    with_cases = [key for key in services() if (options.contracts / "cases" / f"{key}.yaml").is_file()]
    unknown = [key for key in options.services if key not in with_cases]
    if unknown:
        raise UsageError(
            f"unknown service key {unknown[0]!r}; services with contract cases: {', '.join(with_cases)}"
        )
    keys = list(dict.fromkeys(options.services)) or with_cases
    if not keys:
        raise UsageError(f"no case files under {options.contracts / 'cases'}")
    return keys


def _load(key: str, options: Options) -> _Service:
    """All a service's run needs, read before the first call so that a bad file stops nothing midway."""
    adapter = load_adapters().get(key)
    try:
        cases = load_case_file(options.contracts / "cases" / f"{key}.yaml")
        if not options.backend:
            return _Service(
                key, cases, adapter, schema=load_openapi(options.contracts / f"{key}.openapi.yaml")
            )
        if adapter is None:
            raise UsageError(f"{key}: no adapter says how the gateway reaches its backend")
        if issubclass(adapter, SoapAdapter):
            return _Service(key, cases, adapter, xsd=load_xsd(options.contracts / f"{key}.xsd"))
        schema = load_openapi(options.contracts / "backends" / f"{key}.openapi.yaml")
        return _Service(key, cases, adapter, schema=schema)
    except (CaseFileError, ContractFileError) as exc:
        raise UsageError(str(exc)) from None


def _token(target: str, options: Options) -> str:
    if options.token:
        return options.token
    url = f"{target}/token"
    response = _send(
        "POST",
        url,
        data={"grant_type": "client_credentials"},
        auth=(options.client_id, options.client_secret),
    )
    if response.status_code != 200:
        raise UsageError(
            f"{url} refused the client credentials of {options.client_id} (HTTP {response.status_code})"
        )
    try:
        return str(response.json()["access_token"])
    except (ValueError, KeyError, TypeError):
        raise UsageError(f"{url} answered without an access_token") from None


def _probe(target: str, service: _Service, headers: dict[str, str], backend: bool) -> None:
    """One request before the run, to stop early at an unreachable target or one answering HTML."""
    if backend:
        _send("GET", f"{target}/{service.key}/")  # any answer but HTML will do
        return
    case = next(case for case in service.cases if case.diagnostic)
    _send(
        case.method,
        target + case.path,
        params=dict(case.query),
        json=case.body,
        headers={**headers, **case.headers},
    )


def _send(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request; an unreachable target or one answering HTML is a usage error, not a test failure."""
    try:
        response = httpx.request(method, url, timeout=TIMEOUT_S, **kwargs)
    except httpx.HTTPError as exc:
        raise UsageError(f"cannot reach {url}: {exc or type(exc).__name__}") from None
    if "html" in response.headers.get("content-type", ""):
        raise UsageError(f"{url} answered HTML (HTTP {response.status_code}), not the API: check --target")
    return response


Check = Callable[[], CheckResult]


def _service_checks(
    service: _Service, base_url: str, headers: dict[str, str], options: Options, seed: int
) -> list[tuple[str, list[Check]]]:
    """(operation name, its checks in order: example cases, then generated positive and negative batches)."""
    if service.xsd is not None:
        return _soap_checks(service, base_url)
    assert service.schema is not None
    planned: list[tuple[str, list[Check]]] = []
    cases = list(service.cases)
    for operation in operations(service.schema):
        name = _operation_name(service, operation.method, operation.path) or operation_id(operation)
        mine = [case for case in cases if case.operation == name]
        cases = [case for case in cases if case not in mine]
        checks: list[Check] = [
            _example_check(service, case, operation, base_url, headers, options.backend)
            for case in mine
            if not options.backend or _plays_at_backend(case)
        ]
        for mode in MODES:
            checks.append(
                _generated_check(service.key, name, operation, mode, base_url, headers, options, seed)
            )
        planned.append((name, checks))
    for case in cases:  # a case naming an operation the contract does not have
        reason = f"operation {case.operation} is not in the contract"
        planned.append((case.operation, [_failed(service.key, case, reason)]))
    return planned


def _soap_checks(service: _Service, base_url: str) -> list[tuple[str, list[Check]]]:
    assert (
        service.xsd is not None and service.adapter is not None and issubclass(service.adapter, SoapAdapter)
    )
    # The adapter sends nothing here: its namespace, paths and shaping of answers are what is used.
    adapter, xsd = service.adapter(base_url, ServiceSettings(), AiohttpUpstream()), service.xsd
    planned = []
    for op in adapter.operations:
        checks: list[Check] = []
        for case in service.cases:
            if case.operation == op.name and _plays_at_backend(case):

                def check(case: Case = case, op: Operation = op) -> CheckResult:
                    try:
                        params = backend_params(op, case)
                    except InvalidRequestError as exc:
                        return _invalid_case(service.key, case, exc)
                    outcome = play_soap_case(backend_view(case), params, adapter, base_url=base_url, xsd=xsd)
                    return _result(service.key, case.operation, "example", case.name, outcome)

                checks.append(check)
        planned.append((op.name, checks))
    return planned


def _example_check(
    service: _Service, case: Case, operation: Any, base_url: str, headers: dict[str, str], backend: bool
) -> Check:
    def check() -> CheckResult:
        expected = backend_view(case) if backend else case
        if backend:
            op = _adapter_operation(service, case)
            assert op is not None  # the case was matched to this operation through the adapter
            try:
                path_params, query, body = _backend_request(op, case)
            except InvalidRequestError as exc:
                return _invalid_case(service.key, case, exc)
            method = op.backend_method
            encoded = None if body is None else _encoded_body(service, op, body)
        else:
            path_params, query, body, method = {}, dict(case.query), case.body, case.method
            encoded = None

        def judge(response: Response) -> list[str]:
            try:
                answer = response.json()
            except ValueError:
                answer = None
            error_type = None
            if not backend:  # the gateway names it in a header and in the error body
                named = response.headers.get("x-ndxp-error")
                error_type = named[0] if named else answer.get("type") if isinstance(answer, dict) else None
            status = response.status_code
            if backend and status == 201 and expected.status == 200:
                status = 200  # a backend's 201 Created is the gateway's 200 (the adapter answers 200)
            return check_answer(expected, status, answer, error_type)

        outcome = call_example(
            operation,
            method=method,
            base_url=base_url,
            headers=headers,
            path_parameters=path_params,
            query=query,
            body=body,
            extra_headers=case.headers,
            judge=judge,
            encoded=encoded,
        )
        return _result(service.key, case.operation, "example", case.name, outcome)

    return check


def _encoded_body(service: _Service, op: Operation, params: dict[str, Any]) -> tuple[bytes, str] | None:
    """The body as the adapter sends it when that is not JSON (EVN's multipart papers), else None."""
    adapter = service.adapter
    if (
        adapter is None
        or not issubclass(adapter, RestAdapter)
        or adapter.encode_body is RestAdapter.encode_body
    ):
        return None
    # The adapter sends nothing here: only its encoding of the body is used.
    data, content_type = adapter("http://unused", ServiceSettings(), AiohttpUpstream()).encode_body(
        op, params
    )
    return None if content_type == JSON else (data, content_type)


def _generated_check(
    key: str,
    name: str,
    operation: Any,
    mode: GenerationMode,
    base_url: str,
    headers: dict[str, str],
    options: Options,
    seed: int,
) -> Check:
    def check() -> CheckResult:
        outcome = run_generated(
            operation, mode, base_url=base_url, headers=headers, seed=seed, max_examples=options.max_examples
        )
        return _result(key, name, mode.value, mode.value, outcome)

    return check


def _failed(key: str, case: Case, reason: str) -> Check:
    return lambda: CheckResult(key, case.operation, "example", case.name, 0, (reason,))


def _invalid_case(key: str, case: Case, exc: InvalidRequestError) -> CheckResult:
    reason = f"the case's request is not valid for {case.operation}: {str(exc).splitlines()[0]}"
    return CheckResult(key, case.operation, "example", case.name, 0, (reason,))


def _result(key: str, operation: str, kind: str, name: str, outcome: Outcome) -> CheckResult:
    return CheckResult(
        key, operation, kind, name, outcome.cases_run, tuple(outcome.reasons), outcome.curl, outcome.seconds
    )


# --- backends: the gateway's cases in the backend's terms, translated the way the adapter does -----------


def backend_view(case: Case) -> Case:
    """The case as a backend answers it: no gateway error type, and no fields of the gateway's error body."""
    return replace(case, error_type=None, fields=case.fields if case.status < 400 else {})


def _plays_at_backend(case: Case) -> bool:
    # Only answers that come from the backend itself: found (2xx) or not found. The gateway's own
    # validation (422) and its mapping of faults and timeouts (5xx) have no backend equivalent.
    return case.status < 300 or case.status == 404


def _adapter_operation(service: _Service, case: Case) -> Operation | None:
    if service.adapter is None:
        return None
    return next((op for op in service.adapter.operations if op.name == case.operation), None)


def _operation_name(service: _Service, method: str, path: str) -> str | None:
    """The gateway-facing name of a contract operation: its own at the gateway, the adapter's at a backend."""
    if service.adapter is None:
        return None
    for op in service.adapter.operations:
        info = services()[service.key]
        gateway_path = f"/{info.context}/{info.version}/{op.name}"
        if (method.upper(), path) in ((op.method, gateway_path), (op.backend_method, op.backend_path)):
            return op.name
    return None


def backend_params(op: Operation, case: Case) -> dict[str, Any]:
    """The fields the gateway sends on: the case's request validated by the operation, defaults filled in.

    Raises InvalidRequestError when the case's request is not valid for the operation.
    """
    return op.validate(dict(case.query if case.body is None else case.body))


def _backend_request(op: Operation, case: Case) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """(path parameters, query, body) of the backend call, split as the REST adapter splits it."""
    params = backend_params(op, case)
    path_params = {name: params.pop(name) for name in op.path_fields if name in params}
    if op.backend_method == "GET":
        return path_params, params, None
    return path_params, {}, params
