"""The insurance mock (csdl_bao_hiem) beyond the example cases: generated people, ambiguity, box codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from ndxp_sim.core import identities as ids
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.people import dmy
from ndxp_sim.mock_services.population import Citizen, HealthInsurance, Population
from ndxp_sim.mock_services.population.dates import add_years

CARD = "/csdl_bao_hiem/the-bhyt/kiem-tra"
CRITERIA = "/csdl_bao_hiem/ma-so-bhxh/tra-cuu"
OFFICER = {"hoTenCb": "Trần Thị Bé", "cccdCb": ids.COUPLE_HUSBAND}


def population_of(app: FastAPI) -> Population:
    population: Population = app.state.mocks.population
    return population


def insured(population: Population) -> list[tuple[Citizen, HealthInsurance]]:
    pairs = []
    for person in population.citizens.values():
        if person.so_dinh_danh not in population.fixed_assets.people:
            record = population.health_insurance(person.so_dinh_danh)
            if record is not None:
                pairs.append((person, record))
    return pairs


async def check(client: httpx.AsyncClient, person: Citizen, card: str, **changes: str) -> dict[str, Any]:
    body = {"maThe": card, "hoTen": person.ho_va_ten, "ngaySinh": dmy(person.ngay_sinh), **OFFICER}
    response = await client.post(CARD, json=body | changes)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_a_generated_persons_card_answers_with_the_populations_record(
    client: httpx.AsyncClient, mock_app: FastAPI
) -> None:
    today = now_vn().date()
    pairs = insured(population_of(mock_app))
    valid = next((p, r) for p, r in pairs if r.trang_thai == "Còn hiệu lực" and r.gt_the_den >= today)
    expired = next((p, r) for p, r in pairs if r.trang_thai == "Hết hạn")
    for (person, record), code in ((valid, "000"), (expired, "010")):
        answer = await check(client, person, record.ma_the)
        assert answer["maKetQua"] == code
        assert answer["gtTheTu"] == dmy(record.gt_the_tu)
        assert answer["gtTheDen"] == dmy(record.gt_the_den)
        assert answer["maDKBD"] == record.ma_dkbd
        assert answer["ngayDu5Nam"] == dmy(record.ngay_du_5_nam)


async def test_every_child_under_six_is_insured_from_birth(
    client: httpx.AsyncClient, mock_app: FastAPI
) -> None:
    population = population_of(mock_app)
    today = now_vn().date()
    children = [p for p in population.citizens.values() if not p.da_mat and add_years(p.ngay_sinh, 6) > today]
    assert children, "a 300-person population has young children"
    for person in children:
        record = population.health_insurance(person.so_dinh_danh)
        assert record is not None, person.so_dinh_danh
        answer = await check(client, person, record.ma_the)
        assert answer["maKetQua"] == "000"
        if record.ma_doi_tuong == "TE":  # a poor household's child is insured in the poor group instead
            assert answer["gtTheTu"] == dmy(person.ngay_sinh)
            assert record.gt_the_den >= add_years(person.ngay_sinh, 6) - timedelta(days=1)


async def test_a_wrong_province_box_and_a_name_with_another_initial_have_their_own_codes(
    client: httpx.AsyncClient, mock_app: FastAPI
) -> None:
    an = population_of(mock_app).citizen(ids.CITIZEN_EXISTS)
    assert an is not None
    other_province = ids.BHYT_CARD_EXISTS[:3] + "01" + ids.BHYT_CARD_EXISTS[5:]
    assert (await check(client, an, other_province))["maKetQua"] == "052"
    assert (await check(client, an, ids.BHYT_CARD_EXISTS, hoTen="Trần Văn An"))["maKetQua"] == "060"
    # Case and spacing do not matter; diacritics do (the 061 case shows it).
    assert (await check(client, an, ids.BHYT_CARD_EXISTS, hoTen=" nguyễn  VĂN an "))["maKetQua"] == "000"


async def test_criteria_matching_several_people_ask_for_more(
    client: httpx.AsyncClient, mock_app: FastAPI
) -> None:
    population = population_of(mock_app)
    first, second = [p for p, _ in insured(population) if p.gioi_tinh == "Nữ"][:2]
    # Namesakes born the same day: the real registry has them; make two in this population.
    second.ho, second.chu_dem, second.ten = first.ho, first.chu_dem, first.ten
    second.ngay_sinh = first.ngay_sinh
    body = {"hoTen": first.ho_va_ten, "ngaySinh": f"{first.ngay_sinh:%Y%m%d}", "gioiTinh": "2"}
    answer = (await client.post(CRITERIA, json=body)).json()
    assert answer == {
        "errorCode": "2",
        "trangThai": "Có nhiều người phù hợp, cần bổ sung tiêu chí tìm kiếm",
        "maSoBhxh": None,
        "soKetQua": 2,
    }
    answer = (await client.post(CRITERIA, json=body | {"soCccd": second.so_dinh_danh})).json()
    assert (answer["errorCode"], answer["maSoBhxh"]) == ("0", second.ma_so_bhxh)


async def test_the_backend_names_the_field_it_refuses(client: httpx.AsyncClient) -> None:
    bad = {"hoTen": "Nguyễn Văn An", "ngaySinh": "19850315", "gioiTinh": "1", "maXaKs": "30307"}
    response = await client.post(CRITERIA, json=bad)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "maXaKs"]
    response = await client.get("/csdl_bao_hiem/ho-gia-dinh/0012345678")
    assert (response.status_code, response.json()["error"]) == (422, "invalid_ma_so_bhxh")
