"""Engine L: lookup of one record by key(s), declared as route, keys, resolver and answer shape."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ndxp_sim.mock_services import responses
from ndxp_sim.mock_services.engines.host import Host, log_access
from ndxp_sim.mock_services.engines.params import Param, ParamError, caller, documented, read

R = TypeVar("R")


@dataclass(frozen=True)  # no slots: a subscripted call sets __orig_class__
class Lookup(Generic[R]):
    """GET (or POST) `route` → `answer(host, record)`, or 404 `not_found` when `resolve` finds nothing.

    `resolve` gets the parsed keys by name and may raise ParamError for rules that span keys or need the
    data (it is a 422 then). `not_found` is formatted with the raw key values. The access log records
    `log_key` (default: the first key), masked.
    """

    route: str
    operation: str
    keys: tuple[Param, ...]
    resolve: Callable[[Host, Mapping[str, Any]], R | None]
    answer: Callable[[Host, R], Any]
    not_found: str
    method: str = "GET"
    log_key: str | None = None

    def mount(self, router: APIRouter, host: Host, service: str) -> None:
        log_key = self.log_key or self.keys[0].name

        async def lookup(request: Request) -> Response:
            who = caller(request)
            try:
                raw, keys = await read(self.keys, request)
                record = self.resolve(host, keys)
            except ParamError as exc:
                attempted = request.path_params.get(log_key) or request.query_params.get(log_key)
                log_access(host, service, self.operation, who, attempted, "invalid")
                return exc.response()
            if record is None:
                log_access(host, service, self.operation, who, raw.get(log_key), "not_found")
                message = self.not_found.format(**raw)
                return responses.to_response(responses.rest_error(404, "not_found", message))
            log_access(host, service, self.operation, who, raw.get(log_key), "found")
            return responses.json_response(self.answer(host, record))

        router.add_api_route(
            self.route,
            lookup,
            methods=[self.method],
            name=self.operation,
            openapi_extra=documented(self.keys, self.route, self.method),
        )
