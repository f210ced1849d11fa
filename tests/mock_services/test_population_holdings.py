"""What the population holds (insurance, civil-service posts, vehicles, licences, land) and its rules."""

from __future__ import annotations

import itertools
import pickle
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from ndxp_sim.core import catalogues, identities
from ndxp_sim.core.identifiers import (
    BHYT_BENEFIT_LEVELS,
    LICENCE_CLASSES,
    agency_code_is_valid,
    bhxh_is_valid,
    bhyt_card_is_valid,
    bhyt_card_parse,
    land_certificate_is_valid,
    licence_class_allowed,
    licence_number_is_valid,
    make_bhyt_card,
    make_car_plate,
    make_motorbike_plate,
    parcel_key_is_valid,
    plate_is_valid,
    plate_parse,
    rank_code_is_valid,
)
from ndxp_sim.core.model import Citizen, HealthInsurance
from ndxp_sim.mock_services import csdl_dan_cu
from ndxp_sim.mock_services.population import Population, build_population
from ndxp_sim.mock_services.population.civil_service import RANKS, coefficient
from ndxp_sim.mock_services.population.dates import REFERENCE_DATE, REORGANISATION_DATE, add_years, age_on
from ndxp_sim.mock_services.population.insurance import EXPIRED, HOUSEHOLD_DISCOUNTS, VALID, WITHDRAWN

SEED, SIZE = 7, 3000


@pytest.fixture(scope="module")
def population() -> Population:
    return build_population(SEED, SIZE)


def _living_adult(person: Citizen, on: date = REFERENCE_DATE) -> bool:
    return not person.da_mat and age_on(person.ngay_sinh, on) >= 18


def _insured(population: Population) -> Iterator[tuple[Citizen, HealthInsurance]]:
    for person in population.citizens.values():
        record = population.health_insurance(person.so_dinh_danh)
        if record is not None:
            yield person, record


def _couple_has_a_son(population: Population, born: date) -> Citizen:
    """Register a son of the fixed couple, born at their home."""
    return population.register_birth(
        ho="Lê",
        chu_dem="Minh",
        ten="Khang",
        gioi_tinh="Nam",
        ngay_sinh=born,
        noi_sinh=population.citizen(identities.COUPLE_WIFE).thuong_tru,
        dan_toc="01",
        cha=identities.COUPLE_HUSBAND,
        me=identities.COUPLE_WIFE,
    )


# Identifier rules.


def test_bhxh_and_bhyt_card_rules() -> None:
    assert bhxh_is_valid("8912345678") and bhxh_is_valid("0100000001")
    assert not bhxh_is_valid("0312345678")  # 03 was never a province code
    assert not bhxh_is_valid("891234567") and not bhxh_is_valid("89123456789")
    card = make_bhyt_card("TE", "91", "8912345681")
    assert card == "TE2918912345681" and len(card) == 15 and bhyt_card_is_valid(card)
    parts = bhyt_card_parse("HT3898900123456")
    assert (parts.object_code, parts.benefit_level, parts.province_code, parts.ma_so_bhxh) == (
        "HT",
        3,
        "89",
        "8900123456",
    )
    for bad in ("TE4918912345681", "ZZ4918912345681", "DN4038912345678", "DN491891234567", "dn4918912345678"):
        assert not bhyt_card_is_valid(bad), bad
    with pytest.raises(ValueError, match="unknown BHYT"):
        make_bhyt_card("ZZ", "91", "8912345678")


def test_plate_rules() -> None:
    assert make_car_plate("67", "A", 12345) == "67A-123.45"
    assert make_motorbike_plate("59", "X", 1, 7) == "59-X1 000.07"
    for plate in ("30E-123.45", "51K-999.99", "67-B1 234.56", "29-A1 123.45", "68C-001.02"):
        assert plate_is_valid(plate), plate
    assert plate_parse("67-B1 234.56").motorbike and not plate_parse("67A-123.45").motorbike
    for bad in (
        "13A-123.45",
        "67I-123.45",
        "67-O1 123.45",
        "67-B0 123.45",
        "67A-000.00",
        "67A12345",
        "67a-123.45",
    ):
        assert not plate_is_valid(bad), bad


def test_licence_number_class_and_age_rules() -> None:
    assert licence_number_is_valid("890123456789") and not licence_number_is_valid("030123456789")
    assert not licence_number_is_valid("89012345678")
    assert set(LICENCE_CLASSES) == {
        *("A1", "A", "B1", "B", "C1", "C", "D1", "D2", "D"),
        *("BE", "C1E", "CE", "D1E", "D2E", "DE"),
    }
    assert licence_class_allowed("B", 18) and not licence_class_allowed("B", 17)
    assert licence_class_allowed("C", 21) and not licence_class_allowed("C", 20)
    assert licence_class_allowed("CE", 24) and not licence_class_allowed("D", 26)
    assert not licence_class_allowed("B2", 40)  # the pre-2025 class no longer exists
    assert LICENCE_CLASSES["A1"][1] is None and LICENCE_CLASSES["B"][1] == 10 and LICENCE_CLASSES["C"][1] == 5


def test_land_and_civil_service_code_rules() -> None:
    assert parcel_key_is_valid("30307", 12, 345) and not parcel_key_is_valid("99999", 12, 345)
    assert not parcel_key_is_valid("30307", 0, 345) and not parcel_key_is_valid("30307", 1, 10_000)
    assert land_certificate_is_valid("DA 123456", "CS01234") and land_certificate_is_valid("AB 000001")
    for serial, entry in (("DA123456", None), ("DA 12345", None), ("DA 123456", "CX01234")):
        assert not land_certificate_is_valid(serial, entry)
    assert agency_code_is_valid("000.00.03.H91") and not agency_code_is_valid("000.00.03.H89")  # 89: old code
    assert not agency_code_is_valid("000.00.3.H91")
    assert rank_code_is_valid("01.003") and not rank_code_is_valid("1.003")


# Every generated identifier follows the rules.


def test_every_generated_identifier_validates(population: Population) -> None:
    cars, land, posts = population.vehicle_registry, population.land_registry, population.servant_registry
    for _, record in _insured(population):
        assert bhxh_is_valid(record.ma_so_bhxh) and bhyt_card_is_valid(record.ma_the), record
    assert all(plate_is_valid(plate) for plate in cars.vehicles)
    assert all(licence_number_is_valid(number) for number in cars.licences)
    for key, entry in land.parcels.items():
        assert parcel_key_is_valid(*key) and land_certificate_is_valid(entry.serial)
        parcel = population.parcel(*key)
        assert parcel is not None and land_certificate_is_valid(parcel.so_phat_hanh, parcel.so_vao_so)
    servants = [servant for ids in posts.servants_by_agency.values() for servant in ids]
    assert len(servants) == len(set(servants)) > 0.01 * len(population.citizens)
    for agency in posts.servants_by_agency:
        assert agency_code_is_valid(agency)
        for servant in population.civil_servants_of(agency):
            assert rank_code_is_valid(servant.ma_ngach)


# Insurance.


def test_insurance_numbers_are_unique_and_cards_match_their_holder(population: Population) -> None:
    numbers = Counter(person.ma_so_bhxh for person in population.citizens.values() if person.ma_so_bhxh)
    assert max(numbers.values()) == 1  # no two people share a number, so nobody has two
    insured = 0
    for person in population.citizens.values():
        record = population.health_insurance(person.so_dinh_danh)
        if person.ma_so_bhxh is None:
            assert record is None
            continue
        insured += 1
        parts = bhyt_card_parse(record.ma_the)
        assert parts.ma_so_bhxh == person.ma_so_bhxh == record.ma_so_bhxh
        assert (parts.object_code, parts.benefit_level) == (record.ma_doi_tuong, record.muc_huong)
        assert record.ma_ho_gia_dinh == person.household_id
        assert population.find_by_bhxh(person.ma_so_bhxh) is person
        assert population.insurance_by_card(record.ma_the) == record
        ward = catalogues.ward(person.thuong_tru.ward_code)
        new_rules = record.gt_the_tu >= REORGANISATION_DATE
        assert record.ma_tinh == (ward.province_code if new_rules else ward.old_province_code)
        facility = catalogues.facility(record.ma_dkbd)
        assert facility is not None and facility.province_code == person.thuong_tru.province_code
    assert insured > 0.85 * len(population.citizens)
    assert population.insurance_by_card("DN4918999999999") is None


def test_children_under_six_are_insured_until_72_months(population: Population) -> None:
    children = [p for p in population.citizens.values() if age_on(p.ngay_sinh) < 6]
    assert children
    for child in children:
        record = population.health_insurance(child.so_dinh_danh)
        assert record is not None and record.ma_doi_tuong == "TE" and record.muc_huong == 2, child
        sixth = add_years(child.ngay_sinh, 6)
        school_start = date(sixth.year, 9, 30)
        # 72 months, or until 30 September when the sixth birthday comes earlier in the year
        expected_end = school_start if sixth <= school_start else sixth - timedelta(days=1)
        assert record.gt_the_tu == child.ngay_sinh and record.gt_the_den == expected_end
        assert record.trang_thai == VALID
        assert record.ngay_du_5_nam == add_years(child.ngay_sinh, 5)


def test_card_validity_periods_are_consistent(population: Population) -> None:
    statuses: Counter[str] = Counter()
    for person, record in _insured(population):
        statuses[record.trang_thai] += 1
        assert person.ngay_sinh <= record.gt_the_tu <= record.gt_the_den, record
        assert record.ngay_du_5_nam >= add_years(person.ngay_sinh, 5)
        if person.da_mat:
            assert record.trang_thai == WITHDRAWN and record.gt_the_den <= person.ngay_mat
        else:
            assert record.trang_thai == (VALID if record.gt_the_den >= REFERENCE_DATE else EXPIRED)
            assert record.gt_the_tu <= REFERENCE_DATE
    assert statuses[VALID] > 0.8 * sum(statuses.values()) and statuses[EXPIRED] > 0


def test_insurance_history_names_real_employers(population: Population) -> None:
    kinds: Counter[str] = Counter()
    for person, record in _insured(population):
        kinds[record.ma_doi_tuong] += 1
        periods = record.qua_trinh
        for earlier, later in itertools.pairwise(periods):
            assert earlier.den_ngay is not None and earlier.den_ngay < later.tu_ngay
        for period in periods:
            assert period.tu_ngay >= add_years(person.ngay_sinh, 18)
            assert period.den_ngay is None or period.tu_ngay <= period.den_ngay
            if period.loai_don_vi == "DN":
                employer = population.enterprise(period.ma_don_vi)
                assert employer is not None and employer.ten_tieng_viet == period.ten_don_vi
                assert employer.ngay_dang_ky_lan_dau <= period.tu_ngay
            else:
                assert agency_code_is_valid(period.ma_don_vi)
        if record.ma_doi_tuong in {"DN", "HC"} and not person.da_mat:
            current = periods[-1]
            assert current.den_ngay is None and current.loai_don_vi == record.ma_doi_tuong
            if record.ma_doi_tuong == "DN":
                assert population.enterprise(current.ma_don_vi).ma_tinh_trang == "00"
        if record.ma_doi_tuong == "HT":
            assert periods and periods[-1].den_ngay is not None
        if record.ma_doi_tuong in {"TE", "HS", "GD"}:
            assert periods == ()
    assert {"TE", "HS", "DN", "HC", "HT", "GD"} <= set(kinds)
    assert all(code in BHYT_BENEFIT_LEVELS for code in kinds)


def test_household_insurance_members_pay_the_decreasing_rates(population: Population) -> None:
    covered = 0
    for household in population.households.values():
        cover = population.household_insurance(household.id)
        assert cover is not None and cover.ma_ho_gia_dinh == household.id
        amounts = [member.so_tien_nam for member in cover.thanh_vien]
        assert [member.thu_tu for member in cover.thanh_vien] == list(range(1, len(amounts) + 1))
        assert amounts == sorted(amounts, reverse=True)
        for member in cover.thanh_vien:
            assert member.so_dinh_danh in household.members
            assert population.health_insurance(member.so_dinh_danh).ma_doi_tuong == "GD"
        if amounts:
            covered += 1
            assert amounts[0] == 1_263_600  # 4.5% of the 2,340,000 base salary, 12 months
            if len(amounts) > 1:
                assert amounts[1] == round(amounts[0] * HOUSEHOLD_DISCOUNTS[1])
    assert covered > 0.2 * len(population.households)
    assert population.household_insurance("0000000000") is None


# Civil servants.


def test_civil_servants_are_living_citizens_insured_by_their_agency(population: Population) -> None:
    for agency, ids in population.servant_registry.servants_by_agency.items():
        for person_id in ids:
            person = population.citizen(person_id)
            servant = population.civil_servant(person_id)
            assert servant is not None and servant.ma_co_quan == agency
            assert not person.da_mat and 23 <= age_on(person.ngay_sinh) < 60
            assert agency.endswith("H" + person.thuong_tru.province_code)
            assert servant.ngay_tuyen_dung >= add_years(person.ngay_sinh, 22)
            rank = RANKS[servant.ma_ngach]
            assert servant.ten_ngach == rank.name and 1 <= servant.bac_luong <= rank.grades
            assert servant.he_so_luong == coefficient(rank, servant.bac_luong)
            record = population.health_insurance(person_id)
            assert record.ma_doi_tuong == "HC"
            assert (
                record.qua_trinh[-1].ma_don_vi == agency
                and record.qua_trinh[-1].ten_don_vi == servant.ten_co_quan
            )
    dead = next(person for person in population.citizens.values() if person.da_mat)
    assert population.civil_servant(dead.so_dinh_danh) is None


# Vehicles and licences.


def test_vehicles_belong_to_living_adults_of_the_plate_province(population: Population) -> None:
    owners = population.vehicle_registry.vehicles_by_owner
    assert sum(len(plates) for plates in owners.values()) == len(population.vehicle_registry.vehicles)
    for owner_id in owners:
        owner = population.citizen(owner_id)
        assert _living_adult(owner)
        ward = catalogues.ward(owner.thuong_tru.ward_code)
        for vehicle in population.vehicles_of(owner_id):
            assert vehicle.chu_so_huu == owner_id and population.vehicle(vehicle.bien_so) == vehicle
            assert vehicle.bien_so[:2] in catalogues.plate_codes(ward.old_province_code)
            assert vehicle.ngay_dang_ky >= add_years(owner.ngay_sinh, 18)
            assert vehicle.nam_san_xuat <= vehicle.ngay_dang_ky.year <= REFERENCE_DATE.year
            motorbike = vehicle.loai_xe == "Xe mô tô"
            assert plate_parse(vehicle.bien_so).motorbike == motorbike
            assert len(vehicle.so_khung) == 17 and not set(vehicle.so_khung) & set("IOQ")
            if motorbike:
                assert vehicle.dang_kiem is None
            else:
                check = vehicle.dang_kiem
                assert (
                    check is not None and vehicle.ngay_dang_ky <= check.ngay_kiem_dinh < check.han_kiem_dinh
                )
                assert check.ma_don_vi.startswith(vehicle.bien_so[:2] + "-")
    kinds = Counter(
        vehicle.loai_xe for vehicle in map(population.vehicle, population.vehicle_registry.vehicles)
    )
    assert kinds["Xe mô tô"] > kinds["Ô tô con"] > kinds["Ô tô tải"] > 0


def test_licence_classes_fit_ages_and_validity_follows_the_class(population: Population) -> None:
    statuses = Counter()
    for holder_id, numbers in population.vehicle_registry.licences_by_holder.items():
        holder = population.citizen(holder_id)
        assert _living_adult(holder)
        classes = []
        for licence in population.licences_of(holder_id):
            minimum_age, years = LICENCE_CLASSES[licence.hang]
            assert age_on(holder.ngay_sinh, licence.ngay_cap) >= minimum_age, licence
            assert licence.ngay_cap <= REFERENCE_DATE
            assert licence.ngay_het_han == (add_years(licence.ngay_cap, years) if years else None)
            expired = licence.ngay_het_han is not None and licence.ngay_het_han < REFERENCE_DATE
            assert licence.trang_thai in {"Bị thu hồi", "Hết hạn" if expired else "Còn hiệu lực"}
            assert 0 <= licence.diem <= 12
            ward = catalogues.ward(holder.thuong_tru.ward_code)
            new_rules = licence.ngay_cap >= REORGANISATION_DATE
            assert licence.so_gplx[:2] == (ward.province_code if new_rules else ward.old_province_code)
            statuses[licence.trang_thai] += 1
            classes.append(licence.hang)
        assert len(classes) == len(numbers) and len(set(classes)) == len(classes)
    assert statuses["Còn hiệu lực"] > 0.8 * sum(statuses.values())
    car_owners = [
        owner
        for owner, plates in population.vehicle_registry.vehicles_by_owner.items()
        if any(population.vehicle(plate).loai_xe == "Ô tô con" for plate in plates)
    ]
    licensed = sum(
        any(licence.hang not in {"A1", "A", "B1"} for licence in population.licences_of(owner))
        for owner in car_owners
    )
    assert licensed > 0.85 * len(car_owners)


# Land.


def test_parcels_are_held_by_living_adults_of_their_household(population: Population) -> None:
    for key, entry in population.land_registry.parcels.items():
        parcel = population.parcel(*key)
        household = population.households[entry.household_id]
        assert parcel.household_id == household.id and parcel.ma_xa == household.address.ward_code
        assert population.parcel_by_certificate(parcel.so_phat_hanh) == parcel
        assert parcel.chu_su_dung[0] == household.chu_ho
        for holder_id in parcel.chu_su_dung:
            holder = population.citizen(holder_id)
            assert holder.household_id == household.id and _living_adult(holder, parcel.ngay_cap)
            assert parcel in population.parcels_of(holder_id)
        ward = catalogues.ward(parcel.ma_xa)
        use = catalogues.land_use_types()[parcel.muc_dich]
        if use.group == "residential":
            assert parcel.muc_dich == ("ODT" if ward.type == "Phường" else "ONT")
            assert parcel.thoi_han is None and parcel.dia_chi == household.address
        else:
            assert parcel.thoi_han == add_years(parcel.ngay_cap, 50)
        assert parcel.so_vao_so[:2] == ("CS" if parcel.ngay_cap >= date(2014, 12, 10) else "CH")
        assert 0 < parcel.dien_tich < 20_000
    uses = Counter(entry.use_code for entry in population.land_registry.parcels.values())
    assert {"ONT", "ODT", "LUC", "CLN"} <= set(uses)


# Determinism and independence from the order of lookups.


def test_holdings_are_reproducible_and_independent_of_lookup_order() -> None:
    first, second = build_population(SEED, 800), build_population(SEED, 800)
    someone = next(p for p in second.citizens.values() if p.ma_so_bhxh and not p.da_mat)
    before = second.health_insurance(someone.so_dinh_danh)
    # A birth registered before the first registry lookup must not change who holds what.
    _couple_has_a_son(second, date(2026, 10, 1))
    assert first.vehicle_registry.vehicles == second.vehicle_registry.vehicles
    assert (
        first.vehicle_registry.licences == second.vehicle_registry.licences
        and first.land_registry.parcels == second.land_registry.parcels
    )
    assert first.servant_registry.servants_by_agency == second.servant_registry.servants_by_agency
    assert (
        second.health_insurance(someone.so_dinh_danh)
        == before
        == first.health_insurance(someone.so_dinh_danh)
    )
    other = build_population(SEED + 1, 800)
    assert set(other.vehicle_registry.vehicles) != set(first.vehicle_registry.vehicles)


def test_holdings_survive_the_pickle_cache() -> None:
    original = build_population(5, 300)
    plate = next(iter(original.vehicle_registry.vehicles_by_owner.values()))[0]
    copy = pickle.loads(pickle.dumps(original, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy == original and copy.vehicle(plate) == original.vehicle(plate)
    assert copy.health_insurance(identities.COUPLE_BABY) == original.health_insurance(identities.COUPLE_BABY)


def test_a_registered_birth_gets_a_bhxh_number_and_a_child_card() -> None:
    population = build_population(11, 200)
    child = _couple_has_a_son(population, date(2026, 10, 2))
    assert bhxh_is_valid(child.ma_so_bhxh) and child.ma_so_bhxh.startswith("91")  # born after 2025: new code
    assert population.find_by_bhxh(child.ma_so_bhxh) is child
    card = population.health_insurance(child.so_dinh_danh)
    assert card.ma_the == f"TE291{child.ma_so_bhxh}" and card.gt_the_tu == child.ngay_sinh
    assert card.gt_the_den == date(2032, 10, 1)  # the day before 72 months (born after 30 September)


# The spouse: one rule for every operation.


def test_widowed_and_married_people_show_the_same_spouse_in_every_operation(population: Population) -> None:
    widowed = [
        person
        for person in population.citizens.values()
        if person.tinh_trang_hon_nhan == "Góa" and person.vo_chong and not person.da_mat
    ]
    married = [
        p for p in population.citizens.values() if p.tinh_trang_hon_nhan == "Đã kết hôn" and not p.da_mat
    ]
    assert widowed and married
    for person in widowed[:20] + married[:20]:
        payload = {"SoDinhDanh": person.so_dinh_danh}
        shown = csdl_dan_cu.tra_cuu(population, payload)["CongdanCollection"]["CongDan"]["VoChong"]
        verified = csdl_dan_cu.xac_minh_hon_nhan(population, payload)["VoChong"]
        assert shown == verified
        spouse = population.spouse_of(person)
        if person.tinh_trang_hon_nhan == "Góa":
            assert shown is None and spouse is None  # the late spouse is not a current spouse
        else:
            assert shown["SoDinhDanh"] == person.vo_chong == spouse.so_dinh_danh


# Fixed test identities.


@pytest.mark.parametrize("seed, size", [(SEED, 1000), (20251, 50)])
def test_fixed_identities_hold_the_same_records_whatever_the_seed(seed: int, size: int) -> None:
    population = build_population(seed, size)
    baby = population.citizen(identities.COUPLE_BABY)
    assert age_on(baby.ngay_sinh) < 6 and baby.me == identities.COUPLE_WIFE
    assert baby.so_dinh_danh in population.household_of(baby).members
    cards = {
        identities.CITIZEN_EXISTS: identities.BHYT_CARD_EXISTS,
        identities.COUPLE_HUSBAND: identities.BHYT_CARD_SERVANT,
        identities.COUPLE_WIFE: identities.BHYT_CARD_HOUSEHOLD,
        identities.COUPLE_CHILD: identities.BHYT_CARD_PUPIL,
        identities.COUPLE_BABY: identities.BHYT_CARD_CHILD,
        identities.CITIZEN_DECEASED: identities.BHYT_CARD_DECEASED,
    }
    for person_id, card in cards.items():
        record = population.health_insurance(person_id)
        assert record.ma_the == card and bhyt_card_is_valid(card)
        assert record.ma_so_bhxh == population.citizen(person_id).ma_so_bhxh == card[-10:]
        assert population.insurance_by_card(card) == record
    child_card = population.health_insurance(identities.COUPLE_BABY)
    assert (child_card.ma_doi_tuong, child_card.gt_the_tu, child_card.gt_the_den) == (
        "TE",
        date(2023, 3, 14),
        date(2029, 9, 30),
    )
    assert population.health_insurance(identities.CITIZEN_DECEASED).trang_thai == WITHDRAWN
    assert population.health_insurance(identities.CITIZEN_EXISTS).qua_trinh[0].ma_don_vi == (
        identities.ENTERPRISE_ACTIVE
    )
    servant = population.civil_servant(identities.COUPLE_HUSBAND)
    assert servant.ma_co_quan == identities.AGENCY_SERVANT and agency_code_is_valid(servant.ma_co_quan)
    assert servant in population.civil_servants_of(identities.AGENCY_SERVANT)
    assert {vehicle.bien_so for vehicle in population.vehicles_of(identities.CITIZEN_EXISTS)} == {
        identities.PLATE_CAR,
        identities.PLATE_MOTORBIKE,
    }
    assert population.vehicle(identities.PLATE_MOTORBIKE_COUPLE).chu_so_huu == identities.COUPLE_HUSBAND
    assert population.vehicle(identities.PLATE_CAR).dang_kiem.han_kiem_dinh == date(2027, 9, 9)
    assert {licence.hang for licence in population.licences_of(identities.CITIZEN_EXISTS)} == {"A1", "B"}
    assert population.licence(identities.LICENCE_CAR).ngay_het_han == date(2028, 5, 20)
    assert population.licence(identities.LICENCE_MOTORBIKE_COUPLE).so_dinh_danh == identities.COUPLE_HUSBAND
    ward, sheet, number = identities.PARCEL_EXISTS.split("-")
    parcel = population.parcel(ward, int(sheet), int(number))
    assert (
        parcel.chu_su_dung == (identities.CITIZEN_EXISTS,)
        and parcel.so_phat_hanh == identities.CERTIFICATE_EXISTS
    )
    couple_parcel = population.parcel_by_certificate(identities.CERTIFICATE_COUPLE)
    assert couple_parcel.ma_thua == identities.PARCEL_COUPLE
    assert couple_parcel.chu_su_dung == (identities.COUPLE_HUSBAND, identities.COUPLE_WIFE)
    assert population.parcels_of(identities.COUPLE_WIFE) == [couple_parcel]
    cover = population.household_insurance(identities.HOUSEHOLD_COUPLE)
    assert [member.so_dinh_danh for member in cover.thanh_vien] == [identities.COUPLE_WIFE]
    # Generated records never take a fixed identity's number, plate or parcel.
    fixed_people = set(population.fixed_assets.people)
    owners = {entry.owner for plate, entry in population.vehicle_registry.vehicles.items()}
    assert owners & fixed_people == {identities.CITIZEN_EXISTS, identities.COUPLE_HUSBAND}
    numbers = [p.ma_so_bhxh for p in population.citizens.values() if p.ma_so_bhxh]
    assert len(numbers) == len(set(numbers))
