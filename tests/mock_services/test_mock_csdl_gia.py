"""The price-DB mock (csdl_gia): the rules each pushed report must keep, and the synthetic history."""

from __future__ import annotations

from typing import Any

import httpx

from ndxp_sim.core import catalogues
from ndxp_sim.core.prices import goods
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.csdl_gia import HISTORY, history

PUSH = "/csdl_gia/bao-cao-gia"
REPORT = {
    "maTinh": "91",
    "maHangHoa": "XD01",
    "loaiGia": "BL",
    "kyBaoCao": "2025-11",
    "donViTinh": "đồng/lít",
    "giaBinhQuan": 21500,
    "giaThapNhat": 21000,
    "giaCaoNhat": 22000,
}


async def rejected_fields(client: httpx.AsyncClient, **changes: Any) -> list[str]:
    response = await client.post(PUSH, json={"danhSach": [REPORT | changes]})
    assert response.status_code == 200, response.text
    [result] = response.json()["ketQua"]
    return [problem["truong"] for problem in result.get("loi", [])]


async def test_a_valid_report_is_accepted(client: httpx.AsyncClient) -> None:
    assert await rejected_fields(client) == []


async def test_each_rule_names_its_field(client: httpx.AsyncClient) -> None:
    next_year = f"{now_vn().year + 1}-01"
    assert await rejected_fields(client, kyBaoCao=next_year) == ["kyBaoCao"]
    assert await rejected_fields(client, maTinh="99") == ["maTinh"]
    assert await rejected_fields(client, giaBinhQuan=210_000, giaCaoNhat=220_000) == ["giaBinhQuan"]  # 10x
    assert await rejected_fields(client, kyBaoCao="2025-13") == ["kyBaoCao"]
    assert await rejected_fields(client, giaThapNhat=0) == ["giaThapNhat"]
    assert await rejected_fields(client, soLuong=3) == ["soLuong"]  # unknown fields are refused


async def test_a_key_twice_in_one_batch_rejects_the_second(client: httpx.AsyncClient) -> None:
    body = (await client.post(PUSH, json={"danhSach": [REPORT, REPORT | {"giaBinhQuan": 21600}]})).json()
    assert [r["trangThai"] for r in body["ketQua"]] == ["accepted", "rejected"]


def test_the_history_covers_every_item_province_and_month_within_the_rules() -> None:
    rows = [row for rows in history().values() for row in rows]
    assert len(rows) == len(goods()) * len(catalogues.provinces()) * len(HISTORY)
    for row in rows:
        item = goods()[row["maHangHoa"]]
        assert row["giaThapNhat"] <= row["giaBinhQuan"] <= row["giaCaoNhat"]
        assert item.reference_price / 5 <= row["giaBinhQuan"] <= item.reference_price * 5
        assert row["donViTinh"] == item.unit


async def test_a_period_range_selects_whole_months(client: httpx.AsyncClient) -> None:
    query = {"maTinh": "91", "maHangHoa": "XD01", "tuKy": "2025-01", "denKy": "2025-03"}
    body = (await client.get("/csdl_gia/gia", params=query)).json()
    assert [item["kyBaoCao"] for item in body["items"]] == ["2025-03", "2025-02", "2025-01"]
    reversed_range = await client.get("/csdl_gia/gia", params=query | {"tuKy": "2025-04"})
    assert reversed_range.status_code == 422
    assert reversed_range.json()["detail"][0]["loc"] == ["query", "denKy"]
