"""Calls checked against an OpenAPI contract with Schemathesis: fixed example requests and generated ones."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.errors import SchemathesisError
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Err
from schemathesis.openapi.checks import JsonSchemaError
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

TIMEOUT_S = 30.0
ANSWER_SHOWN = 200  # characters of an error message in the report

Op = schemathesis.APIOperation[Any, Any, Any, Any]
GeneratedCase = schemathesis.Case[Any]

# Every answer must be documented and match its schema; a valid request must never get a 5xx,
# and an invalid one must get a 4xx (the documented error body then follows from the schema checks).
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]
POSITIVE = [not_a_server_error, *CONFORMANCE]
NEGATIVE = [not_a_server_error, negative_data_rejection, *CONFORMANCE]

_CONFIG = {
    "checks": {"negative_data_rejection": {"expected-statuses": ["4xx"]}},
    # Strings are any UTF-8 text (Vietnamese included); NUL is left out because no JSON API is expected
    # to carry it and it only makes copy-paste reproductions unreadable.
    "generation": {"codec": "utf-8", "allow-x00": False},
}


class ContractFileError(ValueError):
    """A contract file that is missing or does not parse; str() names the file."""


@dataclass
class Outcome:
    """What a batch of calls found: how many ran; for the smallest failing call, why and how to repeat it."""

    cases_run: int = 0
    reasons: list[str] = field(default_factory=list)
    curl: str | None = None
    seconds: float = 0.0


class _ViolationError(AssertionError):
    """Raised inside the Hypothesis test so that it shrinks the failing request (FailureGroup is not one)."""


def load_openapi(path: Path) -> schemathesis.BaseSchema:
    """The contract as a Schemathesis schema, every operation resolved, or ContractFileError."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ContractFileError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or _first_line(exc)
        raise ContractFileError(f"{path}: not valid YAML{at}: {problem}") from None
    if not isinstance(document, dict):
        raise ContractFileError(f"{path}: not an OpenAPI document (no mapping at the top)")
    try:
        schema = schemathesis.openapi.from_dict(document, config=SchemathesisConfig.from_dict(_CONFIG))
        for result in schema.get_all_operations():
            if isinstance(result, Err):
                raise ContractFileError(f"{path}: {_first_line(result.err())}")
    except SchemathesisError as exc:
        raise ContractFileError(f"{path}: {_first_line(exc)}") from None
    return schema


def operations(schema: schemathesis.BaseSchema) -> list[Op]:
    return [result.ok() for result in schema.get_all_operations() if not isinstance(result, Err)]


def find_operation(schema: schemathesis.BaseSchema, method: str, path: str) -> Op | None:
    for operation in operations(schema):
        if operation.method.upper() == method.upper() and operation.path == path:
            return operation
    return None


def operation_id(operation: Op) -> str:
    raw = operation.definition.raw
    return str(raw.get("operationId") or operation.label) if isinstance(raw, Mapping) else operation.label


def call_example(
    operation: Op,
    *,
    method: str,
    base_url: str,
    headers: Mapping[str, str],
    path_parameters: Mapping[str, Any] | None,
    query: Mapping[str, Any] | None,
    body: Any,
    extra_headers: Mapping[str, str],
    judge: Callable[[schemathesis.Response], list[str]],
    encoded: tuple[bytes, str] | None = None,
) -> Outcome:
    """One fixed request: the contract's checks plus `judge` (the case's expected status and fields).

    `encoded` is a body already encoded as the adapter sends it when that is not JSON (bytes and content
    type, e.g. multipart): it is sent as it is, in place of `body`.

    A request with another method than the operation's (a case about 405) is judged by `judge` alone:
    the contract documents no answers for a method it does not offer.
    """
    started = time.monotonic()
    kwargs: dict[str, Any] = {
        "method": method,
        "path_parameters": dict(path_parameters or {}) or None,
        "query": dict(query or {}) or None,
        "headers": dict(extra_headers) or None,
    }
    sent_headers, raw = dict(headers), dict[str, Any]()
    if encoded is not None:
        kwargs["media_type"] = encoded[1].split(";")[0].strip()
        sent_headers["Content-Type"] = encoded[1]
        raw = {"data": encoded[0]}
    elif body is not None:
        kwargs.update(body=body, media_type="application/json")
    outcome = Outcome(cases_run=1)
    try:
        case = operation.Case(**kwargs)
        response = case.call(base_url=base_url, headers=sent_headers, timeout=TIMEOUT_S, **raw)
    except SchemathesisError as exc:
        outcome.reasons.append(f"the request cannot be sent as the contract describes it: {_first_line(exc)}")
        outcome.seconds = time.monotonic() - started
        return outcome
    except requests.RequestException as exc:
        outcome.reasons.append(f"no answer: {_first_line(exc)}")
    else:
        outcome.reasons.extend(judge(response))
        try:
            if method.upper() == operation.method.upper():
                case.validate_response(response, checks=CONFORMANCE, headers=dict(headers))
        except FailureGroup as group:
            outcome.reasons.extend(describe(failure) for failure in group.exceptions)
        if outcome.reasons:
            outcome.reasons.append(answered(response))
    if outcome.reasons:
        outcome.curl = curl_line(case, base_url, headers)
    outcome.seconds = time.monotonic() - started
    return outcome


def run_generated(
    operation: Op,
    mode: GenerationMode,
    *,
    base_url: str,
    headers: Mapping[str, str],
    seed: int,
    max_examples: int,
) -> Outcome:
    """Up to `max_examples` generated requests; on failure Hypothesis shrinks to the smallest failing one."""
    started = time.monotonic()
    checks = POSITIVE if mode is GenerationMode.POSITIVE else NEGATIVE
    outcome = Outcome()
    last_failure: list[tuple[GeneratedCase, list[str]]] = []

    @hypothesis.seed(seed)
    @settings(
        max_examples=max_examples,
        database=None,  # nothing written to the caller's folder; --seed is the way to repeat a run
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        verbosity=Verbosity.quiet,
        report_multiple_bugs=False,
        print_blob=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def property_holds(case: GeneratedCase) -> None:
        outcome.cases_run += 1
        try:
            response = case.call(base_url=base_url, headers=dict(headers), timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            last_failure[:] = [(case, [f"no answer: {_first_line(exc)}"])]
            raise _ViolationError from None
        try:
            case.validate_response(response, checks=checks, headers=dict(headers))
        except FailureGroup as group:
            last_failure[:] = [(case, [*(describe(f) for f in group.exceptions), answered(response)])]
            raise _ViolationError from None

    try:
        property_holds()
    except _ViolationError:
        case, reasons = last_failure[0]  # Hypothesis replays the shrunk request last
        outcome.reasons = reasons
        outcome.curl = curl_line(case, base_url, headers)
    except hypothesis.errors.FlakyFailure:
        case, reasons = last_failure[0]  # a failure that did not happen again when Hypothesis replayed it
        outcome.reasons = [*reasons, "(intermittent: the same request did not fail again)"]
        outcome.curl = curl_line(case, base_url, headers)
    except hypothesis.errors.Unsatisfiable as exc:
        if mode is not GenerationMode.NEGATIVE or takes_input(operation):
            outcome.reasons = [f"could not generate {mode.value} requests: {_first_line(exc)}"]
        # else: an operation that takes no input (a discovery document) has no invalid request to send
    except (hypothesis.errors.HypothesisException, SchemathesisError) as exc:
        outcome.reasons = [f"could not generate {mode.value} requests: {_first_line(exc)}"]
    outcome.seconds = time.monotonic() - started
    return outcome


def takes_input(operation: Op) -> bool:
    """Whether the operation has any parameter or body a request could get wrong."""
    parts = (operation.path_parameters, operation.query, operation.headers, operation.cookies, operation.body)
    return any(len(part) for part in parts)


def describe(failure: Failure) -> str:
    """One line: the failing field and why for a schema violation, else the check's title and finding."""
    if isinstance(failure, JsonSchemaError):
        where = ".".join(str(part) for part in failure.instance_path) or "(the whole body)"
        return f"field {where}: {failure.validation_message or _first_line(failure.message)}"
    detail = " ".join(line.strip() for line in failure.message.splitlines() if line.strip())
    return f"{failure.title}: {detail}" if detail else failure.title


def answered(response: schemathesis.Response) -> str:
    """The answer in one line: status, and the error type and message of an error body.

    Other bodies are summarised, not shown: answers can carry personal data and reports get archived.
    """
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("type"), str):
        message = str(body.get("message", ""))[:ANSWER_SHOWN]
        return f"answer: HTTP {response.status_code} {body['type']}: {message}"
    kind = (response.headers.get("content-type") or ["no content type"])[0]
    return f"answer: HTTP {response.status_code}, {kind}, {len(response.content)} bytes"


def curl_line(case: GeneratedCase, base_url: str, headers: Mapping[str, str]) -> str:
    """The request as curl, the token left as $TOKEN so the line can be pasted after fetching one."""
    command = case.as_curl_command(headers=dict(headers), base_url=base_url)
    command = command.split("\n\n", 1)[0]  # Schemathesis appends warnings after a blank line
    return command.replace("'Authorization: [Filtered]'", '"Authorization: Bearer $TOKEN"')


def _first_line(exc: BaseException | str) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
