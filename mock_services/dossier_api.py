"""The HTTP face of a pattern-D mock: submit, status, supplement, in the BTP `{status, value}` envelope."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ndxp_sim.mock_services import responses
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.dossier import (
    Dossier,
    DossierConflictError,
    DossierDuplicateError,
    DossierKind,
    DossierStateError,
)
from ndxp_sim.mock_services.faults import SCENARIO_HEADER

MA_HO_SO_PATTERN = r"^[A-Za-z0-9._\-]{1,64}$"
M = TypeVar("M", bound=BaseModel)


class FormFields(BaseModel):
    """Part of a real form: it carries more fields than the mock reads; they are kept, not refused."""

    model_config = ConfigDict(extra="allow")


class BtpDossier(FormFields):
    """The BTP liên thông envelope of a submitted dossier: the receiving unit, the province, the procedure,
    the dossier's code and date, where status callbacks go."""

    maDonVi: int | str
    maTinh: str = Field(..., pattern=r"^[0-9]{2}$")
    maTTHC: str | None = None
    maHoSo: str = Field(..., pattern=MA_HO_SO_PATTERN)
    ngayTiepNhan: str = Field(..., min_length=1)
    callbackUrl: str | None = Field(None, pattern=r"^https?://")


class Supplement(BaseModel):
    """Documents supplied after `supplement_requested`; any other field updates the dossier's data."""

    model_config = ConfigDict(extra="allow")

    fileDinhKem: list[dict[str, Any]] | None = None
    ghiChu: str | None = None


def ok(description: str, value: Mapping[str, Any]) -> Response:
    return responses.json_response({"status": 1, "statusDescription": description, "value": value})


def fail(http_status: int, code: str, message: str, detail: Any = None) -> Response:
    body: dict[str, Any] = {"status": 0, "statusDescription": message, "error": code, "message": message}
    if detail is not None:
        body["detail"] = detail
    return responses.json_response(body, http_status)


def _validation_detail(exc: ValidationError) -> list[dict[str, Any]]:
    return [{"loc": list(err["loc"]), "msg": err["msg"]} for err in exc.errors()]


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        return None


AfterSubmit = Callable[[Dossier, Request], Mapping[str, Any]]


async def parse_body(request: Request, model: type[M], what: str = "dữ liệu hồ sơ") -> M | Response:
    """The JSON body validated by `model`, or the 422 answer naming the field (for services' own routes)."""
    body = await _json(request)
    if not isinstance(body, dict):
        return fail(422, "validation_error", "thân yêu cầu phải là một đối tượng JSON")
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        return fail(422, "validation_error", f"{what} không hợp lệ", _validation_detail(exc))


def create_dossier_router(
    ctx: MockContext,
    *,
    service: str,
    lt_prefix: str,
    kinds: Mapping[str, DossierKind],
    after_submit: Mapping[str, AfterSubmit] | None = None,
) -> APIRouter:
    """POST <path> per dossier kind, GET /ho-so/{maHoSo}, POST /ho-so/{maHoSo}/bo-sung.

    `after_submit[path]` runs on each accepted submission of that kind (e.g. to start a chained procedure);
    what it returns is added to the receipt.
    """
    router = APIRouter()
    hooks = after_submit or {}

    def add_submission(path: str, kind: DossierKind) -> None:
        async def submit(request: Request) -> Response:
            body = await _json(request)
            if not isinstance(body, dict):
                return fail(422, "validation_error", "thân yêu cầu phải là một đối tượng JSON")
            try:
                model = kind.model.model_validate(body)
            except ValidationError as exc:
                return fail(422, "validation_error", "dữ liệu hồ sơ không hợp lệ", _validation_detail(exc))
            forced = request.headers.get(SCENARIO_HEADER.decode(), "").strip() == "supplement"
            try:
                dossier, _ = ctx.dossiers.submit(
                    service=service,
                    lt_prefix=lt_prefix,
                    kind=kind,
                    kind_name=path,
                    request=model,
                    force_supplement=forced,
                )
            except DossierConflictError as exc:
                return fail(409, "conflict", str(exc))
            except DossierDuplicateError as exc:
                return fail(409, "duplicate", str(exc))
            hook = hooks.get(path)
            extra = hook(dossier, request) if hook else {}
            return ok("Tiếp nhận hồ sơ thành công", {**dossier.receipt(), **extra})

        router.add_api_route(path, submit, methods=["POST"], name=f"{service} submit {path}")

    for path, kind in kinds.items():
        ctx.dossiers.register_kind(service, path, kind)
        add_submission(path, kind)

    @router.get("/ho-so/{ma_ho_so}")
    async def status(ma_ho_so: str) -> Response:
        dossier = ctx.dossiers.get(service, ma_ho_so)
        if dossier is None:
            return fail(404, "not_found", f"không tìm thấy hồ sơ {ma_ho_so}")
        return ok("Thành công", dossier.view())

    @router.post("/ho-so/{ma_ho_so}/bo-sung")
    async def supplement(ma_ho_so: str, request: Request) -> Response:
        body = await _json(request)
        try:
            documents = Supplement.model_validate(body if body is not None else {})
        except ValidationError as exc:
            return fail(422, "validation_error", "dữ liệu bổ sung không hợp lệ", _validation_detail(exc))
        try:
            dossier = ctx.dossiers.supplement(service, ma_ho_so, documents.model_dump(mode="json"))
        except KeyError:
            return fail(404, "not_found", f"không tìm thấy hồ sơ {ma_ho_so}")
        except DossierStateError as exc:
            return fail(409, "invalid_state", str(exc))
        except ValidationError as exc:
            return fail(422, "validation_error", "dữ liệu bổ sung không hợp lệ", _validation_detail(exc))
        value = {"maHoSo": dossier.ma_ho_so, "maHoSoLT": dossier.ma_ho_so_lt, "trangThai": dossier.status}
        return ok("Tiếp nhận hồ sơ bổ sung thành công", value)

    return router
