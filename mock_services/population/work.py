"""What each person does for a living, derived per person: pupil, employee, civil servant, retiree, ...

The insurance record (beneficiary group, contribution history) and the civil-service registry both read
this, so a civil servant is insured as one and an employee's employer is an enterprise of the population.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ndxp_sim.core.identifiers import MALE
from ndxp_sim.core.model import Citizen, CivilServant, Enterprise, InsurancePeriod
from ndxp_sim.mock_services.population import civil_service
from ndxp_sim.mock_services.population.dates import REFERENCE_DATE, add_years, age_on, day_before
from ndxp_sim.mock_services.population.derive import Stream

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population.population import Population

CHILD, PUPIL, STUDENT = "TE", "HS", "SV"
SERVANT, EMPLOYEE, RETIRED, ELDERLY, HOUSEHOLD = "HC", "DN", "HT", "BT", "GD"
SERVANT_SHARE = 0.05  # of working-age adults: civil servants of a provincial agency
EMPLOYEE_SHARE = 0.35  # employees of an enterprise with compulsory insurance
STUDENT_SHARE = 0.3  # of 18-22 year olds
RETIRED_SHARE = 0.35  # of people past retirement age who draw a pension
SOCIAL_ALLOWANCE_AGE = 80  # from 80 the state pays the card of people without a pension


@dataclass(frozen=True, slots=True)
class Work:
    kind: str  # one of the constants above; also the person's BHYT beneficiary group
    periods: tuple[InsurancePeriod, ...] = ()
    servant: CivilServant | None = None


def retirement_age(sex: str) -> int:
    return 60 if sex == MALE else 55


def work_of(population: Population, person: Citizen) -> Work:
    """The person's occupation as of the reference date (or of their death)."""
    fixed = population.fixed_assets.work.get(person.so_dinh_danh)
    if fixed is not None:
        return fixed
    kind, stream, today = _decide(population.seed, person)
    province = person.thuong_tru.province_code
    if kind == SERVANT:
        return _servant(stream, person, province)
    if kind == EMPLOYEE:
        return _employee(population, stream, person, province, today) or Work(HOUSEHOLD)
    if kind == RETIRED:
        return _retired(population, stream, person, province)
    return Work(kind)


def servant_of(population: Population, person: Citizen) -> CivilServant | None:
    """The person's civil-service post, if any: the same answer as work_of, without deriving other jobs."""
    fixed = population.fixed_assets.work.get(person.so_dinh_danh)
    if fixed is not None:
        return fixed.servant
    kind, stream, _ = _decide(population.seed, person)
    if kind != SERVANT:
        return None
    return civil_service.make_servant(
        stream, person.so_dinh_danh, person.thuong_tru.province_code, person.ngay_sinh
    )


def _decide(seed: int, person: Citizen) -> tuple[str, Stream, date]:
    """The kind of work, and the person's stream positioned to derive its details."""
    today = person.ngay_mat or REFERENCE_DATE
    age = age_on(person.ngay_sinh, today)
    stream = Stream(seed, "work", person.so_dinh_danh)
    if age < 6:
        return CHILD, stream, today
    if age < 18:
        return PUPIL, stream, today
    draw = stream.random()
    if person.ma_so_bhxh is None:  # never insured: no compulsory-insurance job, no pension
        return HOUSEHOLD, stream, today
    if age < retirement_age(person.gioi_tinh):
        if age <= 22 and draw < STUDENT_SHARE:
            return STUDENT, stream, today
        if age >= 23 and draw < SERVANT_SHARE:
            return SERVANT, stream, today
        if draw < SERVANT_SHARE + EMPLOYEE_SHARE:
            return EMPLOYEE, stream, today
        return HOUSEHOLD, stream, today
    if draw < RETIRED_SHARE:
        return RETIRED, stream, today
    return (ELDERLY if age >= SOCIAL_ALLOWANCE_AGE else HOUSEHOLD), stream, today


def _servant(stream: Stream, person: Citizen, province: str) -> Work:
    servant = civil_service.make_servant(stream, person.so_dinh_danh, province, person.ngay_sinh)
    salary = round(servant.he_so_luong * civil_service.BASE_SALARY)
    period = InsurancePeriod(
        servant.ngay_tuyen_dung, None, servant.ma_co_quan, servant.ten_co_quan, SERVANT, salary
    )
    return Work(SERVANT, (period,), servant)


def _salary(stream: Stream) -> int:
    return stream.randint(50, 250) * 100_000


def _period(stream: Stream, enterprise: Enterprise, start: date, end: date | None) -> InsurancePeriod:
    return InsurancePeriod(
        start, end, enterprise.ma_so_doanh_nghiep, enterprise.ten_tieng_viet, EMPLOYEE, _salary(stream)
    )


def _employee(
    population: Population, stream: Stream, person: Citizen, province: str, today: date
) -> Work | None:
    """A current job at an active enterprise, sometimes after an earlier one."""
    adult = add_years(person.ngay_sinh, 18)
    candidates = population.active_enterprises(province) or population.active_enterprises(None)
    if not candidates:
        return None
    employer = stream.choice(candidates)
    earliest_start = max(employer.ngay_dang_ky_lan_dau, adult)
    if earliest_start > today:
        return None
    start = stream.day_between(earliest_start, today)
    periods = [_period(stream, employer, start, person.ngay_mat)]
    earlier = stream.choice(population.enterprises_of_province(province) or candidates)
    earliest = max(earlier.ngay_dang_ky_lan_dau, adult)
    if earlier is not employer and earliest < start and stream.chance(0.4):
        earlier_start = stream.day_between(earliest, day_before(start))
        periods.insert(0, _period(stream, earlier, earlier_start, day_before(start)))
    return Work(EMPLOYEE, tuple(periods))


def _retired(population: Population, stream: Stream, person: Citizen, province: str) -> Work:
    """A pensioner: one career that ended at retirement age, in an enterprise or a provincial agency."""
    retired = add_years(person.ngay_sinh, retirement_age(person.gioi_tinh))
    career_start = add_years(person.ngay_sinh, stream.randint(20, 30))
    employers = [
        item for item in population.enterprises_of_province(province) if item.ngay_dang_ky_lan_dau < retired
    ]
    if employers and stream.chance(0.5):
        employer = stream.choice(employers)
        start = max(career_start, employer.ngay_dang_ky_lan_dau)
        return Work(RETIRED, (_period(stream, employer, start, day_before(retired)),))
    ordinal, _ = stream.choice(civil_service.AGENCIES)
    salary = round(stream.randint(300, 600) / 100 * civil_service.BASE_SALARY)
    period = InsurancePeriod(
        career_start,
        day_before(retired),
        civil_service.agency_code(province, ordinal),
        civil_service.agency_name(province, ordinal),
        SERVANT,
        salary,
    )
    return Work(RETIRED, (period,))
