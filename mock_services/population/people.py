"""Per-person attributes drawn at random: places, contact numbers, ids, religion, ethnicity, blood group."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

from ndxp_sim.core import catalogues
from ndxp_sim.core.catalogues import Ward, read_csv
from ndxp_sim.core.identifiers import MOBILE_PREFIXES
from ndxp_sim.core.model import Address
from ndxp_sim.mock_services.population import names
from ndxp_sim.mock_services.population.sampling import Weighted

# Rough market shares; only the shape of the mix matters for a mock.
_CARRIERS = Weighted.of(
    [("Viettel", 50), ("Vinaphone", 25), ("Mobifone", 20), ("Vietnamobile", 3), ("Gmobile", 2)]
)
_BLOOD_GROUPS = Weighted.of([("O", 42), ("B", 30), ("A", 21), ("AB", 7)])
_MAIL_DOMAINS = Weighted.of([("gmail.com", 80), ("yahoo.com", 10), ("outlook.com", 6), ("icloud.com", 4)])
_STREETS = (
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Lê Lợi",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Nguyễn Trãi",
    "Quang Trung",
    "Hùng Vương",
    "Lê Duẩn",
    "Nguyễn Văn Cừ",
    "Tôn Đức Thắng",
    "Phan Đình Phùng",
    "Võ Thị Sáu",
    "Hà Hoàng Hổ",
    "Nguyễn Thái Học",
    "Bạch Đằng",
    "Điện Biên Phủ",
    "3 Tháng 2",
    "30 Tháng 4",
    "Cách Mạng Tháng Tám",
)
_HAMLET_WORDS = ("An", "Bình", "Hòa", "Phú", "Thạnh", "Long", "Tân", "Mỹ", "Đông", "Tây", "Trung", "Hưng")
_SOUTHERN_PROVINCES = frozenset({"79", "80", "82", "86", "91", "92", "96", "75"})


@cache
def _province_weights() -> Weighted[str]:
    return Weighted.of(
        [(row["province_code"], float(row["weight"])) for row in read_csv("province_weights.csv")]
    )


@cache
def _ethnic_mix(province_code: str) -> Weighted[str]:
    shares = [
        (row["dan_toc"], float(row["percent"]))
        for row in read_csv("ethnic_mix.csv")
        if row["province_code"] == province_code
    ]
    return Weighted.of([*shares, ("01", 100 - sum(share for _, share in shares))])


@cache
def _religions() -> Weighted[str]:
    return Weighted.of([(row["name"], float(row["weight"])) for row in read_csv("religions.csv")])


def province_code(rng: random.Random) -> str:
    """A province, weighted by population (An Giang deliberately over-represented)."""
    return _province_weights().pick(rng)


def ward_in(rng: random.Random, province: str) -> Ward:
    return rng.choice(catalogues.wards(province))


def address(ward: Ward, detail: str = "") -> Address:
    province = catalogues.province(ward.province_code)
    assert province is not None, ward
    return Address(province.code, province.name, ward.code, ward.name, detail)


def street_detail(rng: random.Random, ward: Ward) -> str:
    if ward.type == "Phường":
        return f"Số {rng.randint(1, 350)}, đường {rng.choice(_STREETS)}"
    hamlet = "Ấp" if ward.province_code in _SOUTHERN_PROVINCES else "Thôn"
    if rng.random() < 0.5:
        return f"{hamlet} {rng.randint(1, 12)}"
    return f"{hamlet} {rng.choice(_HAMLET_WORDS)} {rng.choice(_HAMLET_WORDS)}"


def ethnicity(rng: random.Random, province: str) -> str:
    return _ethnic_mix(province).pick(rng)


def religion(rng: random.Random, province: str, dan_toc: str) -> str:
    if dan_toc == "05":  # Khơ-me communities are Theravada Buddhist
        return "Phật giáo" if rng.random() < 0.9 else "Không"
    if dan_toc == "17":  # Chăm: Islam in the Mekong, Bà-la-môn in the south-central coast
        return "Hồi giáo" if province == "91" else "Bà-la-môn giáo"
    if province == "91" and rng.random() < 0.2:
        return "Phật giáo Hòa Hảo"
    if province in {"91", "86", "80"} and rng.random() < 0.03:
        return "Cao Đài"
    return _religions().pick(rng)


def blood_group(rng: random.Random) -> str:
    return _BLOOD_GROUPS.pick(rng)


def birth_date(rng: random.Random, year: int, not_after: date) -> date:
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), not_after)
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


class UniqueDraws:
    """Draws identifiers that must be unique across the population (phones, CMND, BHXH, ids)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def reserve(self, *values: str | None) -> None:
        self.used.update(value for value in values if value)

    def draw(self, make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def phone(self) -> str:
        return self.draw(
            lambda: (
                self.rng.choice(MOBILE_PREFIXES[_CARRIERS.pick(self.rng)])
                + f"{self.rng.randrange(10**7):07d}"
            )
        )

    def cmnd(self) -> str:
        return self.draw(lambda: f"{self.rng.randrange(10**8, 4 * 10**8):09d}")

    def bhxh(self, province: str) -> str:
        return self.draw(lambda: f"{province}{self.rng.randrange(10**8):08d}")

    def email(self, ho: str, ten: str, birth_year: int) -> str:
        local = names.ascii_fold(f"{ten}{ho}").lower().replace(" ", "")
        domain = _MAIL_DOMAINS.pick(self.rng)
        return self.draw(lambda: f"{local}{birth_year % 100:02d}{self.rng.randrange(1000)}@{domain}")
