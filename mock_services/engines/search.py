"""Engine S: filtered search with paging and sorting over any records, in a deterministic order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ndxp_sim.core.text import fold, words
from ndxp_sim.mock_services import responses
from ndxp_sim.mock_services.engines.host import Host, log_access
from ndxp_sim.mock_services.engines.params import (
    Param,
    ParamError,
    Parser,
    caller,
    documented,
    iso_date,
    one_of,
    read,
)

R = TypeVar("R")
Match = Literal["exact", "prefix", "enum", "date_range", "range", "text"]


@dataclass(frozen=True)  # no slots: a subscripted call sets __orig_class__
class Filter(Generic[R]):
    """One optional filter on `value(record)`.

    exact: equal to the parsed parameter; prefix: starts with it (case-insensitive); enum: one of
    `choices`; date_range: `name` is the first day and `end` the last day (both optional, inclusive);
    range: the same with values `parse` reads (e.g. months);
    text: every word of the parameter occurs in the value, ignoring case and Vietnamese diacritics.
    `index` (optional) returns the records matching a value straight from an index the data keeps, so
    a search that uses this filter does not scan everything.
    """

    name: str
    value: Callable[[R], Any]
    match: Match = "exact"
    parse: Parser = str
    choices: tuple[str, ...] = ()
    end: str = ""
    error: str = "validation_error"
    message: str = ""
    index: Callable[[Host, Any], Iterable[R]] | None = None

    def params(self) -> list[Param]:
        if self.match in ("date_range", "range"):
            parse = iso_date if self.match == "date_range" else self.parse
            return [
                Param(name, parse, self.error, self.message, required=False) for name in (self.name, self.end)
            ]
        parse = one_of(*self.choices) if self.match == "enum" else self.parse
        return [Param(self.name, parse, self.error, self.message, required=False)]

    def test(self, values: Mapping[str, Any]) -> Callable[[R], bool] | None:
        """The predicate the parsed parameters ask for, or None when this filter was not used."""
        wanted = values[self.name]
        if self.match in ("date_range", "range"):
            first, last = wanted, values[self.end]
            if first is None and last is None:
                return None
            if first is not None and last is not None and first > last:
                raise ParamError(self.end, f"{self.end} phải không trước {self.name}", error=self.error)
            return lambda record: _within(self.value(record), first, last)
        if wanted is None:
            return None
        if self.match == "prefix":
            folded = str(wanted).casefold()
            return lambda record: str(self.value(record) or "").casefold().startswith(folded)
        if self.match == "text":
            wanted_words = words(str(wanted))
            return lambda record: all(word in fold(str(self.value(record) or "")) for word in wanted_words)
        return lambda record: bool(self.value(record) == wanted)


def _within(value: Any, first: Any, last: Any) -> bool:
    if value is None:
        return False
    return (first is None or first <= value) and (last is None or value <= last)


@dataclass(frozen=True)  # no slots: a subscripted call sets __orig_class__
class Search(Generic[R]):
    """GET `route` → `{"total", page_param, size_param, "items"}`: `records` filtered, sorted, one page.

    `order` maps each sort key (as the client names it) to the record's value; `default_order` ("key" or
    "-key", descending) applies when the client does not choose, else the first key ascending. With
    `sort_param` set, `?sort=key` or `?sort=-key` chooses; `identity` breaks ties so equal keys still
    come out in one order. Unknown query parameters are ignored.
    """

    route: str
    operation: str
    records: Callable[[Host], Iterable[R]]
    item: Callable[[Host, R], Any]
    order: Mapping[str, Callable[[R], Any]]
    identity: Callable[[R], Any]
    filters: tuple[Filter[R], ...] = ()
    sort_param: str | None = "sort"
    page_param: str = "page"
    size_param: str = "pageSize"
    default_size: int = 20
    max_size: int = 100
    page_error: str = "invalid_page"
    default_order: str = ""
    _params: list[Param] = field(default_factory=list, init=False, compare=False)

    def __post_init__(self) -> None:
        if not self.order:
            raise ValueError(f"{self.operation}: declare at least one sort key")
        if self.default_order and self.default_order.removeprefix("-") not in self.order:
            raise ValueError(f"{self.operation}: default_order {self.default_order!r} is not a sort key")
        if not 1 <= self.default_size <= self.max_size:
            raise ValueError(f"{self.operation}: default_size must be within 1..max_size")
        params = [p for f in self.filters for p in f.params()]
        params += [Param(self.page_param, _integer, required=False, default=1)]
        params += [Param(self.size_param, _integer, required=False, default=self.default_size)]
        if self.sort_param:
            keys = [*self.order, *(f"-{key}" for key in self.order)]
            params.append(Param(self.sort_param, one_of(*keys), "invalid_sort", required=False))
        self._params.extend(params)

    def page(self, host: Host, values: Mapping[str, Any]) -> dict[str, Any]:
        """One page for parsed parameters; raises ParamError for bounds and ranges."""
        page, size = values[self.page_param], values[self.size_param]
        bounds = f"{self.page_param} phải ≥ 1 và {self.size_param} trong khoảng 1–{self.max_size}"
        if page < 1:
            raise ParamError(self.page_param, bounds, error=self.page_error)
        if not 1 <= size <= self.max_size:
            raise ParamError(self.size_param, bounds, error=self.page_error)
        tests = [t for f in self.filters if (t := f.test(values)) is not None]
        indexed = next((f for f in self.filters if f.index and values[f.name] is not None), None)
        source = (
            indexed.index(host, values[indexed.name]) if indexed and indexed.index else self.records(host)
        )
        found = [r for r in source if all(t(r) for t in tests)]
        chosen = values.get(self.sort_param) if self.sort_param else None
        sort = chosen or self.default_order or next(iter(self.order))
        value = self.order[sort.removeprefix("-")]
        found.sort(key=lambda r: (_sortable(value(r)), self.identity(r)), reverse=sort.startswith("-"))
        start = (page - 1) * size
        items = [self.item(host, r) for r in found[start : start + size]]
        return {"total": len(found), self.page_param: page, self.size_param: size, "items": items}

    def mount(self, router: APIRouter, host: Host, service: str) -> None:
        async def search(request: Request) -> Response:
            try:
                _, values = await read(self._params, request)
                body = self.page(host, values)
            except ParamError as exc:
                log_access(host, service, self.operation, caller(request), None, "invalid")
                return exc.response()
            log_access(host, service, self.operation, caller(request), None, "found")
            return responses.json_response(body)

        extra = documented(self._params, self.route)
        router.add_api_route(self.route, search, methods=["GET"], name=self.operation, openapi_extra=extra)


def _integer(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError("phải là số nguyên") from None


def _sortable(value: Any) -> tuple[bool, Any]:
    """None sorts last (first when descending) instead of failing to compare."""
    return (value is None, value if value is not None else 0)
