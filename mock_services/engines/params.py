"""Declared request parameters: where each is read, how it is checked, and the 422 that names it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from ndxp_sim.core import catalogues
from ndxp_sim.core.identifiers import cccd_is_valid, mst_is_valid, phone_is_valid, s10_is_valid
from ndxp_sim.mock_services import responses

Parser = Callable[[str], Any]  # the parsed value, or ValueError whose text says what is wrong
MAX_TEXT = 200
MAX_BODY_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Param:
    """One request parameter: a `{name}` of the route, else a query parameter (GET) or a JSON field (POST).

    `error` is the error code of its 422; `message` (optional) replaces the parser's reason and may use
    `{value}`. A missing optional parameter takes `default` (not parsed).
    """

    name: str
    parse: Parser = str
    error: str = "validation_error"
    message: str = ""
    required: bool = True
    default: Any = None


class ParamError(Exception):
    """A parameter failed its check; `response()` is the 422 naming it."""

    def __init__(self, name: str, reason: str, *, error: str = "validation_error", location: str = "query"):
        super().__init__(reason)
        self.name, self.reason, self.error, self.location = name, reason, error, location

    def response(self) -> Response:
        detail = [{"loc": [self.location, self.name], "msg": self.reason}]
        return responses.to_response(responses.rest_error(422, self.error, self.reason, detail))


class InvalidBodyError(ParamError):
    """A JSON body failed its model: every problem is named in `detail` and in the message."""

    def __init__(self, problems: Sequence[tuple[str, str]]):
        message = "; ".join(f"{field}: {why}" for field, why in problems)
        super().__init__(problems[0][0], message, location="body")
        self.problems = problems

    def response(self) -> Response:
        detail = [{"loc": ["body", field], "msg": why} for field, why in self.problems]
        return responses.to_response(responses.rest_error(422, self.error, self.reason, detail))


class PayloadTooLargeError(Exception):
    """The request body is larger than the engine accepts."""


def error_response(status: int, code: str, message: str) -> Response:
    return responses.to_response(responses.rest_error(status, code, message))


async def json_body(request: Request, limit: int = MAX_BODY_BYTES) -> Any:
    """The parsed JSON body (None when empty); PayloadTooLargeError past `limit`, ParamError if not JSON."""
    body = await request.body()
    if len(body) > limit:
        raise PayloadTooLargeError(f"thân yêu cầu vượt quá {limit} byte")
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        raise ParamError("body", "thân yêu cầu không phải JSON hợp lệ", location="body") from None


async def read(params: Sequence[Param], request: Request) -> tuple[dict[str, str], dict[str, Any]]:
    """(raw text, parsed value) of every declared parameter; raises ParamError on the first bad one."""
    body: Any = None
    if request.method == "POST" and any(p.name not in request.path_params for p in params):
        body = await json_body(request)
        if not isinstance(body, dict):
            raise ParamError("body", "thân yêu cầu phải là một đối tượng JSON", location="body")
    raw: dict[str, str] = {}
    parsed: dict[str, Any] = {}
    for param in params:
        location, value = _locate(param.name, request, body)
        if value is None:
            if param.required:
                raise ParamError(param.name, f"thiếu {param.name}", error=param.error, location=location)
            parsed[param.name] = param.default
            continue
        raw[param.name] = value
        try:
            parsed[param.name] = param.parse(value)
        except ValueError as exc:
            reason = param.message.format(value=value) if param.message else f"{param.name}: {exc}"
            raise ParamError(param.name, reason, error=param.error, location=location) from None
    return raw, parsed


def _locate(name: str, request: Request, body: dict[str, Any] | None) -> tuple[str, str | None]:
    if name in request.path_params:
        return "path", str(request.path_params[name])
    if body is None:
        return "query", request.query_params.get(name)
    value = body.get(name)
    if isinstance(value, dict | list):
        raise ParamError(name, f"{name} phải là một giá trị đơn", location="body")
    return "body", None if value is None else str(value)


def documented(params: Sequence[Param], route: str, method: str = "GET") -> dict[str, Any]:
    """OpenAPI `parameters` (and a JSON `requestBody` for POST) of declared params, for /_admin/docs."""
    in_path = set(re.findall(r"{(\w+)}", route))
    listed = [p for p in params if p.name in in_path or method != "POST"]
    extra: dict[str, Any] = {
        "parameters": [
            {
                "name": p.name,
                "in": "path" if p.name in in_path else "query",
                "required": p.required or p.name in in_path,
                "schema": {"type": "string"},
            }
            for p in listed
        ]
    }
    fields = [p for p in params if p.name not in in_path and method == "POST"]
    if fields:
        schema = {
            "type": "object",
            "properties": {p.name: {"type": "string"} for p in fields},
            "required": [p.name for p in fields if p.required],
        }
        extra |= model_body(schema)
    return extra


def model_body(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI `requestBody` for a JSON schema."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def flat_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema when self-contained; nested models ($defs) would not resolve in OpenAPI."""
    schema = model.model_json_schema()
    return schema if "$defs" not in schema else {"type": "object", "title": schema.get("title", "")}


def caller(request: Request) -> Mapping[str, str]:
    """Who asked (MaCanBo, MaYeuCau) when the request says so; for the access log."""
    return request.query_params


# Parsers --------------------------------------------------------------------------------------------------


def text(max_length: int = MAX_TEXT) -> Parser:
    def parse(value: str) -> str:
        if not value.strip() or len(value) > max_length:
            raise ValueError(f"phải có từ 1 đến {max_length} ký tự")
        return value

    return parse


def pattern(regex: str, shape: str) -> Parser:
    compiled = re.compile(regex)

    def parse(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"phải có dạng {shape}")
        return value

    return parse


def identifier(check: Callable[[str], bool], what: str, regex: str | None = None) -> Parser:
    """An identifier from core/identifiers.py: shape (optional regex) and check digit or prefix."""
    compiled = re.compile(regex) if regex else None

    def parse(value: str) -> str:
        if (compiled and not compiled.fullmatch(value)) or not check(value):
            raise ValueError(f"không phải {what} hợp lệ")
        return value

    return parse


CCCD = identifier(cccd_is_valid, "số định danh cá nhân (12 chữ số)")
MST = identifier(mst_is_valid, "mã số thuế")
MSDN = identifier(mst_is_valid, "mã số doanh nghiệp", r"[0-9]{10}(-[0-9]{3})?")
S10 = identifier(s10_is_valid, "mã bưu gửi S10")
PHONE = identifier(phone_is_valid, "số điện thoại di động")


def integer(low: int, high: int) -> Parser:
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ValueError("phải là số nguyên") from None
        if not low <= number <= high:
            raise ValueError(f"phải trong khoảng {low}–{high}")
        return number

    return parse


def decimal(low: float, high: float) -> Parser:
    def parse(value: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise ValueError("phải là số thập phân") from None
        if not low <= number <= high:  # also refuses nan and inf
            raise ValueError(f"phải trong khoảng {low}–{high}")
        return number

    return parse


def iso_date(value: str) -> date:
    try:
        if len(value) == len("YYYY-MM-DD"):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError("phải là ngày dạng YYYY-MM-DD")


def one_of(*choices: str) -> Parser:
    def parse(value: str) -> str:
        if value not in choices:
            raise ValueError(f"phải là một trong {', '.join(choices)}")
        return value

    return parse


def province(value: str) -> str:
    """A 2-digit code of one of the 34 provinces."""
    if catalogues.province(value) is None:
        raise ValueError("không có trong danh mục 34 tỉnh")
    return value
