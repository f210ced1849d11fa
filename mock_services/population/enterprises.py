"""Generate enterprises: legal type, status, VSIC industries, a plausible name, an MST of their region."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from ndxp_sim.core import catalogues
from ndxp_sim.core.catalogues import DATA_DIR, read_csv
from ndxp_sim.core.identifiers import mst_check_digit
from ndxp_sim.core.model import Citizen, Enterprise
from ndxp_sim.mock_services.population import names, people
from ndxp_sim.mock_services.population.dates import REFERENCE_DATE, add_years, age_on
from ndxp_sim.mock_services.population.sampling import Weighted

FIRST_REGISTRATION = date(1995, 1, 1)
_GENERIC_TRADES = ("Thương mại", "Dịch vụ")
# Charter capital steps in VND, by legal-type code.
_CAPITAL_STEPS = {
    "01": (100, 200, 300, 500, 1_000, 2_000),
    "02": (500, 1_000, 2_000, 3_000, 5_000, 10_000, 20_000),
    "03": (500, 1_000, 1_500, 2_000, 5_000, 10_000, 50_000),
    "04": (2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 500_000),
    "05": (500, 1_000, 2_000),
}


@dataclass(frozen=True, slots=True)
class LegalType:
    code: str
    name: str
    name_prefix: str  # "Công ty TNHH"
    english_suffix: str
    short_suffix: str


@dataclass(frozen=True, slots=True)
class Trade:
    vi: str
    en: str
    short: str
    industries: tuple[str, ...]


@cache
def legal_types() -> Weighted[LegalType]:
    return Weighted.of(
        [
            (
                LegalType(r["code"], r["name"], r["name_prefix"], r["english_suffix"], r["short_suffix"]),
                float(r["weight"]),
            )
            for r in read_csv("enterprise_types.csv")
        ]
    )


@cache
def statuses() -> Weighted[tuple[str, str]]:
    return Weighted.of(
        [((r["code"], r["name"]), float(r["weight"])) for r in read_csv("enterprise_statuses.csv")]
    )


@cache
def industries() -> dict[str, str]:
    """The VSIC 2018 level-4 codes the mock uses, with their names."""
    return {row["code"]: row["name"] for row in read_csv("vsic_industries.csv")}


@cache
def tax_prefixes() -> dict[str, str]:
    """Old province code -> first two MST digits (approximate; see SOURCES.md)."""
    return {row["old_province_code"]: row["tax_prefix"] for row in read_csv("tax_regions.csv")}


@cache
def _name_parts() -> tuple[tuple[Trade, ...], tuple[str, ...]]:
    data = json.loads((DATA_DIR / "company_names.json").read_text(encoding="utf-8"))
    trades = tuple(Trade(t["vi"], t["en"], t["short"], tuple(t["industries"])) for t in data["trades"])
    return trades, tuple(data["brands"])


class EnterpriseBuilder:
    """Draws enterprises whose representatives are living adult citizens."""

    def __init__(self, rng: random.Random, draws: people.UniqueDraws, citizens: dict[str, Citizen]) -> None:
        self.rng = rng
        self.draws = draws
        self.representatives = [
            person for person in citizens.values() if not person.da_mat and age_on(person.ngay_sinh) >= 20
        ]
        self.enterprises: dict[str, Enterprise] = {}
        self.names_taken: set[str] = set()

    def reserve_name(self, name: str) -> None:
        self.names_taken.add(name.casefold())

    def add_enterprise(self) -> Enterprise:
        rng = self.rng
        representative = rng.choice(self.representatives)
        province = (
            representative.thuong_tru.province_code if rng.random() < 0.7 else people.province_code(rng)
        )
        ward = people.ward_in(rng, province)
        kind = legal_types().pick(rng)
        trades = self._trades()
        brand = self._brand(kind, trades, catalogues.province(province))
        founded = self._founded(representative)
        code, status = statuses().pick(rng)
        changes = rng.choice((0, 0, 1, 1, 2, 3, 4, 5))
        changed = _random_date(rng, founded, REFERENCE_DATE) if changes else None
        enterprise = Enterprise(
            ma_so_doanh_nghiep=self._mst(ward.old_province_code),
            ten_tieng_viet=" ".join([kind.name_prefix, *(t.vi for t in trades), brand]),
            ten_viet_tat=_short_name(kind, trades, brand),
            ten_nuoc_ngoai="" if kind.code == "01" else _english_name(kind, trades, brand),
            ma_loai_hinh=kind.code,
            loai_hinh=kind.name,
            ngay_dang_ky_lan_dau=founded,
            ma_tinh_trang=code,
            tinh_trang=status,
            tru_so=people.address(ward, people.street_detail(rng, ward)),
            nguoi_dai_dien=representative.so_dinh_danh,
            nganh_nghe=self._industries(trades),
            von_dieu_le=rng.choice(_CAPITAL_STEPS[kind.code]) * 1_000_000,
            so_lan_thay_doi=changes,
            ngay_dang_ky_thay_doi=changed,
        )
        self.enterprises[enterprise.ma_so_doanh_nghiep] = enterprise
        return enterprise

    def _trades(self) -> list[Trade]:
        """One line of business, often followed by a generic one ("Sản xuất Thương mại")."""
        trades, _ = _name_parts()
        first = self.rng.choice(trades)
        generic = [trade for trade in trades if trade.vi in _GENERIC_TRADES and trade != first]
        return [first, self.rng.choice(generic)] if self.rng.random() < 0.4 else [first]

    def _brand(self, kind: LegalType, trades: list[Trade], province: catalogues.Province | None) -> str:
        """A brand whose full name is not taken yet (names are unique nationwide)."""
        _, brands = _name_parts()
        base = self.rng.choice(brands)
        candidates = [base, f"{base} {province.short_name}" if province else base]
        candidates += [f"{base} {number}" for number in range(2, 1000)]
        for candidate in candidates:
            full = " ".join([kind.name_prefix, *(t.vi for t in trades), candidate]).casefold()
            if full not in self.names_taken:
                self.names_taken.add(full)
                return candidate
        raise RuntimeError("ran out of enterprise names")

    def _founded(self, representative: Citizen) -> date:
        earliest = max(FIRST_REGISTRATION, add_years(representative.ngay_sinh, 18))
        return _random_date(self.rng, earliest, REFERENCE_DATE)

    def _mst(self, old_province_code: str) -> str:
        prefix = tax_prefixes()[old_province_code]

        def candidate() -> str:
            while True:
                first9 = f"{prefix}{self.rng.randrange(10**7):07d}"
                check = mst_check_digit(first9)
                if check is not None:
                    return f"{first9}{check}"

        return self.draws.draw(candidate)

    def _industries(self, trades: list[Trade]) -> list[tuple[str, str, bool]]:
        names_by_code = industries()
        related = [code for trade in trades for code in trade.industries]
        main = self.rng.choice(trades[0].industries)
        extras = [code for code in dict.fromkeys(related) if code != main]
        extras = self.rng.sample(extras, min(len(extras), self.rng.randint(0, 4)))
        extras += self.rng.sample(sorted(names_by_code), self.rng.randint(0, 3))
        chosen = [main, *dict.fromkeys(code for code in extras if code != main)]
        return [(code, names_by_code[code], code == main) for code in chosen]


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _short_name(kind: LegalType, trades: list[Trade], brand: str) -> str:
    abbreviation = "".join(names.ascii_fold(t.short) for t in trades)
    return f"{names.ascii_fold(brand).upper()} {abbreviation} {kind.short_suffix}"


def _english_name(kind: LegalType, trades: list[Trade], brand: str) -> str:
    return " ".join([names.ascii_fold(brand).upper(), *(t.en for t in trades), kind.english_suffix])
