"""The shared synthetic population: determinism, identifiers, family consistency, catalogues, cache."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ndxp_sim.core import catalogues, identities
from ndxp_sim.core.identifiers import (
    cccd_is_valid,
    cccd_parse,
    make_cccd,
    make_s10,
    mst_check_digit,
    mst_check_digit_holds,
    mst_is_valid,
    phone_carrier,
    phone_is_valid,
    s10_check_digit,
    s10_is_valid,
)
from ndxp_sim.core.model import Address
from ndxp_sim.mock_services.population import (
    Population,
    build_population,
    load_population,
    store,
)
from ndxp_sim.mock_services.population.dates import REORGANISATION_DATE
from ndxp_sim.mock_services.population.households import MAX_AGE, REFERENCE_DATE, add_years, age_on

SIZE = 1000
FIXED_CONSTANTS = [
    name
    for name in vars(identities)
    if re.fullmatch(r"(CITIZEN|COUPLE|ENTERPRISE|BHYT|AGENCY|PLATE|LICENCE|PARCEL|CERTIFICATE)_[A-Z_]+", name)
]


@pytest.fixture(scope="module")
def population() -> Population:
    return build_population(seed=7, size=SIZE)


# Identifier validators against real published examples.


@pytest.mark.parametrize("mst", ["0100109106", "0100233488", "0314409058", "0311357436", "0314409058-002"])
def test_real_tax_codes_validate(mst: str) -> None:
    assert mst_is_valid(mst)


@given(st.from_regex(r"\A[0-9]{10}\Z"))
def test_the_fast_check_digit_test_agrees_with_the_rule(number: str) -> None:
    assert mst_check_digit_holds(number) == (mst_check_digit(number[:9]) == int(number[9]))
    assert not mst_check_digit_holds(number.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))


@pytest.mark.parametrize("mst", ["0312345678", "031440905", "0314409058-000", "0314409058-01", "03144090581"])
def test_malformed_or_wrong_check_digit_tax_codes_are_rejected(mst: str) -> None:
    assert not mst_is_valid(mst)


def test_mst_accepts_personal_twelve_digit_number_and_never_issues_remainder_zero() -> None:
    assert mst_is_valid(identities.CITIZEN_EXISTS)
    assert mst_check_digit("010004751") == 6  # worked example of Thông tư 105/2020/TT-BTC
    assert mst_check_digit("100000008") is None  # 31·1 + 3·8 = 55, remainder 0: never issued
    assert not mst_is_valid("1000000080")


@pytest.mark.parametrize("code", ["EJ423686407VN", "EL096117119VN"])
def test_real_vnpost_s10_codes_validate(code: str) -> None:
    assert s10_is_valid(code)


def test_s10_rejects_bad_check_digit_and_generator_round_trips() -> None:
    assert not s10_is_valid("BK990032289VN")
    assert s10_check_digit("42368640") == 7
    assert all(s10_is_valid(make_s10("EE", serial)) for serial in range(0, 10**8, 7_654_321))


def test_cccd_structure() -> None:
    assert make_cccd("089", "Nam", 1985, 12345) == "089085012345"
    assert make_cccd("091", "Nữ", 2016, 1) == "091316000001"
    parts = cccd_parse("091316000001")
    assert (parts.province_code, parts.sex, parts.birth_year) == ("091", "Nữ", 2016)
    assert not cccd_is_valid("003085012345")  # 003 was never a province code
    assert not cccd_is_valid("08908501234")
    with pytest.raises(ValueError):
        cccd_parse("abc")


def test_phone_prefixes_follow_carriers() -> None:
    assert phone_carrier("0912345678") == "Vinaphone"
    assert phone_carrier("+84987654321") == "Viettel"
    assert not phone_is_valid("0951234567")  # 095 is unassigned
    assert not phone_is_valid("091234567")


# Catalogues.


def test_catalogue_counts() -> None:
    assert len(catalogues.provinces()) == 34
    wards = catalogues.wards()
    assert len(wards) == 3321
    assert Counter(ward.type for ward in wards) == {"Xã": 2621, "Phường": 687, "Đặc khu": 13}
    assert len({ward.code for ward in wards}) == 3321
    assert len(catalogues.old_provinces()) == 63
    assert list(catalogues.ethnic_groups()) == [f"{n:02d}" for n in range(1, 55)]
    assert catalogues.ethnic_groups()["01"] == "Kinh" and catalogues.ethnic_groups()["05"] == "Khơ-me"
    assert catalogues.religions()[0] == "Không" and len(catalogues.religions()) == 17


def test_catalogue_lookups() -> None:
    an_giang = catalogues.province("91")
    assert an_giang is not None and an_giang.name == "Tỉnh An Giang" and an_giang.type == "Tỉnh"
    assert catalogues.province("79").type == "Thành phố"
    long_xuyen = catalogues.ward("30307")
    assert (
        long_xuyen is not None
        and long_xuyen.name == "Phường Long Xuyên"
        and long_xuyen.old_province_code == "89"
    )
    assert all(ward.province_code == "91" for ward in catalogues.wards("91"))
    new_codes = {province.code for province in catalogues.provinces()}
    assert {old.new_province_code for old in catalogues.old_provinces()} == new_codes


# Determinism and the cache.


def test_same_seed_same_data_and_different_seed_different_data(population: Population) -> None:
    assert build_population(seed=7, size=SIZE) == population
    other = build_population(seed=8, size=SIZE)
    generated = set(population.citizens) - set(other.citizens)
    assert len(generated) > SIZE * 0.9


def test_disk_cache_round_trip_gives_identical_data(tmp_path: Path) -> None:
    store.forget_memoised()
    first = load_population(seed=3, size=300, cache_dir=tmp_path)
    assert load_population(seed=3, size=300, cache_dir=tmp_path) is first  # memoised in-process
    store.forget_memoised()
    from_disk = load_population(seed=3, size=300, cache_dir=tmp_path)
    assert from_disk is not first and from_disk == first
    assert list(tmp_path.glob("population-3-300-*.pickle"))
    assert from_disk.find_by_cmnd(identities.CITIZEN_EXISTS_CMND).so_dinh_danh == identities.CITIZEN_EXISTS
    store.forget_memoised()


def test_unreadable_cache_file_is_rebuilt(tmp_path: Path) -> None:
    store.forget_memoised()
    store.cache_path(tmp_path, 4, 100).write_bytes(b"not a pickle")
    assert load_population(seed=4, size=100, cache_dir=tmp_path) == build_population(4, 100)
    store.forget_memoised()


# Realism rules.


def test_size_and_enterprise_count(population: Population) -> None:
    assert SIZE <= len(population.citizens) <= SIZE + 20
    assert len(population.enterprises) == SIZE // 20 + 2


def test_every_cccd_is_valid_unique_and_matches_the_record(population: Population) -> None:
    for person in population.citizens.values():
        parts = cccd_parse(person.so_dinh_danh)
        assert parts.sex == person.gioi_tinh and parts.birth_year == person.ngay_sinh.year
        birth_ward = catalogues.ward(person.noi_dang_ky_khai_sinh.ward_code)
        old_rules = person.ngay_sinh < REORGANISATION_DATE
        expected = birth_ward.old_province_code if old_rules else birth_ward.province_code
        assert parts.province_code == "0" + expected, person


def test_other_identifiers_are_well_formed_and_unique(population: Population) -> None:
    people = list(population.citizens.values())
    old_codes = {old.code for old in catalogues.old_provinces()}
    for field in ("so_cmnd", "so_dien_thoai", "ma_so_bhxh", "email"):
        values = [getattr(person, field) for person in people if getattr(person, field)]
        assert len(values) == len(set(values)), field
    for person in people:
        if person.so_cmnd:
            assert re.fullmatch(r"\d{9}", person.so_cmnd) and person.ngay_sinh.year < 2000
        if person.so_dien_thoai:
            assert phone_is_valid(person.so_dien_thoai) and len(person.so_dien_thoai) == 10
        if person.ma_so_bhxh:
            assert re.fullmatch(r"\d{10}", person.ma_so_bhxh) and person.ma_so_bhxh[:2] in old_codes
    assert sum(1 for person in people if person.so_cmnd) > len(people) * 0.2


def test_every_enterprise_has_a_valid_mst_of_its_head_office_region(population: Population) -> None:
    from ndxp_sim.mock_services.population.enterprises import tax_prefixes

    names = [enterprise.ten_tieng_viet.casefold() for enterprise in population.enterprises.values()]
    assert len(names) == len(set(names))
    for msdn, enterprise in population.enterprises.items():
        assert msdn == enterprise.ma_so_doanh_nghiep and mst_is_valid(msdn)
        ward = catalogues.ward(enterprise.tru_so.ward_code)
        assert ward.province_code == enterprise.tru_so.province_code
        assert msdn[:2] == tax_prefixes()[ward.old_province_code]
        assert population.citizen(enterprise.nguoi_dai_dien) is not None
        assert sum(is_main for _, _, is_main in enterprise.nganh_nghe) == 1


def test_addresses_are_real_communes_and_an_giang_is_well_represented(population: Population) -> None:
    for person in population.citizens.values():
        for address in (
            person.thuong_tru,
            person.noi_o_hien_tai,
            person.noi_dang_ky_khai_sinh,
            person.que_quan,
        ):
            ward = catalogues.ward(address.ward_code)
            assert ward is not None and ward.name == address.ward_name
            assert ward.province_code == address.province_code
    residents = Counter(person.thuong_tru.province_code for person in population.citizens.values())
    assert residents["91"] > 0.1 * len(population.citizens)  # the seed documents come from An Giang
    same = sum(person.thuong_tru == person.noi_o_hien_tai for person in population.citizens.values())
    assert same > 0.9 * len(population.citizens)


def test_households_are_consistent(population: Population) -> None:
    seen: set[str] = set()
    for household in population.households.values():
        assert household.members and household.members[0] == household.chu_ho
        head = population.citizen(household.chu_ho)
        assert head.quan_he_chu_ho == "Chủ hộ"
        for member_id in household.members:
            member = population.citizen(member_id)
            assert member.household_id == household.id and member.thuong_tru == household.address
            assert population.household_of(member) is household
        seen.update(household.members)
    assert seen == set(population.citizens)


def test_family_links_are_consistent(population: Population) -> None:
    citizens = population.citizens
    for person in citizens.values():
        if person.vo_chong:
            spouse = citizens[person.vo_chong]
            assert spouse.vo_chong == person.so_dinh_danh and spouse.gioi_tinh != person.gioi_tinh
            if not spouse.da_mat and not person.da_mat:
                assert person.tinh_trang_hon_nhan == spouse.tinh_trang_hon_nhan == "Đã kết hôn"
            elif not person.da_mat:
                assert person.tinh_trang_hon_nhan == "Góa"
            elif spouse.da_mat:  # both died: widowed if the spouse died first, still married otherwise
                widowed = spouse.ngay_mat < person.ngay_mat
                assert person.tinh_trang_hon_nhan == ("Góa" if widowed else "Đã kết hôn")
        for parent_id, sex in ((person.cha, "Nam"), (person.me, "Nữ")):
            if parent_id:
                parent = citizens[parent_id]
                assert parent.gioi_tinh == sex
                assert person.ngay_sinh >= add_years(parent.ngay_sinh, 18)
    children = [person for person in citizens.values() if person.cha]
    same_name = sum(child.ho == citizens[child.cha].ho for child in children)
    assert same_name > 0.85 * len(children)
    assert sum(1 for person in citizens.values() if person.vo_chong) > 0.3 * len(citizens)


def test_ages_deaths_and_names_are_plausible(population: Population) -> None:
    people = list(population.citizens.values())
    for person in people:
        assert 0 <= age_on(person.ngay_sinh) <= MAX_AGE and person.ngay_sinh <= REFERENCE_DATE
        assert person.da_mat == (person.ngay_mat is not None)
        if person.ngay_mat:
            assert person.ngay_sinh < person.ngay_mat <= REFERENCE_DATE
        assert person.dan_toc in catalogues.ethnic_groups() and person.ton_giao in catalogues.religions()
    assert any(person.da_mat for person in people)
    women = [person for person in people if person.gioi_tinh == "Nữ"]
    thi = sum(person.chu_dem == "Thị" for person in women) / len(women)
    assert 0.3 < thi < 0.8
    family = Counter(person.ho for person in people)
    assert family.most_common(1)[0][0] == "Nguyễn" and 0.25 < family["Nguyễn"] / len(people) < 0.5
    assert Counter(person.dan_toc for person in people).most_common(1)[0][0] == "01"


# Lookups, test identities and birth registration.


def test_lookups(population: Population) -> None:
    enterprise = population.enterprise(identities.ENTERPRISE_ACTIVE)
    assert enterprise is not None and enterprise.tinh_trang == "Đang hoạt động"
    in_an_giang = population.enterprises_in_province("91")
    assert enterprise in in_an_giang and all(item.tru_so.province_code == "91" for item in in_an_giang)
    codes = [item.ma_so_doanh_nghiep for item in in_an_giang]
    assert codes == sorted(codes)
    assert population.enterprises_in_province("00") == []
    assert population.enterprise("0312345678") is None
    assert population.find_by_cmnd("000000000") is None


@pytest.mark.parametrize("seed, size", [(7, SIZE), (20251, 50)])
def test_test_identities_are_present_whatever_the_seed(seed: int, size: int) -> None:
    population = build_population(seed, size)
    assert population.citizen(identities.CITIZEN_MISSING) is None
    assert cccd_is_valid(identities.CITIZEN_MISSING)
    exists = population.citizen(identities.CITIZEN_EXISTS)
    assert exists.ho_va_ten == "Nguyễn Văn An" and not exists.da_mat
    assert population.find_by_cmnd(identities.CITIZEN_EXISTS_CMND) is exists
    deceased = population.citizen(identities.CITIZEN_DECEASED)
    assert deceased.da_mat and deceased.ngay_mat == date(2023, 8, 10)
    husband, wife, child = (
        population.citizen(identities.COUPLE_HUSBAND),
        population.citizen(identities.COUPLE_WIFE),
        population.citizen(identities.COUPLE_CHILD),
    )
    assert husband.vo_chong == wife.so_dinh_danh and wife.vo_chong == husband.so_dinh_danh
    assert husband.tinh_trang_hon_nhan == wife.tinh_trang_hon_nhan == "Đã kết hôn"
    assert (child.cha, child.me) == (husband.so_dinh_danh, wife.so_dinh_danh)
    assert husband.household_id == wife.household_id == child.household_id
    assert population.household_of(child).chu_ho == husband.so_dinh_danh
    assert population.enterprise(identities.ENTERPRISE_DISSOLVED).tinh_trang == "Đã giải thể"
    for msdn in (identities.ENTERPRISE_ACTIVE, identities.ENTERPRISE_DISSOLVED):
        assert mst_is_valid(msdn)


def test_identities_doc_lists_every_constant() -> None:
    doc = (Path(identities.__file__).parent / "TEST_IDENTITIES.md").read_text(encoding="utf-8")
    assert len(FIXED_CONSTANTS) == 27
    for name in FIXED_CONSTANTS:
        assert re.search(rf"`{name}` \| `{re.escape(getattr(identities, name))}`", doc), name


def test_register_birth_issues_a_new_valid_id_and_links_the_family() -> None:
    population = build_population(seed=11, size=200)
    wife = population.citizen(identities.COUPLE_WIFE)
    before = set(population.citizens)
    birthplace = wife.thuong_tru
    child = population.register_birth(
        ho="Lê",
        chu_dem="Minh",
        ten="Khang",
        gioi_tinh="Nam",
        ngay_sinh=date(2026, 10, 2),
        noi_sinh=birthplace,
        dan_toc="01",
        cha=identities.COUPLE_HUSBAND,
        me=identities.COUPLE_WIFE,
    )
    assert child.so_dinh_danh not in before and population.citizen(child.so_dinh_danh) is child
    parts = cccd_parse(child.so_dinh_danh)
    assert (parts.province_code, parts.sex, parts.birth_year) == ("091", "Nam", 2026)
    household = population.household_of(wife)
    assert child.household_id == household.id and household.members[-1] == child.so_dinh_danh
    assert (child.cha, child.me, child.quan_he_chu_ho) == (
        identities.COUPLE_HUSBAND,
        identities.COUPLE_WIFE,
        "Con",
    )
    twin = population.register_birth(
        ho="Lê",
        chu_dem="Minh",
        ten="Khôi",
        gioi_tinh="Nam",
        ngay_sinh=date(2026, 10, 2),
        noi_sinh=birthplace,
        dan_toc="01",
        cha=identities.COUPLE_HUSBAND,
        me=identities.COUPLE_WIFE,
    )
    assert twin.so_dinh_danh != child.so_dinh_danh


def test_register_birth_before_the_reorganisation_uses_the_old_province_code() -> None:
    population = build_population(seed=11, size=200)
    husband = population.citizen(identities.COUPLE_HUSBAND)
    rach_gia = population.citizen(identities.COUPLE_WIFE).noi_dang_ky_khai_sinh  # old Kiên Giang
    child = population.register_birth(
        ho="Lê",
        chu_dem="",
        ten="Bảo",
        gioi_tinh="Nữ",
        ngay_sinh=date(2024, 1, 5),
        noi_sinh=rach_gia,
        dan_toc="01",
        cha=husband.so_dinh_danh,
        me=None,
    )
    assert child.so_dinh_danh.startswith("091324")  # 091 old Kiên Giang, 3 = girl born 2000-2099
    assert child.household_id == husband.household_id and child.me is None
    with pytest.raises(ValueError):
        population.register_birth(
            ho="Lê",
            chu_dem="",
            ten="Bảo",
            gioi_tinh="Nữ",
            ngay_sinh=date(2024, 1, 5),
            noi_sinh=rach_gia,
            dan_toc="01",
            cha=None,
            me=identities.CITIZEN_MISSING,
        )
    nowhere = Address("00", "Tỉnh Không Có", "99999", "Xã Không Có")
    with pytest.raises(ValueError):
        population.register_birth(
            ho="Lê",
            chu_dem="",
            ten="Bảo",
            gioi_tinh="Nữ",
            ngay_sinh=date(2026, 1, 5),
            noi_sinh=nowhere,
            dan_toc="01",
            cha=husband.so_dinh_danh,
            me=None,
        )
