"""The civil-servant mock (csdl_can_bo): pushes change what lookups and searches answer; every servant is a
citizen."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from ndxp_sim.core import identities as ids
from ndxp_sim.mock_services.population import Population

PUSH = "/csdl_can_bo/can-bo/cap-nhat"
HUSBAND = {
    "soDinhDanh": ids.COUPLE_HUSBAND,
    "hoTen": "Lê Văn Cường",
    "ngaySinh": "1988-07-02",
    "gioiTinh": "Nam",
    "maCoQuan": ids.AGENCY_SERVANT,
    "chucVu": "Chuyên viên",
    "maNgach": "01.003",
    "bacLuong": 5,
    "heSoLuong": 3.66,
    "ngayTuyenDung": "2012-08-01",
}


async def push(client: httpx.AsyncClient, *records: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.post(PUSH, json={"danhSach": list(records)})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["ketQua"]
    return results


async def names_in(client: httpx.AsyncClient, agency: str) -> set[str]:
    page = (await client.get("/csdl_can_bo/can-bo", params={"maCoQuan": agency, "pageSize": 100})).json()
    return {item["soDinhDanh"] for item in page["items"]}


async def test_a_push_moves_a_servant_and_versions_the_record(client: httpx.AsyncClient) -> None:
    moved = HUSBAND | {"maCoQuan": "000.00.02.H91", "chucVu": "Phó Trưởng phòng"}
    assert [r["thaoTac"] for r in await push(client, moved)] == ["created"]
    assert [r["thaoTac"] for r in await push(client, moved)] == ["unchanged"]
    found = (await client.get(f"/csdl_can_bo/can-bo/{ids.COUPLE_HUSBAND}")).json()
    assert (found["nguon"], found["phienBan"], found["tenCoQuan"]) == (
        "CAP_NHAT",
        1,
        "Sở Nội vụ tỉnh An Giang",
    )
    assert ids.COUPLE_HUSBAND in await names_in(client, "000.00.02.H91")
    assert ids.COUPLE_HUSBAND not in await names_in(client, ids.AGENCY_SERVANT)
    assert [r["thaoTac"] for r in await push(client, moved | {"bacLuong": 6, "heSoLuong": 3.99})] == [
        "updated"
    ]
    found = (await client.get(f"/csdl_can_bo/can-bo/{ids.COUPLE_HUSBAND}")).json()
    assert (found["phienBan"], found["bacLuong"]) == (2, 6)


async def test_people_who_cannot_be_servants_are_rejected_naming_the_field(client: httpx.AsyncClient) -> None:
    deceased = HUSBAND | {
        "soDinhDanh": ids.CITIZEN_DECEASED,
        "hoTen": "Trần Văn Bình",
        "ngaySinh": "1945-06-20",
    }
    child = HUSBAND | {
        "soDinhDanh": ids.COUPLE_CHILD,
        "hoTen": "Lê Ngọc Hân",
        "ngaySinh": "2016-05-09",
        "gioiTinh": "Nữ",
        "ngayTuyenDung": "2025-01-02",
    }
    future = HUSBAND | {"ngayTuyenDung": "2099-01-01"}
    results = await push(client, deceased, child, future)
    assert [r["loi"] for r in results] == [
        [{"truong": "soDinhDanh", "lyDo": "công dân đã chết"}],
        [{"truong": "ngayTuyenDung", "lyDo": "trước khi đủ 18 tuổi"}],
        [{"truong": "ngayTuyenDung", "lyDo": "ở tương lai"}],
    ]
    found = (await client.get(f"/csdl_can_bo/can-bo/{ids.COUPLE_HUSBAND}")).json()
    assert found["nguon"] == "CSDL"  # nothing of a rejected record is stored


async def test_national_servants_are_the_populations(client: httpx.AsyncClient, mock_app: FastAPI) -> None:
    population: Population = mock_app.state.mocks.population
    agencies = population.servant_registry.servants_by_agency
    assert len(agencies) > 3
    for agency in sorted(agencies)[:5]:
        expected = {servant.so_dinh_danh for servant in population.civil_servants_of(agency)}
        assert await names_in(client, agency) == expected
        for person_id in sorted(expected)[:3]:
            found = (await client.get(f"/csdl_can_bo/can-bo/{person_id}")).json()
            servant, person = population.civil_servant(person_id), population.citizen(person_id)
            assert servant is not None and person is not None
            assert (found["hoTen"], found["maNgach"], found["heSoLuong"]) == (
                person.ho_va_ten,
                servant.ma_ngach,
                servant.he_so_luong,
            )
