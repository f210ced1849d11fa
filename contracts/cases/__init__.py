"""Example cases as data: named requests per service and the answers they must get (contracts/cases/)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

from ndxp_sim.contracts import CONTRACTS_DIR
from ndxp_sim.core.catalogue import services

CASES_DIR = Path(__file__).resolve().parent
_KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_INDEX = re.compile(r"^[0-9]+$")


class CaseFileError(ValueError):
    """A case file that cannot be used; str() is one line: `<file>: <what is wrong>`."""

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = " ".join(problem.split())  # one line, whatever YAML or pydantic put in the text
        super().__init__(f"{_shown(path)}: {self.problem}")


@dataclass(frozen=True)
class Case:
    """One named request to a service operation and the answer the gateway must give."""

    service: str
    name: str
    operation: str
    diagnostic: bool
    description: str
    query: Mapping[str, Any]
    body: Mapping[str, Any] | None
    headers: Mapping[str, str]
    status: int
    error_type: str | None
    fields: Mapping[str, Any]

    @property
    def id(self) -> str:
        return f"{self.service}/{self.name}"

    @property
    def method(self) -> str:
        """GET with `query` when the case has no body, otherwise POST with the JSON body."""
        return "GET" if self.body is None else "POST"

    @property
    def path(self) -> str:
        """The gateway-facing path, `/{context}/{version}/{operation}`, from the service catalogue."""
        info = services()[self.service]
        return f"/{info.context}/{info.version}/{self.operation}"


# The file's schema. Strict scalars: YAML turns `yes`, `200` or an unquoted date into other types silently.
class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: dict[StrictStr, Any] = Field(default_factory=dict)
    body: dict[StrictStr, Any] | None = None
    headers: dict[StrictStr, StrictStr] = Field(default_factory=dict)


class _Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Annotated[StrictInt, Field(ge=100, le=599)]
    error_type: StrictStr | None = None
    fields: dict[StrictStr, Any] = Field(default_factory=dict)


class _Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[StrictStr, Field(pattern=_KEBAB)]
    operation: Annotated[StrictStr, Field(min_length=1)]
    diagnostic: StrictBool = False
    description: StrictStr = ""
    request: _Request = Field(default_factory=_Request)
    expect: _Expect


class _CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service: StrictStr
    cases: Annotated[list[_Case], Field(min_length=1)]


def _shown(path: Path) -> str:
    """The file as the repository names it (contracts/cases/x.yaml), or as given when it lives elsewhere."""
    try:
        return path.resolve().relative_to(CONTRACTS_DIR.parent).as_posix()
    except ValueError:
        return str(path)


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "file"


def _non_json(value: Any, where: str) -> str | None:
    """Where a value YAML produced is not plain JSON (dates, sets, non-string keys), or None."""
    if value is None or isinstance(value, str | bool | int | float):
        return None
    if isinstance(value, list):
        return next((p for i, v in enumerate(value) if (p := _non_json(v, f"{where}[{i}]"))), None)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where}: key {key!r} must be a string (quote it)"
            if problem := _non_json(item, f"{where}.{key}"):
                return problem
        return None
    return f"{where}: {type(value).__name__} value {value!r} is not JSON (quote it)"


def load_case_file(path: Path) -> tuple[Case, ...]:
    """Read and validate one case file; any problem raises CaseFileError naming the file and the spot."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CaseFileError(path, "no such case file") from None
    except UnicodeDecodeError:
        raise CaseFileError(path, "not UTF-8 text") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or type(error).__name__
        raise CaseFileError(path, f"not valid YAML{at}: {problem}") from None
    if not isinstance(raw, dict):
        raise CaseFileError(path, "the top level must be a mapping with `service` and `cases`")
    if (problem := _non_json(raw, "file")) is not None:
        raise CaseFileError(path, problem.removeprefix("file."))
    try:
        parsed = _CaseFile.model_validate(raw)
    except ValidationError as error:
        # A misspelt key also makes the real one "required": name the misspelling, it is the cause.
        errors = sorted(error.errors(), key=lambda e: e["type"] != "extra_forbidden")
        first = errors[0]
        message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise CaseFileError(path, f"{_where(first['loc'])}: {message}") from None
    return _checked(path, parsed)


def _checked(path: Path, parsed: _CaseFile) -> tuple[Case, ...]:
    service = parsed.service
    if service != path.stem:
        raise CaseFileError(path, f"service: {service!r} does not match the file name {path.stem!r}")
    if service not in services():
        raise CaseFileError(path, f"service: {service!r} is not in the service catalogue")
    seen: set[str] = set()
    for index, case in enumerate(parsed.cases):
        where = f"cases[{index}]"
        if case.name in seen:
            raise CaseFileError(path, f"{where}.name: {case.name!r} is used twice")
        seen.add(case.name)
        failing = case.expect.status >= 400
        if failing and case.expect.error_type is None:
            raise CaseFileError(path, f"{where}.expect.error_type: required for status {case.expect.status}")
        if not failing and case.expect.error_type is not None:
            raise CaseFileError(path, f"{where}.expect.error_type: only for error statuses (>= 400)")
        if case.request.body is not None and case.request.query:
            raise CaseFileError(path, f"{where}.request: give query (GET) or body (POST), not both")
    diagnostic = [case.name for case in parsed.cases if case.diagnostic]
    if len(diagnostic) != 1:
        raise CaseFileError(path, f"exactly one case must be diagnostic: true, found {len(diagnostic)}")
    return tuple(
        Case(
            service=service,
            name=case.name,
            operation=case.operation,
            diagnostic=case.diagnostic,
            description=case.description,
            query=case.request.query,
            body=case.request.body,
            headers=case.request.headers,
            status=case.expect.status,
            error_type=case.expect.error_type,
            fields=case.expect.fields,
        )
        for case in parsed.cases
    )


def case_services() -> list[str]:
    """Service keys that have a case file, in catalogue order."""
    present = {path.stem for path in CASES_DIR.glob("*.yaml")}
    return [key for key in services() if key in present]


@cache
def load_cases(service: str) -> tuple[Case, ...]:
    """The validated cases of one service (cached: the files ship with the package and do not change)."""
    return load_case_file(CASES_DIR / f"{service}.yaml")


def check_operations(service: str, operations: Collection[str]) -> None:
    """Refuse a case naming an operation the service does not have (the adapters know; this layer not)."""
    for index, case in enumerate(load_cases(service)):
        if case.operation not in operations:
            known = ", ".join(sorted(operations))
            problem = f"cases[{index}].operation: {case.operation!r} is not one of {known}"
            raise CaseFileError(CASES_DIR / f"{service}.yaml", problem)


def diagnostic_case(service: str) -> Case:
    """The one case /_diag/connect plays, and the example the service's OpenAPI shows."""
    return next(case for case in load_cases(service) if case.diagnostic)


_MISSING = object()


def _lookup(body: Any, path: str) -> Any:
    value = body
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and _INDEX.match(part) and int(part) < len(value):
            value = value[int(part)]
        else:
            return _MISSING
    return value


def check_answer(case: Case, status: int, body: Any, error_type: str | None) -> list[str]:
    """How an answer differs from what the case expects, one line each; [] when it matches."""
    problems = []
    if status != case.status:
        problems.append(f"status: expected {case.status}, got {status}")
    if error_type != case.error_type:
        problems.append(f"error type: expected {case.error_type!r}, got {error_type!r}")
    for path, expected in case.fields.items():
        got = _lookup(body, path)
        if got is _MISSING:
            problems.append(f"field {path}: expected {expected!r}, missing")
        elif got != expected or isinstance(got, bool) != isinstance(expected, bool):  # True == 1 in Python
            problems.append(f"field {path}: expected {expected!r}, got {got!r}")
    return problems
