"""Engine C on a tiny declared vaccine catalogue: versions, changes since one, as of a date, ETags."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from conftest import DemoClient
from engine_helpers import field_of, scenario

from ndxp_sim.mock_services.engines import Catalogue, Revision

START, RENAMED, CLOSED = date(2020, 1, 1), date(2025, 1, 1), date(2025, 6, 1)
REVISIONS = (
    # v1: three vaccines
    Revision("BCG", 1, START, None, {"ten": "Vắc xin BCG"}),
    Revision("VGB", 1, START, None, {"ten": "Viêm gan B"}),
    Revision("SOI", 1, START, None, {"ten": "Sởi"}),
    # v2: VGB renamed from 2025-01-01 (its whole timeline republished), a new one
    Revision("VGB", 2, START, RENAMED, {"ten": "Viêm gan B"}),
    Revision("VGB", 2, RENAMED, None, {"ten": "Viêm gan B sơ sinh"}),
    Revision("5IN1", 2, RENAMED, None, {"ten": "Vắc xin 5 trong 1"}),
    # v3: SOI withdrawn from 2025-06-01
    Revision("SOI", 3, START, CLOSED, {"ten": "Sởi"}),
)
CATALOGUE = Catalogue(route="/danh-muc/vac-xin", operation="danhMucVacXin", revisions=REVISIONS)


@pytest.fixture
async def client(demo: DemoClient) -> AsyncIterator[httpx.AsyncClient]:
    async with demo(CATALOGUE) as http:
        yield http


def names(body: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(item["ma"], item["ten"], item["phienBan"]) for item in body["items"]]


async def get(client: httpx.AsyncClient, path: str = "", **params: Any) -> dict[str, Any]:
    response = await client.get(f"/demo/danh-muc/vac-xin{path}", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_full_download_is_every_timeline_of_the_latest_version(client: httpx.AsyncClient) -> None:
    body = await get(client)
    assert body["phienBan"] == 3
    assert names(body) == [
        ("5IN1", "Vắc xin 5 trong 1", 2),
        ("BCG", "Vắc xin BCG", 1),
        ("SOI", "Sởi", 3),
        ("VGB", "Viêm gan B", 2),
        ("VGB", "Viêm gan B sơ sinh", 2),
    ]
    soi = body["items"][2]
    assert (soi["hieuLucTu"], soi["hieuLucDen"]) == ("2020-01-01", "2025-06-01")
    first = await get(client, phienBan=1)
    assert names(first) == [("BCG", "Vắc xin BCG", 1), ("SOI", "Sởi", 1), ("VGB", "Viêm gan B", 1)]
    assert {item["hieuLucDen"] for item in first["items"]} == {None}


async def test_as_of_a_date_keeps_only_the_periods_valid_that_day(client: httpx.AsyncClient) -> None:
    before = await get(client, ngayHieuLuc="2024-06-01")
    assert names(before) == [("BCG", "Vắc xin BCG", 1), ("SOI", "Sởi", 3), ("VGB", "Viêm gan B", 2)]
    assert before["ngayHieuLuc"] == "2024-06-01"
    on_rename = await get(client, ngayHieuLuc=RENAMED.isoformat())  # valid_to is exclusive
    assert ("VGB", "Viêm gan B sơ sinh", 2) in names(on_rename) and ("VGB", "Viêm gan B", 2) not in names(
        on_rename
    )
    after = await get(client, ngayHieuLuc="2025-07-01")
    assert [code for code, _, _ in names(after)] == ["5IN1", "BCG", "VGB"]
    as_published_then = await get(client, ngayHieuLuc="2025-07-01", phienBan=1)
    assert names(as_published_then) == [
        ("BCG", "Vắc xin BCG", 1),
        ("SOI", "Sởi", 1),
        ("VGB", "Viêm gan B", 1),
    ]


async def test_changes_since_a_version(client: httpx.AsyncClient) -> None:
    assert names(await get(client, "/thay-doi", tuPhienBan=0)) == names(await get(client))
    since_1 = await get(client, "/thay-doi", tuPhienBan=1)
    assert (since_1["tuPhienBan"], since_1["phienBan"]) == (1, 3)
    assert [code for code, _, _ in names(since_1)] == ["5IN1", "SOI", "VGB", "VGB"]
    assert names(await get(client, "/thay-doi", tuPhienBan=2)) == [("SOI", "Sởi", 3)]
    assert (await get(client, "/thay-doi", tuPhienBan=3))["items"] == []


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/thay-doi", {"tuPhienBan": 4}, "tuPhienBan"),
        ("/thay-doi", {"tuPhienBan": "x"}, "tuPhienBan"),
        ("/thay-doi", {}, "tuPhienBan"),
        ("", {"phienBan": 0}, "phienBan"),
        ("", {"phienBan": 4}, "phienBan"),
        ("", {"ngayHieuLuc": "01/07/2025"}, "ngayHieuLuc"),
    ],
)
async def test_bad_versions_and_dates_are_422_naming_the_field(
    client: httpx.AsyncClient, path: str, params: dict[str, Any], field: str
) -> None:
    response = await client.get(f"/demo/danh-muc/vac-xin{path}", params=params)
    assert response.status_code == 422
    assert field_of(response) == field


async def test_etag_spares_an_unchanged_download(client: httpx.AsyncClient) -> None:
    url = "/demo/danh-muc/vac-xin"
    full = await client.get(url)
    etag = full.headers["etag"]
    assert (await client.get(url)).headers["etag"] == etag  # stable
    cached = await client.get(url, headers={"If-None-Match": etag})
    assert (cached.status_code, cached.content, cached.headers["etag"]) == (304, b"", etag)
    assert (await client.get(url, headers={"If-None-Match": f'"other", W/{etag}'})).status_code == 304
    older = await client.get(url, params={"phienBan": 2}, headers={"If-None-Match": etag})
    assert older.status_code == 200 and older.headers["etag"] != etag
    changes = await client.get(f"{url}/thay-doi", params={"tuPhienBan": 2})
    again = await client.get(
        f"{url}/thay-doi", params={"tuPhienBan": 2}, headers={"If-None-Match": changes.headers["etag"]}
    )
    assert again.status_code == 304


async def test_scenarios_apply_to_catalogues(client: httpx.AsyncClient) -> None:
    response = await client.get("/demo/danh-muc/vac-xin", headers=scenario("error:503"))
    assert response.status_code == 503 and "etag" not in response.headers


@pytest.mark.parametrize(
    ("revisions", "problem"),
    [
        ((Revision("A", 1, START, None, {}), Revision("A", 3, START, None, {})), "without gaps"),
        ((Revision("A", 1, START, None, {}), Revision("A", 1, RENAMED, None, {})), "overlapping"),
        ((Revision("A", 1, RENAMED, START, {}),), "ends"),
        ((Revision("A", 0, START, None, {}),), "< 1"),
    ],
)
def test_an_inconsistent_catalogue_is_refused_when_declared(
    revisions: tuple[Revision, ...], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        Catalogue(route="/x", operation="x", revisions=revisions)
