"""#19 State Bank catalogues: real bank BINs on engine C; synthetic, seeded exchange rates on engine L."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import Any

from fastapi import APIRouter

from ndxp_sim.core import catalogues
from ndxp_sim.core.catalogues import Bank
from ndxp_sim.mock_services.clock import now_vn
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.engines import Catalogue, Host, Lookup, Param, Revision, serve
from ndxp_sim.mock_services.engines.params import iso_date

SERVICE = "danh_muc_nhnn"
CATALOGUE_START = date(2024, 1, 1)  # assumed: the bank list as the simulator first publishes it
CENTRAL_RATE_START = date(2016, 1, 4)  # the central-rate mechanism began that day
WIDER_BAND = date(2022, 10, 17)  # the band went from ±3 % to ±5 %
REFERENCE_SPREAD = 50  # assumed: Sở giao dịch buys at floor + 50 and sells at ceiling − 50
# Synthetic: a trend through levels near the published central rates, plus seeded day-to-day noise.
TREND = (
    (date(2016, 1, 4), 21_896),
    (date(2019, 1, 2), 22_825),
    (date(2022, 1, 4), 23_145),
    (date(2023, 1, 3), 23_612),
    (date(2024, 1, 2), 23_904),
    (date(2025, 1, 2), 24_335),
    (date(2026, 1, 2), 25_150),
)
NOISE_VND = 12
# ISO 4217 code, Vietnamese name, synthetic USD per unit (the cross rate follows the central rate).
CROSS_CURRENCIES = (
    ("EUR", "Euro", 1.10),
    ("JPY", "Yên Nhật", 0.0068),
    ("GBP", "Bảng Anh", 1.28),
    ("CHF", "Franc Thụy Sĩ", 1.13),
    ("AUD", "Đô la Úc", 0.66),
    ("CAD", "Đô la Canada", 0.73),
    ("SGD", "Đô la Singapore", 0.75),
    ("CNY", "Nhân dân tệ", 0.139),
    ("HKD", "Đô la Hồng Kông", 0.128),
    ("KRW", "Won Hàn Quốc", 0.00072),
    ("THB", "Bạt Thái Lan", 0.029),
)
CROSS_NOISE = 0.004


def _bank(code: str, short_name: str, name: str, kind: str) -> Mapping[str, Any]:
    return {"maNganHang": code, "tenVietTat": short_name, "ten": name, "loaiHinh": kind}


def bank_revisions(banks: list[Bank]) -> list[Revision]:
    """v1: every bank under its 2024 name; v2: the 2025 renames close the old name and open the new."""
    revisions = []
    for bank in banks:
        current = _bank(bank.code, bank.short_name, bank.name, bank.type)
        if bank.renamed_on is None:
            revisions.append(Revision(bank.bin, 1, CATALOGUE_START, None, current))
            continue
        former = _bank(bank.former_code, bank.former_short_name, bank.former_name, bank.former_type)
        revisions += [
            Revision(bank.bin, 1, CATALOGUE_START, None, former),
            Revision(bank.bin, 2, CATALOGUE_START, bank.renamed_on, former),
            Revision(bank.bin, 2, bank.renamed_on, None, current),
        ]
    return revisions


RateDay = tuple[date, date, int]  # the day asked, the day whose rate applies, the central rate
RateAnswer = Callable[[Host, RateDay], dict[str, Any]]


def _unit(seed: int, day: date, what: str) -> float:
    """A number in [-1, 1) fixed by the seed, the day and what it is for."""
    digest = hashlib.sha256(f"{seed}:{day.isoformat()}:{what}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**63 - 1


def _trend(day: date) -> float:
    days = [anchor for anchor, _ in TREND]
    index = min(max(bisect.bisect_right(days, day), 1), len(TREND) - 1)
    (start, low), (end, high) = TREND[index - 1], TREND[index]
    return low + (high - low) * (day - start).days / (end - start).days


def published_on(day: date) -> date:
    """The working day whose rate applies: a Saturday or Sunday takes Friday's (holidays are not modelled)."""
    return day - timedelta(days=max(day.weekday() - 4, 0))


@lru_cache(maxsize=8192)  # about 22 years of days: every day since 2016 stays cached
def central_rate(seed: int, day: date) -> int:
    return round(_trend(day) + NOISE_VND * _unit(seed, day, "USD"))


def _band(day: date) -> float:
    return 5.0 if day >= WIDER_BAND else 3.0


def _rate_day(host: Host, keys: Mapping[str, Any]) -> RateDay | None:
    """(asked day, publication day, central rate), or None before the mechanism or after today."""
    day: date = keys["ngay"]
    if day < CENTRAL_RATE_START or day > now_vn().date():
        return None
    published = published_on(day)
    return day, published, central_rate(host.population.seed, published)


def central_answer(_: Host, found: RateDay) -> dict[str, Any]:
    day, published, rate = found
    band = _band(published)
    return {
        "ngay": day.isoformat(),
        "ngayCongBo": published.isoformat(),
        "maNgoaiTe": "USD",
        "tyGiaTrungTam": rate,
        "bienDo": band,
        "tyGiaTran": round(rate * (1 + band / 100)),
        "tyGiaSan": round(rate * (1 - band / 100)),
        "moPhong": True,
    }


def reference_answer(host: Host, found: RateDay) -> dict[str, Any]:
    central = central_answer(host, found)
    day, published, rate = found
    seed = host.population.seed
    return {
        "ngay": day.isoformat(),
        "ngayCongBo": published.isoformat(),
        "tyGiaMuaUSD": central["tyGiaSan"] + REFERENCE_SPREAD,
        "tyGiaBanUSD": central["tyGiaTran"] - REFERENCE_SPREAD,
        "tyGiaTinhCheo": [
            {
                "maNgoaiTe": code,
                "tenNgoaiTe": name,
                "tyGia": round(rate * usd * (1 + CROSS_NOISE * _unit(seed, published, code)), 2),
            }
            for code, name, usd in CROSS_CURRENCIES
        ],
        "moPhong": True,
    }


def rate_lookup(route: str, operation: str, answer: RateAnswer) -> Lookup[RateDay]:
    """The rates of a day, by `?ngay=`: 404 before the mechanism began or after today."""
    return Lookup[RateDay](
        route=route,
        operation=operation,
        keys=(Param("ngay", iso_date, "invalid_ngay"),),
        resolve=_rate_day,
        answer=answer,
        not_found="chưa có tỷ giá ngày {ngay}: có từ 2016-01-04 đến hôm nay",
    )


CENTRAL = rate_lookup("/ty-gia-trung-tam", "tyGiaTrungTam", central_answer)
REFERENCE = rate_lookup("/ty-gia-tham-chieu", "tyGiaThamChieu", reference_answer)


@cache
def bank_catalogue() -> Catalogue:
    return Catalogue("/danh-muc/ngan-hang", "danhMucNganHang", tuple(bank_revisions(catalogues.banks())))


def create_router(ctx: MockContext) -> APIRouter:
    return serve(ctx, SERVICE, bank_catalogue(), CENTRAL, REFERENCE)
