"""Validators and generators for Vietnamese identifiers: CCCD, MST, UPU S10 parcel codes, mobile numbers."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from functools import cache

from ndxp_sim.core import catalogues

MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
# Mobile carrier prefixes (docs/data-formats.md).
MOBILE_PREFIXES: dict[str, tuple[str, ...]] = {
    "Viettel": ("032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098"),
    "Vinaphone": ("081", "082", "083", "084", "085", "088", "091", "094"),
    "Mobifone": ("070", "076", "077", "078", "079", "089", "090", "093"),
    "Vietnamobile": ("052", "056", "058", "092"),
    "Gmobile": ("059", "099"),
}
MALE, FEMALE = "Nam", "Nữ"

_CCCD = re.compile(r"[0-9]{12}")
_MST = re.compile(r"([0-9]{10})(?:-([0-9]{3}))?")
_S10 = re.compile(r"([A-Z]{2})([0-9]{8})([0-9])([A-Z]{2})")
_PHONE = re.compile(r"(?:0|\+84)([0-9]{9})")


@dataclass(frozen=True, slots=True)
class CccdParts:
    """What a 12-digit personal id says about its holder."""

    province_code: str  # 3 digits, "0" + the (old) GSO province code of birth registration
    sex: str  # "Nam" | "Nữ"
    birth_year: int
    serial: str  # last 6 digits


@cache
def _known_cccd_prefixes() -> frozenset[str]:
    return frozenset("0" + province.code for province in catalogues.old_provinces())


def cccd_is_valid(number: str) -> bool:
    """12 digits, a known province prefix (old 63 codes; the 34 new ones are a subset), any century digit."""
    return bool(_CCCD.fullmatch(number)) and number[:3] in _known_cccd_prefixes()


def cccd_parse(number: str) -> CccdParts:
    """Split a valid CCCD into its parts; raises ValueError on an invalid number."""
    if not cccd_is_valid(number):
        raise ValueError(f"not a valid CCCD: {number!r}")
    century_sex = int(number[3])
    birth_year = (19 + century_sex // 2) * 100 + int(number[4:6])
    return CccdParts(number[:3], MALE if century_sex % 2 == 0 else FEMALE, birth_year, number[6:])


def cccd_century_digit(sex: str, birth_year: int) -> int:
    return (birth_year // 100 - 19) * 2 + (0 if sex == MALE else 1)


def make_cccd(province_code_3: str, sex: str, birth_year: int, serial: int) -> str:
    """Build a CCCD from its parts; serial is 0..999999."""
    if not 0 <= serial <= 999_999:
        raise ValueError(f"serial out of range: {serial}")
    digit = cccd_century_digit(sex, birth_year)
    return f"{province_code_3}{digit}{birth_year % 100:02d}{serial:06d}"


def mst_check_digit(first9: str) -> int | None:
    """The tenth MST digit for a 9-digit prefix, or None when the prefix can never be issued."""
    if len(first9) != len(MST_WEIGHTS):
        raise ValueError("an MST prefix has 9 digits")
    remainder = sum(map(operator.mul, MST_WEIGHTS, map(int, first9))) % 11
    return None if remainder == 0 else 10 - remainder


def mst_is_valid(number: str) -> bool:
    """A 10-digit MST with a valid check digit, its 10+'-'+3 branch form, or a 12-digit personal number."""
    if _CCCD.fullmatch(number):
        return cccd_is_valid(number)
    match = _MST.fullmatch(number)
    if not match:
        return False
    base, branch = match.groups()
    if branch == "000":
        return False
    return mst_check_digit(base[:9]) == int(base[9])


def s10_check_digit(serial8: str) -> int:
    """UPU S10 check digit over an 8-digit serial."""
    check = 11 - sum(weight * int(digit) for weight, digit in zip(S10_WEIGHTS, serial8, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def s10_is_valid(code: str) -> bool:
    match = _S10.fullmatch(code)
    return match is not None and s10_check_digit(match.group(2)) == int(match.group(3))


def make_s10(service: str, serial: int, country: str = "VN") -> str:
    serial8 = f"{serial:08d}"
    return f"{service}{serial8}{s10_check_digit(serial8)}{country}"


def phone_carrier(number: str) -> str | None:
    """The carrier of a mobile number (0xxxxxxxxx or +84xxxxxxxxx), or None when the prefix is unassigned."""
    match = _PHONE.fullmatch(number)
    if not match:
        return None
    prefix = "0" + match.group(1)[:2]
    return next((carrier for carrier, prefixes in MOBILE_PREFIXES.items() if prefix in prefixes), None)


def phone_is_valid(number: str) -> bool:
    return phone_carrier(number) is not None
