"""Engine B on a tiny declared loudspeaker service: bulletins, device status and statistics uploads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from datetime import datetime
from typing import Any, Literal

import httpx
import pytest
from conftest import DemoClient, DemoHost
from engine_helpers import field_of, scenario
from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.mock_services.engines import Broadcast, Upload


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DeviceStatus(Strict):
    maThietBi: str = Field(pattern=r"^LOA-\d{4}$")
    trangThai: Literal["hoat_dong", "mat_ket_noi", "hong"]
    thoiDiem: datetime


class PlayStatistics(Strict):
    maThietBi: str = Field(pattern=r"^LOA-\d{4}$")
    maBanTin: str
    ngay: datetime
    soLanPhat: int = Field(ge=0, le=1000)


BULLETINS = tuple(
    {
        "maBanTin": f"BT-{n:02d}",
        "tieuDe": f"Bản tin số {n}",
        "ngayPhatHanh": f"2025-11-{n:02d}",
        "noiDung": f"Nội dung bản tin {n}",
    }
    for n in range(1, 8)
)
BROADCAST = Broadcast(
    route="/ban-tin",
    operation="banTin",
    items=BULLETINS,
    id_field="maBanTin",
    published_field="ngayPhatHanh",
    summary_fields=("maBanTin", "tieuDe", "ngayPhatHanh"),
    uploads=(
        Upload(
            "/thiet-bi/trang-thai", "trangThaiThietBi", DeviceStatus, device="maThietBi", latest_only=True
        ),
        Upload(
            "/thong-ke", "thongKePhat", PlayStatistics, device="maThietBi", item_field="maBanTin", day="ngay"
        ),
    ),
)
STATUS = {"maThietBi": "LOA-0001", "trangThai": "hoat_dong", "thoiDiem": "2025-11-20T08:00:00+07:00"}
PLAYS = {"maThietBi": "LOA-0001", "maBanTin": "BT-03", "ngay": "2025-11-20T00:00:00+07:00", "soLanPhat": 3}


@pytest.fixture
async def client(demo: DemoClient) -> AsyncIterator[httpx.AsyncClient]:
    async with demo(BROADCAST) as http:
        yield http


async def ok(request: Awaitable[httpx.Response]) -> dict[str, Any]:
    resolved = await request
    assert resolved.is_success, resolved.text
    body: dict[str, Any] = resolved.json()
    return body


async def test_published_items_newest_first_paged_and_in_detail(client: httpx.AsyncClient) -> None:
    page = await ok(client.get("/demo/ban-tin", params={"pageSize": 3}))
    assert page["total"] == 7
    assert [i["maBanTin"] for i in page["items"]] == ["BT-07", "BT-06", "BT-05"]
    oldest = await ok(client.get("/demo/ban-tin", params={"sort": "ngayPhatHanh", "pageSize": 2}))
    assert [i["maBanTin"] for i in oldest["items"]] == ["BT-01", "BT-02"]
    assert set(page["items"][0]) == {"maBanTin", "tieuDe", "ngayPhatHanh"}
    november_2_to_4 = await ok(
        client.get("/demo/ban-tin", params={"tuNgay": "2025-11-02", "denNgay": "2025-11-04"})
    )
    assert [i["maBanTin"] for i in november_2_to_4["items"]] == ["BT-04", "BT-03", "BT-02"]
    detail = await ok(client.get("/demo/ban-tin/BT-05"))
    assert detail == BULLETINS[4]
    missing = await client.get("/demo/ban-tin/BT-99")
    assert missing.status_code == 404 and missing.json()["message"] == "không có maBanTin BT-99"


async def test_device_status_is_validated_kept_per_device_and_queryable(client: httpx.AsyncClient) -> None:
    stored = await ok(client.post("/demo/thiet-bi/trang-thai", json=STATUS))
    assert stored["maThietBi"] == "LOA-0001" and stored["thoiGianNhan"]
    await ok(client.post("/demo/thiet-bi/trang-thai", json=STATUS | {"maThietBi": "LOA-0002"}))
    await ok(client.post("/demo/thiet-bi/trang-thai", json=STATUS | {"trangThai": "mat_ket_noi"}))
    everything = await ok(client.get("/demo/thiet-bi/trang-thai"))
    assert [(i["maThietBi"], i["trangThai"]) for i in everything["items"]] == [
        ("LOA-0001", "mat_ket_noi"),
        ("LOA-0002", "hoat_dong"),
    ]
    one = await ok(client.get("/demo/thiet-bi/trang-thai", params={"maThietBi": "LOA-0002"}))
    assert one["total"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (STATUS | {"trangThai": "chay"}, "trangThai"),
        (STATUS | {"maThietBi": "X"}, "maThietBi"),
        ({k: v for k, v in STATUS.items() if k != "thoiDiem"}, "thoiDiem"),
        (STATUS | {"pin": 80}, "pin"),
    ],
)
async def test_a_bad_status_upload_is_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/demo/thiet-bi/trang-thai", json=body)
    assert response.status_code == 422
    assert field_of(response) == field
    assert (await ok(client.get("/demo/thiet-bi/trang-thai")))["total"] == 0


async def test_statistics_accumulate_and_must_name_a_published_item(client: httpx.AsyncClient) -> None:
    await ok(client.post("/demo/thong-ke", json=PLAYS))
    await ok(client.post("/demo/thong-ke", json=PLAYS))  # two uploads are two reports
    await ok(
        client.post("/demo/thong-ke", json=PLAYS | {"maBanTin": "BT-04", "ngay": "2025-11-22T00:00:00+07:00"})
    )
    unknown = await client.post("/demo/thong-ke", json=PLAYS | {"maBanTin": "BT-99"})
    assert unknown.status_code == 422
    assert (unknown.json()["error"], field_of(unknown)) == ("unknown_item", "maBanTin")
    assert (await client.post("/demo/thong-ke", json=PLAYS | {"soLanPhat": -1})).status_code == 422
    everything = await ok(client.get("/demo/thong-ke"))
    assert everything["total"] == 3
    assert [i["maBanGhi"] for i in everything["items"]] == sorted(i["maBanGhi"] for i in everything["items"])
    bt03 = await ok(client.get("/demo/thong-ke", params={"maBanTin": "BT-03"}))
    assert bt03["total"] == 2
    later = await ok(client.get("/demo/thong-ke", params={"tuNgay": "2025-11-21"}))
    assert [i["maBanTin"] for i in later["items"]] == ["BT-04"]
    bad_range = await client.get("/demo/thong-ke", params={"tuNgay": "2025-11-22", "denNgay": "2025-11-01"})
    assert (bad_range.status_code, field_of(bad_range)) == (422, "denNgay")


async def test_scenarios_apply_to_broadcast_routes(client: httpx.AsyncClient) -> None:
    failed = await client.post("/demo/thong-ke", json=PLAYS, headers=scenario("error:502"))
    assert failed.status_code == 502
    assert (await ok(client.get("/demo/thong-ke")))["total"] == 0
    assert (await client.get("/demo/ban-tin", headers=scenario("not-found"))).status_code == 404


def test_published_items_need_unique_ids_and_iso_dates() -> None:
    with pytest.raises(ValueError, match="unique"):
        Broadcast("/b", "b", BULLETINS + BULLETINS[:1], "maBanTin", "ngayPhatHanh", ("maBanTin",))
    with pytest.raises(ValueError):
        Broadcast(
            "/b", "b", ({"maBanTin": "X", "ngayPhatHanh": "20/11/2025"},), "maBanTin", "ngayPhatHanh", ()
        )


async def test_an_upload_route_below_the_items_route_is_not_taken_for_an_item(demo: DemoClient) -> None:
    nested = Broadcast(
        "/ban-tin",
        "banTin",
        BULLETINS,
        "maBanTin",
        "ngayPhatHanh",
        ("maBanTin",),
        uploads=(
            Upload("/ban-tin/thong-ke", "thongKe", PlayStatistics, device="maThietBi", item_field="maBanTin"),
        ),
    )
    async with demo(nested) as client:
        assert (await client.post("/demo/ban-tin/thong-ke", json=PLAYS)).status_code == 201
        assert (await ok(client.get("/demo/ban-tin/thong-ke")))["total"] == 1
        assert (await ok(client.get("/demo/ban-tin/BT-01")))["maBanTin"] == "BT-01"


async def test_an_upload_with_several_faults_names_each_and_is_logged(
    client: httpx.AsyncClient, host: DemoHost
) -> None:
    response = await client.post(
        "/demo/thiet-bi/trang-thai", json=STATUS | {"maThietBi": "X", "trangThai": "?"}
    )
    assert response.status_code == 422
    assert sorted(problem["loc"][-1] for problem in response.json()["detail"]) == ["maThietBi", "trangThai"]
    await client.post("/demo/thiet-bi/trang-thai", json=STATUS)
    assert [(e["operation"], e["ketQua"]) for e in host.access_log] == [
        ("trangThaiThietBi", "invalid"),
        ("trangThaiThietBi", "accepted"),
    ]
