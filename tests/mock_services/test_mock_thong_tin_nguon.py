"""The source-information mock (thong_tin_nguon): a device's newest status replaces the last, plays add up."""

from __future__ import annotations

from typing import Any

import httpx

from ndxp_sim.core.grassroots import bulletins

STATUS = "/thong_tin_nguon/thiet-bi/trang-thai"
PLAYS = "/thong_tin_nguon/thong-ke"


def status(device: str, state: str, at: str) -> dict[str, Any]:
    ward = device.split("-")[1]
    return {
        "maThietBi": device,
        "maXa": ward,
        "loaiThietBi": "CUM_LOA_IP",
        "trangThai": state,
        "thoiDiem": at,
    }


async def test_a_device_keeps_only_its_newest_status(client: httpx.AsyncClient) -> None:
    for body in (
        status("TTN-30307-001", "HOAT_DONG", "2025-11-20T08:00:00+07:00"),
        status("TTN-30301-002", "HOAT_DONG", "2025-11-20T08:05:00+07:00"),
        status("TTN-30307-001", "MAT_KET_NOI", "2025-11-20T09:00:00+07:00"),
    ):
        assert (await client.post(STATUS, json=body)).status_code == 201
    listed = (await client.get(STATUS)).json()
    assert listed["total"] == 2
    assert [(i["maThietBi"], i["trangThai"]) for i in listed["items"]] == [
        ("TTN-30301-002", "HOAT_DONG"),
        ("TTN-30307-001", "MAT_KET_NOI"),
    ]


async def test_every_statistics_report_is_kept_and_filtered_by_day(client: httpx.AsyncClient) -> None:
    base = {
        "maThietBi": "TTN-30307-001",
        "maXa": "30307",
        "maBanTin": "TTN-2025-0004",
        "tongThoiLuongGiay": 900,
    }
    for day, plays in (("2025-11-20", 1), ("2025-11-20", 2), ("2025-11-21", 4)):
        assert (
            await client.post(PLAYS, json=base | {"ngayPhat": day, "soLanPhat": plays})
        ).status_code == 201
    that_day = (await client.get(PLAYS, params={"tuNgay": "2025-11-20", "denNgay": "2025-11-20"})).json()
    assert [item["soLanPhat"] for item in that_day["items"]] == [1, 2]
    assert (await client.get(PLAYS, params={"maBanTin": "TTN-2025-0004"})).json()["total"] == 3


def test_bulletin_ids_are_unique_and_dates_in_order() -> None:
    items = bulletins()
    assert len({item["maBanTin"] for item in items}) == len(items)
    days = [item["ngayPhatHanh"] for item in items]
    assert days == sorted(days)
