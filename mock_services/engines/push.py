"""Engine P: batches of records upserted by key, each accepted or rejected with the field and reason."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from ndxp_sim.mock_services import responses
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.engines.host import Host, log_access
from ndxp_sim.mock_services.engines.params import (
    MAX_BODY_BYTES,
    ParamError,
    PayloadTooLargeError,
    caller,
    error_response,
    flat_schema,
    json_body,
    model_body,
)

M = TypeVar("M", bound=BaseModel)
Rule = Callable[[Host, Any], Sequence[tuple[str, str]]]  # (field, reason) per broken business rule


def no_rules(_: Host, __: Any) -> Sequence[tuple[str, str]]:
    return ()


def problems(exc: ValidationError) -> list[dict[str, str]]:
    """pydantic's errors as `{"truong": "a.b", "lyDo": ...}`."""
    return [{"truong": ".".join(str(p) for p in err["loc"]), "lyDo": err["msg"]} for err in exc.errors()]


def fingerprint(data: dict[str, Any]) -> str:
    return hashlib.sha256(responses.dumps(dict(sorted(data.items())))).hexdigest()


@dataclass(frozen=True)  # no slots: a subscripted call sets __orig_class__
class Push(Generic[M]):
    """POST `route` `{records_field: [...]}` → one result per record, in order; GET `route/{key}` reads back.

    A record is checked against `model`, then `rules`; accepted ones are stored by `model.<key>`: new →
    `created`, same content again → `unchanged` (nothing changes: pushing a batch twice is harmless),
    different content → `updated` with the next version. A key twice in one batch rejects the second.
    More than `max_batch` records is a 422 naming `records_field`; the batch is then not looked at.
    """

    route: str
    operation: str
    model: type[M]
    key: str
    rules: Rule = no_rules
    records_field: str = "danhSach"
    max_batch: int = 100
    max_body_bytes: int = MAX_BODY_BYTES

    def store_name(self, service: str) -> str:
        return f"{service}{self.route}"

    def push(self, host: Host, service: str, records: list[Any]) -> dict[str, Any]:
        results: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        for position, raw in enumerate(records):
            result: dict[str, Any] = {"viTri": position, "khoa": None}
            try:
                record = self.model.model_validate(raw)
            except ValidationError as exc:
                results.append(result | {"trangThai": "rejected", "loi": problems(exc)})
                continue
            data = record.model_dump(mode="json")
            key = str(data[self.key])
            result["khoa"] = key
            broken = [{"truong": f, "lyDo": reason} for f, reason in self.rules(host, record)]
            if key in seen:
                broken.append({"truong": self.key, "lyDo": f"trùng khóa với bản ghi ở vị trí {seen[key]}"})
            seen.setdefault(key, position)
            if broken:
                results.append(result | {"trangThai": "rejected", "loi": broken})
                continue
            action = self._upsert(host, self.store_name(service), key, data)
            results.append(result | {"trangThai": "accepted", "thaoTac": action})
        accepted = sum(r["trangThai"] == "accepted" for r in results)
        return {
            "tongSo": len(results),
            "soChapNhan": accepted,
            "soTuChoi": len(results) - accepted,
            "ketQua": results,
        }

    @staticmethod
    def _upsert(host: Host, store: str, key: str, data: dict[str, Any]) -> str:
        digest = fingerprint(data)
        held = host.engines.store(store).get(key)
        if held is not None and held["fingerprint"] == digest:
            return "unchanged"
        version = held["phienBan"] + 1 if held else 1
        at = now_vn().isoformat(timespec="seconds")
        host.engines.put(
            store, key, {"fingerprint": digest, "phienBan": version, "capNhatLuc": at, "duLieu": data}
        )
        return "updated" if held else "created"

    def mount(self, router: APIRouter, host: Host, service: str) -> None:
        async def push(request: Request) -> Response:
            try:
                body = await json_body(request, self.max_body_bytes)
                records = self._records(body)
            except PayloadTooLargeError as exc:
                return error_response(413, "payload_too_large", str(exc))
            except ParamError as exc:
                log_access(host, service, self.operation, caller(request), None, "invalid")
                return exc.response()
            log_access(host, service, self.operation, caller(request), None, "accepted")
            return responses.json_response(self.push(host, service, records))

        async def read_back(request: Request) -> Response:
            key = request.path_params["key"]
            held = host.engines.store(self.store_name(service)).get(key)
            if held is None:
                return error_response(404, "not_found", f"không có bản ghi {key}")
            return responses.json_response(
                {"khoa": key} | {k: v for k, v in held.items() if k != "fingerprint"}
            )

        batch = {"type": "array", "minItems": 1, "maxItems": self.max_batch, "items": flat_schema(self.model)}
        body = {"type": "object", "required": [self.records_field], "properties": {self.records_field: batch}}
        extra = model_body(body)
        router.add_api_route(self.route, push, methods=["POST"], name=self.operation, openapi_extra=extra)
        router.add_api_route(
            f"{self.route}/{{key}}", read_back, methods=["GET"], name=f"{self.operation} read"
        )

    def _records(self, body: Any) -> list[Any]:
        field = self.records_field
        records = body.get(field) if isinstance(body, dict) else None
        if not isinstance(records, list):
            raise ParamError(field, f"thân yêu cầu phải có {field} là một danh sách", location="body")
        if not 1 <= len(records) <= self.max_batch:
            reason = f"{field} phải có từ 1 đến {self.max_batch} bản ghi (nhận {len(records)})"
            raise ParamError(field, reason, error="invalid_batch", location="body")
        return records
