"""Engine B: published items (list, detail) and the device status and statistics devices upload."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from ndxp_sim.mock_services import responses
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.engines.host import Host, log_access
from ndxp_sim.mock_services.engines.lookup import Lookup
from ndxp_sim.mock_services.engines.params import (
    InvalidBodyError,
    Param,
    ParamError,
    PayloadTooLargeError,
    caller,
    error_response,
    flat_schema,
    json_body,
    model_body,
    text,
)
from ndxp_sim.mock_services.engines.push import problems
from ndxp_sim.mock_services.engines.search import Filter, Search

M = TypeVar("M", bound=BaseModel)
Item = Mapping[str, Any]


@dataclass(frozen=True)  # no slots: a subscripted call sets __orig_class__
class Upload(Generic[M]):
    """POST `route` one `model` record from a device; GET `route` pages through what was stored.

    `device` names the device id field (an exact filter of the query). With `latest_only` a device's new
    upload replaces its previous one (status); otherwise every upload is kept (statistics). `item_field`,
    when set, must name a published item. `day` names a date field for the `tuNgay`/`denNgay` filter.
    """

    route: str
    operation: str
    model: type[M]
    device: str
    latest_only: bool = False
    item_field: str | None = None
    day: str | None = None
    max_body_bytes: int = 64 * 1024


@dataclass(frozen=True, slots=True)
class Broadcast:
    """Published `items` under `route` (list newest first unless `?sort=`, paged; detail by `id_field`)
    plus `uploads`.

    Each item carries `id_field` and `published_field` (an ISO date); the list shows `summary_fields`.
    """

    route: str
    operation: str
    items: tuple[Item, ...]
    id_field: str
    published_field: str
    summary_fields: tuple[str, ...]
    uploads: tuple[Upload[Any], ...] = ()

    def __post_init__(self) -> None:
        ids = [item[self.id_field] for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.operation}: {self.id_field} must be unique")
        for item in self.items:
            date.fromisoformat(item[self.published_field])

    def mount(self, router: APIRouter, host: Host, service: str) -> None:
        published = self.published_field
        by_id = {str(item[self.id_field]): item for item in self.items}
        for upload in self.uploads:  # first, so `route/{id}` cannot shadow an upload route below `route`
            self._mount_upload(router, host, service, upload, set(by_id))
        Search[Item](
            route=self.route,
            operation=f"{self.operation}.danhSach",
            records=lambda _: self.items,
            item=lambda _, item: {name: item.get(name) for name in self.summary_fields},
            order={published: lambda item: item[published], self.id_field: lambda item: item[self.id_field]},
            identity=lambda item: str(item[self.id_field]),
            filters=(
                Filter(
                    "tuNgay", lambda item: date.fromisoformat(item[published]), "date_range", end="denNgay"
                ),
            ),
            default_order=f"-{published}",
        ).mount(router, host, service)
        Lookup[Item](
            route=f"{self.route}/{{{self.id_field}}}",
            operation=f"{self.operation}.chiTiet",
            keys=(Param(self.id_field, text(64)),),
            resolve=lambda _, keys: by_id.get(keys[self.id_field]),
            answer=lambda _, item: dict(item),
            not_found=f"không có {self.id_field} {{{self.id_field}}}",
        ).mount(router, host, service)

    def _mount_upload(
        self, router: APIRouter, host: Host, service: str, upload: Upload[Any], item_ids: set[str]
    ) -> None:
        store_name = f"{service}{upload.route}"

        def accept(body: Any) -> dict[str, Any]:
            try:
                data = upload.model.model_validate(body).model_dump(mode="json")
            except ValidationError as exc:
                raise InvalidBodyError([(p["truong"], p["lyDo"]) for p in problems(exc)]) from None
            if upload.item_field and str(data[upload.item_field]) not in item_ids:
                reason = f"{upload.item_field} {data[upload.item_field]!r} không phải bản tin đã phát hành"
                raise ParamError(upload.item_field, reason, error="unknown_item", location="body")
            held = len(host.engines.store(store_name))
            key = str(data[upload.device]) if upload.latest_only else f"{held + 1:09d}"
            stored = {"maBanGhi": key, "thoiGianNhan": now_vn().isoformat(timespec="seconds"), **data}
            host.engines.put(store_name, key, stored)
            return stored

        async def receive(request: Request) -> Response:
            try:
                stored = accept(await json_body(request, upload.max_body_bytes))
            except PayloadTooLargeError as exc:
                return error_response(413, "payload_too_large", str(exc))
            except ParamError as exc:
                log_access(host, service, upload.operation, caller(request), None, "invalid")
                return exc.response()
            device = str(stored[upload.device])
            log_access(host, service, upload.operation, caller(request), device, "accepted")
            return responses.json_response(stored, 201)

        filters: list[Filter[Item]] = [Filter(upload.device, lambda r: str(r[upload.device]))]
        if upload.item_field:
            field_name = upload.item_field
            filters.append(Filter(field_name, lambda r: str(r[field_name])))
        if upload.day:
            day = upload.day
            filters.append(Filter("tuNgay", lambda r: _as_date(r[day]), "date_range", end="denNgay"))
        Search[Item](
            route=upload.route,
            operation=f"{upload.operation}.truyVan",
            records=lambda h: h.engines.store(store_name).values(),
            item=lambda _, r: r,
            order={"thoiGianNhan": lambda r: r["maBanGhi"]}
            if not upload.latest_only
            else {upload.device: lambda r: str(r[upload.device])},
            identity=lambda r: r["maBanGhi"],
            filters=tuple(filters),
            sort_param=None,
        ).mount(router, host, service)
        extra = model_body(flat_schema(upload.model))
        router.add_api_route(
            upload.route, receive, methods=["POST"], name=upload.operation, openapi_extra=extra
        )


def _as_date(value: Any) -> date | None:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            return None
    return None
