"""The population's fixed "today" and the date arithmetic every generator shares."""

from __future__ import annotations

import random
from datetime import date, timedelta

from ndxp_sim.core.catalogues import Ward

# Births registered (and numbers issued) before the 2025 reorganisation carry old province codes.
REORGANISATION_DATE = date(2025, 7, 1)
# The population's "today": fixed so that the same seed always yields the same ages and validity periods.
REFERENCE_DATE = date(2026, 11, 1)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    for last_day in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, min(day.day, last_day))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


def age_on(born: date, day: date = REFERENCE_DATE) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def province_code_on(ward: Ward, day: date) -> str:
    """The province code in force for the ward on `day`: the old one before the reorganisation."""
    return ward.province_code if day >= REORGANISATION_DATE else ward.old_province_code


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def day_between(rng: random.Random, start: date, end: date) -> date:
    """A uniformly drawn day from start to end inclusive (start when end is earlier)."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))
