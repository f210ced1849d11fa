"""Social and health insurance (BHXH/BHYT), derived per person from their work, age and household."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from ndxp_sim.core import catalogues
from ndxp_sim.core.identifiers import BHYT_BENEFIT_LEVELS, make_bhyt_card
from ndxp_sim.core.model import (
    Citizen,
    HealthInsurance,
    Household,
    HouseholdInsurance,
    HouseholdInsuranceMember,
)
from ndxp_sim.mock_services.population import work
from ndxp_sim.mock_services.population.dates import REFERENCE_DATE, add_years, day_before, province_code_on
from ndxp_sim.mock_services.population.derive import Stream

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population.population import Population

VALID, EXPIRED, WITHDRAWN = "Còn hiệu lực", "Hết hạn", "Đã báo giảm"
POOR, NEAR_POOR = "HN", "CN"
POOR_HOUSEHOLD_SHARE = 0.04
LAPSED_SHARE = 0.1  # household-paid cards not renewed this year
# Household BHYT: 4.5% of the base salary a month for the first member, then 70%, 60%, 50%, 40%.
HOUSEHOLD_RATE = 0.045
HOUSEHOLD_DISCOUNTS = (1.0, 0.7, 0.6, 0.5, 0.4)
BASE_SALARY = 2_340_000
BHYT_LAW = date(2009, 7, 1)  # the health-insurance law: no card starts earlier
_STATE_PAID = frozenset({work.CHILD, work.ELDERLY, POOR})
_EMPLOYER_PAID = frozenset({work.SERVANT, work.EMPLOYEE, work.RETIRED})
_MAY_BE_POOR = frozenset({work.HOUSEHOLD, work.PUPIL, work.STUDENT, work.ELDERLY})


def beneficiary_group(population: Population, person: Citizen, kind: str) -> str:
    """The card's group: the work kind, except that members of a poor household are insured as poor."""
    poor = Stream(population.seed, "poor", person.household_id).chance(POOR_HOUSEHOLD_SHARE)
    return POOR if poor and kind in _MAY_BE_POOR else kind


def health_insurance(population: Population, person: Citizen) -> HealthInsurance | None:
    """The person's insurance record, or None for someone with no BHXH number (uninsured)."""
    fixed = population.fixed_assets.insurance.get(person.so_dinh_danh)
    if fixed is not None:
        if person.ngay_mat is not None and fixed.trang_thai != WITHDRAWN:
            # A death registered at run time withdraws the card, as it does a generated person's.
            return replace(fixed, gt_the_den=min(fixed.gt_the_den, person.ngay_mat), trang_thai=WITHDRAWN)
        return fixed
    if person.ma_so_bhxh is None:
        return None
    job = work.work_of(population, person)
    group = beneficiary_group(population, person, job.kind)
    stream = Stream(population.seed, "bhyt", person.so_dinh_danh)
    today = person.ngay_mat or REFERENCE_DATE
    start, end, since = _validity(stream, person, group, job, today)
    status = VALID if end >= today else EXPIRED
    if person.ngay_mat is not None:
        end, status = min(end, person.ngay_mat), WITHDRAWN
    ward = catalogues.ward(person.thuong_tru.ward_code)
    assert ward is not None, person.thuong_tru
    province = province_code_on(ward, start)
    facility = _first_care(stream, person, group)
    return HealthInsurance(
        so_dinh_danh=person.so_dinh_danh,
        ma_so_bhxh=person.ma_so_bhxh,
        ma_the=make_bhyt_card(group, province, person.ma_so_bhxh),
        ma_doi_tuong=group,
        muc_huong=BHYT_BENEFIT_LEVELS[group],
        ma_tinh=province,
        gt_the_tu=start,
        gt_the_den=end,
        ma_dkbd=facility.code,
        ten_dkbd=facility.name,
        ngay_du_5_nam=add_years(since, 5),
        trang_thai=status,
        ma_ho_gia_dinh=person.household_id,
        qua_trinh=job.periods,
    )


def _validity(
    stream: Stream, person: Citizen, group: str, job: work.Work, today: date
) -> tuple[date, date, date]:
    """(valid from, valid until, uninterrupted cover since) of the current card."""
    born = person.ngay_sinh
    if group == work.CHILD:
        # Valid until 72 months of age, or until 30 September if the sixth birthday comes earlier that year.
        sixth = add_years(born, 6)
        school_start = date(sixth.year, 9, 30)
        return born, school_start if sixth <= school_start else day_before(sixth), born
    if group in _EMPLOYER_PAID and job.periods:
        # Employers and the pension fund renew the card each calendar year.
        first = max(job.periods[0].tu_ngay, BHYT_LAW)
        start = max(date(today.year, 1, 1), first)
        return start, date(today.year, 12, 31), first
    # Household-paid and state-paid cards run twelve months from the enrolment anniversary.
    anniversary = stream.day_between(date(today.year - 1, today.month, 1), today)
    if group not in _STATE_PAID and stream.chance(LAPSED_SHARE):
        anniversary = add_years(anniversary, -1)
    if group in {work.PUPIL, work.STUDENT} or add_years(born, 6) >= BHYT_LAW:
        since = born  # insured since birth: a child's card, then a pupil's
    else:
        since = stream.day_between(BHYT_LAW, anniversary)
    return anniversary, day_before(add_years(anniversary, 1)), min(since, anniversary)


def _first_care(stream: Stream, person: Citizen, group: str) -> catalogues.Facility:
    province = person.thuong_tru.province_code
    station = catalogues.health_station(person.thuong_tru.ward_code)
    if (group in _EMPLOYER_PAID and stream.chance(0.5)) or station is None:
        return catalogues.facilities(province)[0]
    return station


def household_insurance(population: Population, household: Household) -> HouseholdInsurance:
    """The household's members insured through the household (group GD), in enrolment order."""
    fixed = population.fixed_assets.household_insurance.get(household.id)
    if fixed is not None:
        return fixed
    members: list[HouseholdInsuranceMember] = []
    for member_id in household.members:
        person = population.citizen(member_id)
        record = health_insurance(population, person) if person and not person.da_mat else None
        if record is None or record.ma_doi_tuong != work.HOUSEHOLD:
            continue
        discount = HOUSEHOLD_DISCOUNTS[min(len(members), len(HOUSEHOLD_DISCOUNTS) - 1)]
        yearly = round(BASE_SALARY * HOUSEHOLD_RATE * 12 * discount)
        members.append(HouseholdInsuranceMember(member_id, record.ma_so_bhxh, len(members) + 1, yearly))
    return HouseholdInsurance(household.id, household.chu_ho, tuple(members))
