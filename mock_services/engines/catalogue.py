"""Engine C: a versioned catalogue — full download, changes since a version, as of a date, with ETags."""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ndxp_sim.mock_services import responses
from ndxp_sim.mock_services.engines.host import Host, log_access
from ndxp_sim.mock_services.engines.params import (
    Param,
    ParamError,
    caller,
    documented,
    integer,
    iso_date,
    read,
)


@dataclass(frozen=True, slots=True)
class Revision:
    """One validity period of an item, as published in `version`; `valid_to` is exclusive (None: open)."""

    key: str
    version: int
    valid_from: date
    valid_to: date | None
    data: Mapping[str, Any]


def published(
    version: int,
    valid_from: date,
    items: Iterable[tuple[str, Mapping[str, Any]]],
    valid_to: date | None = None,
) -> list[Revision]:
    """One period of each (key, data) item, all published in `version` with the same validity."""
    return [Revision(key, version, valid_from, valid_to, data) for key, data in items]


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A catalogue whose versions each republish the whole timeline of the items they change.

    So as of version V an item's timeline is its revisions in the highest version ≤ V that mentions it;
    closing an item is publishing its timeline with the last period ended. Routes under `route`:
    `GET route[?phienBan=V][&ngayHieuLuc=D]` (everything as of V, or only the periods valid on D) and
    `GET route/thay-doi?tuPhienBan=V` (timelines changed after V). Both send an ETag and answer 304 to a
    matching If-None-Match.
    """

    route: str
    operation: str
    revisions: tuple[Revision, ...]
    key_name: str = "ma"
    _timelines: dict[int, dict[str, list[Revision]]] = field(default_factory=dict, init=False, compare=False)

    def __post_init__(self) -> None:
        by_version: dict[int, dict[str, list[Revision]]] = defaultdict(lambda: defaultdict(list))
        for revision in self.revisions:
            if revision.version < 1:
                raise ValueError(f"{self.operation}: {revision.key} has version {revision.version} < 1")
            if revision.valid_to is not None and revision.valid_to <= revision.valid_from:
                raise ValueError(
                    f"{self.operation}: {revision.key} v{revision.version} ends before it starts"
                )
            by_version[revision.version][revision.key].append(revision)
        if sorted(by_version) != list(range(1, len(by_version) + 1)):
            raise ValueError(f"{self.operation}: versions must be 1..N without gaps")
        for version, items in by_version.items():
            for key, periods in items.items():
                periods.sort(key=lambda r: r.valid_from)
                for before, after in itertools.pairwise(periods):
                    if before.valid_to is None or before.valid_to > after.valid_from:
                        raise ValueError(f"{self.operation}: {key} v{version} has overlapping periods")
        self._timelines.update(by_version)

    @property
    def latest(self) -> int:
        return len(self._timelines)

    def timelines(self, version: int, since: int = 0) -> dict[str, list[Revision]]:
        """Each item's timeline as of `version`, for the items last changed after `since`."""
        current: dict[str, list[Revision]] = {}
        for number in range(since + 1, version + 1):
            current.update(self._timelines[number])
        return dict(sorted(current.items()))

    def render(self, revision: Revision) -> dict[str, Any]:
        return {
            self.key_name: revision.key,
            **revision.data,
            "hieuLucTu": revision.valid_from.isoformat(),
            "hieuLucDen": revision.valid_to.isoformat() if revision.valid_to else None,
            "phienBan": revision.version,
        }

    def download(self, version: int, on: date | None) -> dict[str, Any]:
        periods = [r for timeline in self.timelines(version).values() for r in timeline]
        if on is not None:
            periods = [r for r in periods if r.valid_from <= on and (r.valid_to is None or on < r.valid_to)]
        body: dict[str, Any] = {"phienBan": version, "items": [self.render(r) for r in periods]}
        if on is not None:
            body["ngayHieuLuc"] = on.isoformat()
        return body

    def changes(self, since: int) -> dict[str, Any]:
        periods = [r for timeline in self.timelines(self.latest, since).values() for r in timeline]
        return {"tuPhienBan": since, "phienBan": self.latest, "items": [self.render(r) for r in periods]}

    def mount(self, router: APIRouter, host: Host, service: str) -> None:
        version = Param(
            "phienBan",
            integer(1, self.latest),
            message=f"phiên bản phải từ 1 đến {self.latest}",
            required=False,
            default=self.latest,
        )
        on = Param("ngayHieuLuc", iso_date, required=False)
        since = Param(
            "tuPhienBan", integer(0, self.latest), message=f"phiên bản đã có phải từ 0 đến {self.latest}"
        )

        async def download(request: Request) -> Response:
            try:
                _, values = await read((version, on), request)
            except ParamError as exc:
                log_access(host, service, self.operation, caller(request), None, "invalid")
                return exc.response()
            log_access(host, service, self.operation, caller(request), None, "found")
            return _with_etag(request, self.download(values["phienBan"], values["ngayHieuLuc"]))

        async def changes(request: Request) -> Response:
            try:
                _, values = await read((since,), request)
            except ParamError as exc:
                log_access(host, service, f"{self.operation}.thayDoi", caller(request), None, "invalid")
                return exc.response()
            log_access(host, service, f"{self.operation}.thayDoi", caller(request), None, "found")
            return _with_etag(request, self.changes(values["tuPhienBan"]))

        extra = documented((version, on), self.route)
        router.add_api_route(self.route, download, methods=["GET"], name=self.operation, openapi_extra=extra)
        route = f"{self.route}/thay-doi"
        extra = documented((since,), route)
        router.add_api_route(
            route, changes, methods=["GET"], name=f"{self.operation}.thayDoi", openapi_extra=extra
        )


def _with_etag(request: Request, body: dict[str, Any]) -> Response:
    """The body with a strong ETag of its bytes, or 304 when the client already holds exactly them."""
    payload = responses.dumps(body)
    etag = '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'
    held = {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in held or "*" in held:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(payload, media_type=responses.JSON_CONTENT_TYPE, headers={"ETag": etag})
