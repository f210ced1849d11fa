"""#19 State Bank catalogues: the synthetic rates' rules (seeded, banded, weekends) that cases cannot pin."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import httpx
from mock_helpers import contract_get

from ndxp_sim.core import catalogues
from ndxp_sim.mock_services.danh_muc_nhnn import REFERENCE_SPREAD, central_rate
from tests.contract_checks import response_validator

BASE = "/danh_muc_nhnn"


async def get(client: httpx.AsyncClient, path: str, **query: str) -> dict[str, Any]:
    body: dict[str, Any] = await contract_get(client, "danh_muc_nhnn", path, **query)
    return body


async def test_the_central_rate_is_banded_and_the_reference_rates_sit_inside_the_band(
    client: httpx.AsyncClient,
) -> None:
    central = await get(client, "/ty-gia-trung-tam", ngay="2025-07-01")
    rate = central["tyGiaTrungTam"]
    assert 24_000 < rate < 26_000  # near the published 2025 level
    assert central["tyGiaTran"] == round(rate * 1.05) and central["tyGiaSan"] == round(rate * 0.95)
    reference = await get(client, "/ty-gia-tham-chieu", ngay="2025-07-01")
    assert reference["tyGiaMuaUSD"] == central["tyGiaSan"] + REFERENCE_SPREAD
    assert reference["tyGiaBanUSD"] == central["tyGiaTran"] - REFERENCE_SPREAD
    euro = next(item for item in reference["tyGiaTinhCheo"] if item["maNgoaiTe"] == "EUR")
    assert rate < euro["tyGia"] < rate * 1.3


async def test_a_weekend_repeats_friday_and_a_working_day_has_its_own_rate(client: httpx.AsyncClient) -> None:
    friday = await get(client, "/ty-gia-trung-tam", ngay="2025-07-04")
    saturday = await get(client, "/ty-gia-trung-tam", ngay="2025-07-05")
    sunday = await get(client, "/ty-gia-trung-tam", ngay="2025-07-06")
    assert friday["tyGiaTrungTam"] == saturday["tyGiaTrungTam"] == sunday["tyGiaTrungTam"]
    assert {saturday["ngayCongBo"], sunday["ngayCongBo"]} == {"2025-07-04"}
    monday = await get(client, "/ty-gia-trung-tam", ngay="2025-07-07")
    assert monday["ngayCongBo"] == "2025-07-07"


def test_rates_are_fixed_by_the_seed_and_move_little_from_day_to_day() -> None:
    days = [date(2024, 1, 1) + timedelta(days=offset) for offset in range(400)]
    first = [central_rate(1, day) for day in days]
    assert first == [central_rate(1, day) for day in days]
    assert first != [central_rate(2, day) for day in days]
    assert max(abs(b - a) for a, b in itertools.pairwise(first)) <= 30


async def test_a_day_the_mock_refuses_names_the_parameter(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/ty-gia-trung-tam", params={"ngay": "01/07/2025"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "ngay"]
    response_validator("backends/danh_muc_nhnn.openapi.yaml", "/ty-gia-trung-tam", "get", "422").validate(
        response.json()
    )


def test_bank_bins_are_unique_six_digit_codes() -> None:
    bins = [bank.bin for bank in catalogues.banks()]
    assert len(bins) == len(set(bins)) == 46
    assert all(len(code) == 6 and code.isascii() and code.isdigit() for code in bins)
    assert {bank.code for bank in catalogues.banks() if bank.bin in ("970436", "970415", "970418")} == {
        "VCB",
        "ICB",
        "BIDV",
    }
