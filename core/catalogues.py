"""Shared catalogues from core/data: admin units (new and legacy), ethnic groups, religions, countries, banks.

Records are frozen dataclasses read once; the functions return fresh lists/dicts of them in file order.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class Province:
    """One of the 34 provinces since 1 July 2025."""

    code: str  # 2 digits, e.g. "91"
    name: str  # "Tỉnh An Giang"
    type: str  # "Tỉnh" | "Thành phố"

    @property
    def short_name(self) -> str:
        return self.name.removeprefix(self.type).strip()


@dataclass(frozen=True, slots=True)
class Ward:
    """One of the 3,321 commune-level units (xã, phường, đặc khu) since 1 July 2025."""

    code: str  # 5 digits, e.g. "30280"
    name: str  # "Phường Long Xuyên"
    type: str  # "Xã" | "Phường" | "Đặc khu"
    province_code: str
    lat: float
    lon: float
    old_province_code: str  # the pre-2025 province most of the ward came from (CCCD prefixes of older births)


@dataclass(frozen=True, slots=True)
class OldProvince:
    """One of the 63 pre-2025 provinces; its code is still the CCCD prefix for births registered there."""

    code: str
    name: str
    new_province_code: str


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def _admin_rows() -> tuple[dict[str, str], ...]:
    return tuple(read_csv("admin_units.csv"))


@cache
def _provinces() -> tuple[Province, ...]:
    seen: dict[str, Province] = {}
    for row in _admin_rows():
        if row["province_code"] not in seen:
            name = row["province_name"]
            kind = "Thành phố" if name.startswith("Thành phố") else "Tỉnh"
            seen[row["province_code"]] = Province(row["province_code"], name, kind)
    return tuple(seen.values())


def provinces() -> list[Province]:
    """The 34 provinces, ordered by code."""
    return list(_provinces())


@cache
def _provinces_by_code() -> dict[str, Province]:
    return {province.code: province for province in _provinces()}


def province(code: str) -> Province | None:
    return _provinces_by_code().get(code)


@cache
def _all_wards() -> tuple[Ward, ...]:
    return tuple(
        Ward(
            row["ward_code"],
            row["ward_name"],
            row["ward_type"],
            row["province_code"],
            float(row["lat"]),
            float(row["lon"]),
            row["old_province_code"],
        )
        for row in _admin_rows()
    )


@cache
def _wards_by_province() -> dict[str, tuple[Ward, ...]]:
    grouped: dict[str, list[Ward]] = {}
    for item in _all_wards():
        grouped.setdefault(item.province_code, []).append(item)
    return {code: tuple(items) for code, items in grouped.items()}


@cache
def _wards_by_code() -> dict[str, Ward]:
    return {item.code: item for item in _all_wards()}


def wards(province_code: str | None = None) -> list[Ward]:
    """All wards, or those of one province, ordered by code."""
    if province_code is None:
        return list(_all_wards())
    return list(_wards_by_province().get(province_code, ()))


def ward(code: str) -> Ward | None:
    return _wards_by_code().get(code)


@cache
def _old_provinces() -> tuple[OldProvince, ...]:
    return tuple(
        OldProvince(row["old_province_code"], row["old_province_name"], row["new_province_code"])
        for row in read_csv("old_provinces.csv")
    )


def old_provinces() -> list[OldProvince]:
    """The 63 pre-2025 provinces, ordered by code."""
    return list(_old_provinces())


@cache
def _ethnic_groups() -> tuple[tuple[str, str], ...]:
    return tuple((row["code"], row["name"]) for row in read_csv("ethnic_groups.csv"))


def ethnic_groups() -> dict[str, str]:
    """The 54 ethnic groups by 2-digit code (QĐ 121-TCTK/PPCĐ), "01" Kinh first."""
    return dict(_ethnic_groups())


@cache
def _religions() -> tuple[str, ...]:
    return tuple(row["name"] for row in read_csv("religions.csv"))


def religions() -> list[str]:
    """The 16 state-recognised religions, preceded by "Không" (none)."""
    return list(_religions())


@cache
def _plate_codes() -> dict[str, tuple[str, ...]]:
    return {
        row["old_province_code"]: tuple(row["plate_codes"].split(";")) for row in read_csv("plate_codes.csv")
    }


def plate_codes(old_province_code: str) -> tuple[str, ...]:
    """The 2-digit locality codes on vehicle plates registered in an old (pre-2025) province."""
    return _plate_codes().get(old_province_code, ())


@cache
def all_plate_codes() -> frozenset[str]:
    return frozenset(code for codes in _plate_codes().values() for code in codes)


@dataclass(frozen=True, slots=True)
class LandUseType:
    """A land-use purpose code of the cadastral records (ONT, ODT, LUC, CLN, ...)."""

    code: str
    name: str
    group: str  # "residential" | "agricultural" | "non_agricultural"
    rural_weight: float
    urban_weight: float


@cache
def _land_use_types() -> tuple[LandUseType, ...]:
    return tuple(
        LandUseType(
            row["code"], row["name"], row["group"], float(row["rural_weight"]), float(row["urban_weight"])
        )
        for row in read_csv("land_use_types.csv")
    )


def land_use_types() -> dict[str, LandUseType]:
    """The land-use purpose codes the population uses, by code."""
    return {item.code: item for item in _land_use_types()}


@dataclass(frozen=True, slots=True)
class Facility:
    """A first-care (KCB ban đầu) facility: a province's hospitals and each commune's health station."""

    code: str  # 5 digits: 2-digit province code + 3-digit ordinal
    name: str
    province_code: str
    ward_code: str | None  # the commune of a health station; None for a provincial hospital


@cache
def _facilities(province_code: str) -> tuple[Facility, ...]:
    found = province(province_code)
    if found is None:
        return ()
    place = f"{found.type.lower()} {found.short_name}"
    hospitals = (
        Facility(f"{province_code}001", f"Bệnh viện Đa khoa {place}", province_code, None),
        Facility(f"{province_code}002", f"Bệnh viện Y học cổ truyền {place}", province_code, None),
    )
    stations = tuple(
        Facility(f"{province_code}{100 + index:03d}", f"Trạm Y tế {item.name}", province_code, item.code)
        for index, item in enumerate(wards(province_code))
    )
    return hospitals + stations


def facilities(province_code: str) -> list[Facility]:
    """First-care facilities of a province: code pp001/pp002 hospitals, pp100+ commune health stations."""
    return list(_facilities(province_code))


@cache
def _facilities_by_code() -> dict[str, Facility]:
    return {item.code: item for code in _provinces_by_code() for item in _facilities(code)}


def facility(code: str) -> Facility | None:
    return _facilities_by_code().get(code)


@cache
def _station_by_ward() -> dict[str, Facility]:
    return {item.ward_code: item for item in _facilities_by_code().values() if item.ward_code}


def health_station(ward_code: str) -> Facility | None:
    """The commune health station of a ward."""
    return _station_by_ward().get(ward_code)


@dataclass(frozen=True, slots=True)
class LegacyWard:
    """One of the 10,035 pre-2025 communes and the new ward it went into on 1 July 2025."""

    code: str  # 5 digits; many were reused as the code of the new ward
    name: str  # "Phường Phúc Xá"
    type: str  # "Xã" | "Phường" | "Thị trấn"
    district_code: str  # 3 digits, the district level abolished in 2025
    district_name: str
    old_province_code: str
    new_ward_code: str  # a commune split between wards maps to the one that took its main part


@cache
def _legacy_wards() -> tuple[LegacyWard, ...]:
    return tuple(
        LegacyWard(
            row["old_ward_code"],
            row["old_ward_name"],
            row["old_ward_type"],
            row["old_district_code"],
            row["old_district_name"],
            row["old_province_code"],
            row["new_ward_code"],
        )
        for row in read_csv("legacy_wards.csv")
    )


def legacy_wards() -> list[LegacyWard]:
    """The pre-2025 communes, ordered by code."""
    return list(_legacy_wards())


@cache
def _legacy_wards_by_code() -> dict[str, LegacyWard]:
    return {item.code: item for item in _legacy_wards()}


def legacy_ward(code: str) -> LegacyWard | None:
    return _legacy_wards_by_code().get(code)


@dataclass(frozen=True, slots=True)
class Country:
    """An ISO 3166-1 country: the alpha-2 code is also the nationality code of the population DB ("VN")."""

    alpha_2: str
    alpha_3: str
    numeric: str  # 3 digits, e.g. "704"
    name_en: str
    name_vi: str


@cache
def _countries() -> tuple[Country, ...]:
    return tuple(
        Country(row["alpha_2"], row["alpha_3"], row["numeric"], row["name_en"], row["name_vi"])
        for row in read_csv("countries.csv")
    )


def countries() -> list[Country]:
    """The 249 ISO 3166-1 countries, ordered by alpha-2 code."""
    return list(_countries())


@dataclass(frozen=True, slots=True)
class Bank:
    """A bank or credit institution keyed by its NAPAS/VietQR BIN; `former_*` name it before `renamed_on`."""

    bin: str  # 6 digits, mostly 9704xx
    code: str  # VietQR short code, e.g. "VCB"
    short_name: str
    name: str
    type: str
    former_code: str
    former_short_name: str
    former_name: str
    former_type: str
    renamed_on: date | None


@cache
def _banks() -> tuple[Bank, ...]:
    return tuple(
        Bank(
            row["bin"],
            row["code"],
            row["short_name"],
            row["name"],
            row["type"],
            row["former_code"],
            row["former_short_name"],
            row["former_name"],
            row["former_type"],
            date.fromisoformat(row["renamed_on"]) if row["renamed_on"] else None,
        )
        for row in read_csv("banks.csv")
    )


def banks() -> list[Bank]:
    """Banks and credit institutions with a NAPAS BIN, in file order (state-owned first)."""
    return list(_banks())


@cache
def licence_classes() -> dict[str, str]:
    """Driving-licence class (2024 road-traffic law) → the vehicles it allows (licence_classes.csv)."""
    return {row["hang"]: row["mo_ta"] for row in read_csv("licence_classes.csv")}
