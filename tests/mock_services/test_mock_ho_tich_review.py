"""The birth review refuses what a civil-status official refuses, each time with the reason in Vietnamese."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from mock_helpers import BIRTH, birth, eventually, soap_call

from ndxp_sim.core import identities as ids
from ndxp_sim.mock_services.dossier_checks import IN_POPULATION
from ndxp_sim.mock_services.population import Population

Prepare = Callable[[Population], None]


def _nothing(_: Population) -> None:
    return None


def _wife_died(population: Population) -> None:
    wife = population.citizens[ids.COUPLE_WIFE]
    wife.da_mat, wife.ngay_mat = True, date(2025, 3, 1)


def _husband_born(day: date) -> Prepare:
    def prepare(population: Population) -> None:
        husband = population.citizens[ids.COUPLE_HUSBAND]
        population.citizens[ids.COUPLE_HUSBAND] = dataclasses.replace(husband, ngay_sinh=day)

    return prepare


async def _outcome(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/ho_tich/khai-sinh", json=body)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = {}

    async def finished() -> bool:
        found.update((await client.get(f"/ho_tich/ho-so/{body['maHoSo']}")).json()["value"])
        return found["trangThai"] in ("rejected", "done")

    await eventually(finished)
    return found


REFUSALS = [
    pytest.param(
        {"meSoDDCN": ids.COUPLE_HUSBAND, "meHoTen": "Lê Văn Cường"},
        _nothing,
        f"Số định danh {ids.COUPLE_HUSBAND} của người mẹ là của công dân giới tính Nam",
        id="mother-is-a-man",
    ),
    pytest.param(
        {"meSoDDCN": ids.COUPLE_CHILD, "meHoTen": "Lê Ngọc Hân"},
        _nothing,
        "Tuổi của người mẹ tại ngày sinh của trẻ (9 tuổi) không phù hợp (từ 15 đến 55 tuổi)",
        id="mother-is-a-child",
    ),
    pytest.param(
        {},
        _wife_died,
        "Người mẹ (số định danh 091191012348) đã chết ngày 01/03/2025, trước ngày sinh của trẻ 20/10/2025",
        id="mother-dead-before-the-birth",
    ),
    pytest.param(
        {"meHoTen": "Phạm Thị Dũng"},
        _nothing,
        "Họ tên của người mẹ không khớp với thông tin của số định danh cá nhân 091191012348",
        id="mother-name-not-her-number",
    ),
    pytest.param(
        {"meSoDDCN": ids.CITIZEN_MISSING},
        _nothing,
        f"Không tìm thấy người mẹ có số định danh cá nhân {ids.CITIZEN_MISSING} {IN_POPULATION}",
        id="mother-not-in-the-register",
    ),
    pytest.param(
        {"chaSoDDCN": ids.COUPLE_WIFE, "chaHoTen": "Phạm Thị Dung"},
        _nothing,
        f"Số định danh {ids.COUPLE_WIFE} của người cha là của công dân giới tính Nữ",
        id="father-is-a-woman",
    ),
    pytest.param(
        {"chaSoDDCN": ids.CITIZEN_DECEASED, "chaHoTen": "Trần Văn Bình"},
        _nothing,
        "Người cha (số định danh 089045012346) đã chết ngày 10/08/2023, trước ngày sinh của trẻ 20/10/2025",
        id="father-dead-before-conception",
    ),
    pytest.param(
        {},
        _husband_born(date(2013, 1, 1)),
        "Tuổi của người cha tại ngày sinh của trẻ (12 tuổi) không phù hợp (từ 15 đến 80 tuổi)",
        id="father-implausibly-young",
    ),
    pytest.param(
        {"chaHoTen": "Lê Văn Cương"},
        _nothing,
        "Họ tên của người cha không khớp với thông tin của số định danh cá nhân 089088012347",
        id="father-name-not-his-number",
    ),
    pytest.param(
        {"nksDanToc": "99"},
        _nothing,
        "Dân tộc (nksDanToc = 99) không có trong danh mục 54 dân tộc Việt Nam",
        id="ethnic-group-not-one-of-54",
    ),
    pytest.param(
        {"nksNoiSinh": {"maTinh": "91", "maXa": "30280"}},
        _nothing,
        "Nơi sinh: mã xã 30280 (Phường Mỹ Bình) là đơn vị hành chính trước sắp xếp 01/07/2025",
        id="birthplace-is-a-pre-2025-commune",
    ),
    pytest.param(
        {"nksNoiSinh": {"maTinh": "01", "maXa": "30307"}},
        _nothing,
        "Nơi sinh: Phường Long Xuyên không thuộc tỉnh, thành phố có mã 01",
        id="birthplace-in-another-province",
    ),
    pytest.param(
        {"nksNoiSinh": {"maTinh": "91", "maXa": "99999"}},
        _nothing,
        "Nơi sinh: mã xã 99999 không có trong danh mục đơn vị hành chính",
        id="birthplace-unknown",
    ),
    pytest.param(
        {"nksNgaySinh": "2099-01-01"},
        _nothing,
        "Ngày sinh của trẻ (01/01/2099) sau ngày hiện tại",
        id="birth-in-the-future",
    ),
    pytest.param(
        {"nksNgaySinh": "1995-06-01"},
        _nothing,
        "Tuổi của người mẹ tại ngày sinh của trẻ (3 tuổi) không phù hợp",
        id="birth-before-the-mother-could-give-birth",
    ),
    pytest.param(
        {"nksHoTen": "Lê Minh Khôi", "nksNgaySinh": "2023-03-14"},
        _nothing,
        f"Trẻ đã được đăng ký khai sinh (số định danh {ids.COUPLE_BABY}): cùng người mẹ, họ tên và ngày sinh",
        id="child-already-registered",
    ),
]


@pytest.mark.parametrize(("changes", "prepare", "reason"), REFUSALS)
async def test_an_implausible_birth_is_refused_with_the_reason(
    client: httpx.AsyncClient,
    mock_app: FastAPI,
    changes: dict[str, Any],
    prepare: Prepare,
    reason: str,
) -> None:
    population = mock_app.state.mocks.population
    prepare(population)
    before = len(population.citizens)
    refused = await _outcome(client, birth(**changes))
    assert refused["trangThai"] == "rejected"
    assert refused["lichSu"][-1]["noiDungXuLy"].startswith(reason), refused["lichSu"][-1]["noiDungXuLy"]
    assert "ketQuaXuLy" not in refused
    assert len(population.citizens) == before  # nobody half-registered


async def test_a_plausible_birth_with_spelling_variants_of_the_names_is_registered(
    client: httpx.AsyncClient,
) -> None:
    # Clerks compare names with case and spacing ignored (and Unicode normalised), diacritics kept.
    done = await _outcome(client, birth(meHoTen="PHẠM  THỊ DUNG", chaHoTen="lê văn cường"))
    assert done["trangThai"] == "done"


async def test_the_same_child_sent_six_times_is_registered_once(
    client: httpx.AsyncClient, mock_app: FastAPI
) -> None:
    population = mock_app.state.mocks.population
    before = len(population.citizens)
    codes = [f"H01.30307-251101-000{n}" for n in range(1, 7)]
    for code in codes:
        assert (await client.post("/ho_tich/khai-sinh", json=birth(maHoSo=code))).status_code == 200
    outcomes = {}
    for code in codes:
        outcomes[code] = await _outcome(client, birth(maHoSo=code))
    assert outcomes[codes[0]]["trangThai"] == "done"
    for code in codes[1:]:
        assert outcomes[code]["trangThai"] == "rejected"
        assert outcomes[code]["lichSu"][-1]["noiDungXuLy"] == (
            f"Trẻ đã có hồ sơ đăng ký khai sinh khác đang giải quyết hoặc đã giải quyết (mã hồ sơ {codes[0]})"
        )
    assert len(population.citizens) == before + 1

    # Registered once, the child is refused by the register itself later on, whatever the dossier code.
    late = await _outcome(client, birth(maHoSo="H01.30307-251101-0099"))
    assert late["trangThai"] == "rejected"


async def test_a_chained_birth_of_a_child_already_in_a_plain_dossier_is_rejected_naming_it(
    client: httpx.AsyncClient,
) -> None:
    # A plain and a chained birth registration are one case to the official: the child is registered once.
    plain = await _outcome(client, birth(maHoSo="H01.30307-251101-0001"))
    assert plain["trangThai"] == "done"
    chained = birth(maHoSo="H01.30307-251101-LT01")
    assert (await client.post("/ho_tich/lien-thong/khai-sinh", json=chained)).status_code == 200
    found: dict[str, Any] = {}

    async def rejected() -> bool:
        found.update((await client.get(f"/ho_tich/ho-so/{chained['maHoSo']}")).json()["value"])
        return found["trangThai"] == "rejected"

    await eventually(rejected)
    assert found["lichSu"][-1]["noiDungXuLy"] == (
        "Trẻ đã có hồ sơ đăng ký khai sinh khác đang giải quyết hoặc đã giải quyết "
        "(mã hồ sơ H01.30307-251101-0001)"
    )


async def test_a_refused_dossier_does_not_block_a_corrected_one(client: httpx.AsyncClient) -> None:
    refused = await _outcome(client, birth(nksDanToc="99"))
    assert refused["trangThai"] == "rejected"
    corrected = await _outcome(client, birth(maHoSo=BIRTH["maHoSo"] + "-2"))
    assert corrected["trangThai"] == "done"


async def test_a_child_whose_residence_moved_is_still_found_registered(client: httpx.AsyncClient) -> None:
    status, _, _ = await soap_call(
        client,
        "DangKyThuongTru",
        MaYeuCau="YC-1",
        MaCanBo="CB-1",
        SoDinhDanh=ids.COUPLE_BABY,
        SoSoHoKhau=ids.HOUSEHOLD_EXISTS,
        QuanHeChuHo="Cháu",
        MaHoSo="HS-CU-TRU-1",
    )
    assert status == 200  # the son now lives outside his mother's household
    again = await _outcome(client, birth(nksHoTen="Lê Minh Khôi", nksNgaySinh="2023-03-14"))
    reason = again["lichSu"][-1]["noiDungXuLy"]
    assert reason.startswith(f"Trẻ đã được đăng ký khai sinh (số định danh {ids.COUPLE_BABY})"), reason
