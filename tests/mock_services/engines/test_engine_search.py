"""Engine S on a tiny declared facility register: filters, paging bounds, sort keys, a stable order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from conftest import DemoClient, DemoHost
from engine_helpers import field_of, scenario
from fastapi import FastAPI

from ndxp_sim.mock_services.engines import Filter, Search
from ndxp_sim.mock_services.engines.params import province


@dataclass(frozen=True)
class Facility:
    ma: str
    ten: str
    ma_tinh: str
    loai: str
    ngay_cap_phep: date | None


KINDS = ("BV", "TYT", "PK")
FACILITIES = [
    Facility(
        f"CS{n:03d}",
        f"{['Bệnh viện', 'Trạm y tế', 'Phòng khám'][n % 3]} số {n}",
        ("91", "01", "79")[n % 3 if n % 4 else 0],
        KINDS[n % 3],
        None if n % 7 == 0 else date(2020, 1, 1) + timedelta(days=30 * (n % 10)),  # many share a date
    )
    for n in range(1, 26)
]

SEARCH = Search[Facility](
    route="/co-so",
    operation="timCoSo",
    records=lambda _: reversed(FACILITIES),  # the engine, not the source, decides the order
    item=lambda _, f: {
        "ma": f.ma,
        "ten": f.ten,
        "maTinh": f.ma_tinh,
        "loai": f.loai,
        "ngay": _iso(f.ngay_cap_phep),
    },
    order={"ma": lambda f: f.ma, "ngayCapPhep": lambda f: f.ngay_cap_phep, "ten": lambda f: f.ten},
    identity=lambda f: f.ma,
    filters=(
        Filter("maTinh", lambda f: f.ma_tinh, parse=province, error="invalid_province"),
        Filter("ten", lambda f: f.ten, "prefix"),
        Filter("loai", lambda f: f.loai, "enum", choices=KINDS, error="invalid_loai"),
        Filter("tuNgay", lambda f: f.ngay_cap_phep, "date_range", end="denNgay"),
    ),
    default_size=5,
    max_size=10,
)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@pytest.fixture
async def client(demo: DemoClient) -> AsyncIterator[httpx.AsyncClient]:
    async with demo(SEARCH) as http:
        yield http


async def search(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get("/demo/co-so", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_pages_cover_everything_once_in_the_default_order(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    for page in (1, 2, 3, 4):
        body = await search(client, page=page, pageSize=7)
        assert (body["total"], body["page"], body["pageSize"]) == (25, page, 7)
        seen += [item["ma"] for item in body["items"]]
    assert seen == sorted(f.ma for f in FACILITIES)
    assert (await search(client, page=5, pageSize=7))["items"] == []
    assert (await search(client))["pageSize"] == 5


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"page": 0}, "invalid_page", "page"),
        ({"pageSize": 0}, "invalid_page", "pageSize"),
        ({"pageSize": 11}, "invalid_page", "pageSize"),
        ({"page": "x"}, "validation_error", "page"),
        ({"maTinh": "99"}, "invalid_province", "maTinh"),
        ({"loai": "XX"}, "invalid_loai", "loai"),
        ({"tuNgay": "2020-13-01"}, "validation_error", "tuNgay"),
        ({"tuNgay": "2021-01-01", "denNgay": "2020-01-01"}, "validation_error", "denNgay"),
        ({"sort": "gia"}, "invalid_sort", "sort"),
    ],
)
async def test_bad_parameters_are_422_naming_the_field(
    client: httpx.AsyncClient, params: dict[str, Any], code: str, field: str
) -> None:
    response = await client.get("/demo/co-so", params=params)
    assert response.status_code == 422
    assert response.json()["error"] == code
    assert field_of(response) == field


async def test_each_filter_kind(client: httpx.AsyncClient) -> None:
    in_91 = await search(client, maTinh="91")
    assert in_91["total"] == sum(f.ma_tinh == "91" for f in FACILITIES) and in_91["total"] > 0
    assert {item["maTinh"] for item in in_91["items"]} == {"91"}
    named = await search(client, ten="trạm Y")  # prefix, any case
    assert named["total"] == sum(f.ten.startswith("Trạm y tế") for f in FACILITIES)
    clinics = await search(client, loai="PK", maTinh="79")
    assert {(i["loai"], i["maTinh"]) for i in clinics["items"]} == {("PK", "79")}
    first, last = date(2020, 3, 1), date(2020, 6, 1)
    ranged = await search(client, tuNgay=first.isoformat(), denNgay=last.isoformat(), pageSize=10)
    expected = [f for f in FACILITIES if f.ngay_cap_phep and first <= f.ngay_cap_phep <= last]
    assert ranged["total"] == len(expected)
    assert all(first.isoformat() <= i["ngay"] <= last.isoformat() for i in ranged["items"])
    since = await search(client, tuNgay="2020-07-01", pageSize=1)
    assert since["total"] == sum(
        bool(f.ngay_cap_phep and f.ngay_cap_phep >= date(2020, 7, 1)) for f in FACILITIES
    )


async def test_sort_keys_both_ways_with_ties_in_one_order(client: httpx.AsyncClient) -> None:
    async def everything(sort: str) -> list[dict[str, Any]]:
        pages = [await search(client, sort=sort, page=p, pageSize=10) for p in (1, 2, 3)]
        return [item for body in pages for item in body["items"]]

    ascending = await everything("ngayCapPhep")
    keys = [(i["ngay"] is None, i["ngay"] or "", i["ma"]) for i in ascending]
    assert keys == sorted(keys)  # by date, undated last, ties by code
    descending = await everything("-ngayCapPhep")
    assert descending == list(reversed(ascending))
    assert await everything("ngayCapPhep") == ascending  # deterministic
    by_name = await everything("ten")
    assert [i["ten"] for i in by_name] == sorted(f.ten for f in FACILITIES)


async def test_scenarios_apply_to_searches(client: httpx.AsyncClient, host: DemoHost) -> None:
    assert (await client.get("/demo/co-so", headers=scenario("error:500"))).status_code == 500
    await search(client, maTinh="91")
    assert [entry["ketQua"] for entry in host.access_log] == ["found"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [({"default_size": 50, "max_size": 10}, "default_size"), ({"default_order": "-gia"}, "default_order")],
)
def test_an_inconsistent_search_is_refused_when_declared(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Search[Facility](
            route="/x",
            operation="x",
            records=lambda _: [],
            item=lambda _, f: f,
            order={"ma": lambda f: f.ma},
            identity=lambda f: f.ma,
            **changes,
        )


async def test_a_filter_with_an_index_reads_the_index_instead_of_scanning(demo: DemoClient) -> None:
    by_province: dict[str, list[Facility]] = {}
    for facility in FACILITIES:
        by_province.setdefault(facility.ma_tinh, []).append(facility)
    asked: list[str] = []

    def index(_: Any, code: str) -> list[Facility]:
        asked.append(code)
        return by_province.get(code, [])

    def no_scan(_: Any) -> list[Facility]:
        raise AssertionError("scanned every record although an index was declared")

    indexed = Search[Facility](
        route="/co-so",
        operation="timCoSo",
        records=no_scan,
        item=lambda _, f: f.ma,
        order={"ma": lambda f: f.ma},
        identity=lambda f: f.ma,
        filters=(Filter("maTinh", lambda f: f.ma_tinh, parse=province, index=index),),
    )
    async with demo(indexed) as client:
        body = await search(client, maTinh="79", loai="PK")  # loai is not declared here: ignored
    assert asked == ["79"]
    assert body["items"] == sorted(f.ma for f in by_province["79"])


def test_declared_parameters_are_in_the_openapi_document(mock_app: FastAPI) -> None:
    paths = mock_app.openapi()["paths"]
    listing = paths["/csdl_dkdn/doanh-nghiep"]["get"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in listing] == [
        ("maTinh", "query", False),
        ("page", "query", False),
        ("pageSize", "query", False),
    ]
    [key] = paths["/csdl_dkdn/doanh-nghiep/{msdn}"]["get"]["parameters"]
    assert (key["name"], key["in"], key["required"]) == ("msdn", "path", True)
