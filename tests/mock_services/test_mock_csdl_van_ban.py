"""The legal-documents mock (csdl_van_ban): diacritic-insensitive search and symbol lookup, shipped data."""

from __future__ import annotations

import httpx
import pytest

from ndxp_sim.core.legal_documents import documents
from ndxp_sim.core.text import fold

SEARCH = "/csdl_van_ban/van-ban"


def symbols(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["SoKyHieu"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "words", ["bảo vệ dữ liệu cá nhân", "bao ve du lieu ca nhan", "BẢO VỆ DỮ LIỆU", "Bao Ve  Du Lieu"]
)
async def test_words_with_or_without_diacritics_find_the_same_document(
    client: httpx.AsyncClient, words: str
) -> None:
    assert symbols(await client.get(SEARCH, params={"tuKhoa": words})) == ["13/2023/NĐ-CP"]


async def test_every_word_must_occur(client: httpx.AsyncClient) -> None:
    both = symbols(await client.get(SEARCH, params={"tuKhoa": "căn cước"}))
    assert set(both) == {"26/2023/QH15", "59/2014/QH13", "137/2015/NĐ-CP", "70/2024/NĐ-CP"}
    assert symbols(await client.get(SEARCH, params={"tuKhoa": "căn cước thuế"})) == []


@pytest.mark.parametrize("typed", ["45/2020/NĐ-CP", "45/2020/ND-CP", "45/2020/nđ-cp", "45/2020/nd-cp"])
async def test_the_symbol_is_found_however_the_d_is_typed(client: httpx.AsyncClient, typed: str) -> None:
    response = await client.get(f"{SEARCH}/chi-tiet", params={"soKyHieu": typed})
    assert response.status_code == 200
    assert response.json()["SoKyHieu"] == "45/2020/NĐ-CP"
    assert response.json()["NgayBanHanh"] == "2020-04-08"


async def test_a_symbol_prefix_lists_that_years_documents_newest_first(client: httpx.AsyncClient) -> None:
    found = await client.get(SEARCH, params={"soKyHieu": "86/2024"})
    assert symbols(found) == ["86/2024/TT-BTC"]
    decrees = symbols(await client.get(SEARCH, params={"maLoaiVanBan": "ND", "tuNgay": "2024-01-01"}))
    assert decrees == ["70/2024/NĐ-CP", "63/2024/NĐ-CP"]


async def test_replacement_is_linked_both_ways(client: httpx.AsyncClient) -> None:
    old = (await client.get(f"{SEARCH}/chi-tiet", params={"soKyHieu": "137/2015/NĐ-CP"})).json()
    new = (await client.get(f"{SEARCH}/chi-tiet", params={"soKyHieu": "70/2024/NĐ-CP"})).json()
    assert (old["MaTinhTrangHieuLuc"], old["ThayTheBoi"]) == ("HET_HIEU_LUC", ["70/2024/NĐ-CP"])
    assert new["ThayTheVanBan"] == ["137/2015/NĐ-CP"]


async def test_provincial_documents_are_marked_synthetic(client: httpx.AsyncClient) -> None:
    body = (await client.get(SEARCH, params={"maCoQuanBanHanh": "UBND-AG", "pageSize": 50})).json()
    assert body["total"] > 0
    assert {item["NguonDuLieu"] for item in body["items"]} == {"synthetic"}


async def test_an_end_before_the_start_names_the_end(client: httpx.AsyncClient) -> None:
    response = await client.get(SEARCH, params={"tuNgay": "2024-02-01", "denNgay": "2024-01-01"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "denNgay"]


def test_the_shipped_data_is_consistent() -> None:
    shipped = documents()
    keys = {fold(d.so_ky_hieu) for d in shipped}
    assert len(keys) == len(shipped), "two symbols fold to the same key"
    for document in shipped:
        assert all(fold(other) in keys for other in document.thay_the_boi), document.so_ky_hieu
        if document.ngay_hieu_luc:
            assert document.ngay_ban_hanh <= document.ngay_hieu_luc
        if document.ngay_het_hieu_luc:
            assert document.tinh_trang == "HET_HIEU_LUC"
