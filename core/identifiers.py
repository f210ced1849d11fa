"""Validators and generators for Vietnamese identifiers: CCCD, MST, S10, phones, BHXH/BHYT, plates, GPLX."""

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
_BHXH = re.compile(r"[0-9]{10}")
_BHYT = re.compile(r"([A-Z]{2})([1-5])([0-9]{2})([0-9]{10})")
# Plate series letters: the Latin alphabet without I, J, O, Q, R and W.
PLATE_LETTERS = "ABCDEFGHKLMNPSTUVXYZ"
_CAR_PLATE = re.compile(r"([0-9]{2})([A-HK-NPS-VX-Z])-([0-9]{3})\.([0-9]{2})")
_MOTORBIKE_PLATE = re.compile(r"([0-9]{2})-([A-HK-NPS-VX-Z])([1-9]) ([0-9]{3})\.([0-9]{2})")
_LICENCE = re.compile(r"[0-9]{12}")
_CERTIFICATE_SERIAL = re.compile(r"[A-Z]{2} [0-9]{6}")
_CERTIFICATE_ENTRY = re.compile(r"C[HS][0-9]{5}")
_AGENCY = re.compile(r"000\.00\.([0-9]{2})\.H([0-9]{2})")
_RANK = re.compile(r"[0-9]{2}\.[0-9]{3}")

# BHYT beneficiary groups (box 1 of the card) and the benefit level (box 2) each group receives:
# 1 = 100% without ceiling, 2 = 100% with ceiling, 3 = 95%, 4 = 80%, 5 = 100% (armed forces).
BHYT_BENEFIT_LEVELS: dict[str, int] = {
    **dict.fromkeys(("CC", "TQ"), 1),
    **dict.fromkeys(("CK", "CB", "KC", "HN", "DT", "DK", "XD", "BT", "TS", "TE"), 2),
    **dict.fromkeys(("HT", "TC", "CN"), 3),
    **dict.fromkeys(
        ("DN", "HX", "CH", "NN", "TK", "HC", "XK", "TB", "NO", "CT", "XB", "TN", "CS", "XN", "MS", "HD"), 4
    ),
    **dict.fromkeys(("TL", "XV", "HS", "SV", "GB", "GD"), 4),
    **dict.fromkeys(("QN", "CA", "CY"), 5),
}
# Driving-licence classes of the 2024 road-traffic law: (minimum age, validity in years, None = no expiry).
LICENCE_CLASSES: dict[str, tuple[int, int | None]] = {
    "A1": (18, None),
    "A": (18, None),
    "B1": (18, None),
    "B": (18, 10),
    "C1": (18, 10),
    "C": (21, 5),
    "D1": (24, 5),
    "D2": (24, 5),
    "D": (27, 5),
    "BE": (21, 5),
    "C1E": (24, 5),
    "CE": (24, 5),
    "D1E": (27, 5),
    "D2E": (27, 5),
    "DE": (27, 5),
}


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


_MST_DIGITS_OFFSET = ord("0") * sum(MST_WEIGHTS)


def mst_check_digit_holds(ten_digits: str) -> bool:
    """Whether 10 digits end in the MST check digit of their first nine; `mst_check_digit`'s rule in half
    the time (log masking asks it of every 10-digit number in free text). Other scripts' digits: False."""
    if not ten_digits.isascii():
        return False
    remainder: int = (sum(map(operator.mul, MST_WEIGHTS, ten_digits.encode())) - _MST_DIGITS_OFFSET) % 11
    return remainder != 0 and 10 - remainder == ord(ten_digits[9]) - 48


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
    return mst_check_digit_holds(base)


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


@cache
def _old_province_codes() -> frozenset[str]:
    return frozenset(province.code for province in catalogues.old_provinces())


def bhxh_is_valid(number: str) -> bool:
    """Mã số BHXH: 10 digits, the first two the code of the (old or new) province that issued it."""
    return bool(_BHXH.fullmatch(number)) and number[:2] in _old_province_codes()


@dataclass(frozen=True, slots=True)
class BhytCardParts:
    """The four boxes of a 15-character health-insurance card number."""

    object_code: str  # beneficiary group, e.g. "TE" child under 6, "DN" enterprise employee
    benefit_level: int  # 1..5
    province_code: str  # 2 digits, the province that issued the card
    ma_so_bhxh: str  # 10 digits


def make_bhyt_card(object_code: str, province_code: str, ma_so_bhxh: str) -> str:
    """`maThe`: group code + its benefit level + 2-digit province + the 10-digit BHXH number."""
    level = BHYT_BENEFIT_LEVELS.get(object_code)
    if level is None:
        raise ValueError(f"unknown BHYT beneficiary group: {object_code!r}")
    return f"{object_code}{level}{province_code}{ma_so_bhxh}"


def bhxh_number_in_card(value: str) -> str | None:
    """The BHXH number inside a value shaped like a BHYT card, in any letter case; the boxes are not checked
    against the catalogues (masking and subject hashing must also catch a mistyped card)."""
    match = _BHYT.fullmatch(value.upper())
    return match.group(4) if match else None


def bhyt_card_parse(card: str) -> BhytCardParts:
    """Split a valid card number into its boxes; raises ValueError on an invalid one."""
    match = _BHYT.fullmatch(card)
    if not match:
        raise ValueError(f"not a 15-character BHYT card number: {card!r}")
    code, level, province, bhxh = match.groups()
    if BHYT_BENEFIT_LEVELS.get(code) != int(level):
        raise ValueError(f"group {code} does not receive benefit level {level}: {card!r}")
    if province not in _old_province_codes() or not bhxh_is_valid(bhxh):
        raise ValueError(f"unknown province or BHXH number in {card!r}")
    return BhytCardParts(code, int(level), province, bhxh)


def bhyt_card_is_valid(card: str) -> bool:
    try:
        bhyt_card_parse(card)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class PlateParts:
    locality: str  # 2-digit plate code of the registering province (not the GSO code)
    series: str  # "A" for a car, "B1" for a motorbike
    serial: str  # 5 digits
    motorbike: bool


def make_car_plate(locality: str, letter: str, serial: int) -> str:
    """`67A-123.45`: locality, one series letter, a 5-digit serial written NNN.NN."""
    return f"{locality}{letter}-{serial // 100:03d}.{serial % 100:02d}"


def make_motorbike_plate(locality: str, letter: str, digit: int, serial: int) -> str:
    """`67-B1 123.45`: locality, series letter and digit, a 5-digit serial written NNN.NN."""
    return f"{locality}-{letter}{digit} {serial // 100:03d}.{serial % 100:02d}"


def plate_parse(plate: str) -> PlateParts:
    """Split a car or motorbike plate; raises ValueError when the shape or the locality is wrong."""
    car = _CAR_PLATE.fullmatch(plate)
    bike = _MOTORBIKE_PLATE.fullmatch(plate)
    if car:
        locality, series, high, low = car.groups()
    elif bike:
        locality, letter, digit, high, low = bike.groups()
        series = letter + digit
    else:
        raise ValueError(f"not a car or motorbike plate: {plate!r}")
    if locality not in catalogues.all_plate_codes():
        raise ValueError(f"unknown plate locality code {locality!r}")
    serial = high + low
    if serial == "00000":
        raise ValueError(f"serial 000.00 is never issued: {plate!r}")
    return PlateParts(locality, series, serial, motorbike=bike is not None)


def plate_is_valid(plate: str) -> bool:
    try:
        plate_parse(plate)
    except ValueError:
        return False
    return True


def licence_number_is_valid(number: str) -> bool:
    """Số GPLX: 12 digits, the first two the code of the issuing province."""
    return bool(_LICENCE.fullmatch(number)) and number[:2] in _old_province_codes()


def licence_class_allowed(licence_class: str, age: int) -> bool:
    """Whether someone of `age` may hold the class (minimum ages of the 2024 road-traffic law)."""
    rule = LICENCE_CLASSES.get(licence_class)
    return rule is not None and age >= rule[0]


def parcel_key_is_valid(ward_code: str, map_sheet: int, parcel_number: int) -> bool:
    """A parcel: a real 5-digit ward code, map sheet 1..999, parcel number 1..9999 on that sheet."""
    return catalogues.ward(ward_code) is not None and 1 <= map_sheet <= 999 and 1 <= parcel_number <= 9999


def land_certificate_is_valid(serial: str, entry: str | None = None) -> bool:
    """Certificate serial `AB 123456` (2 letters, 6 digits) and, if given, its register entry `CS01234`."""
    return bool(_CERTIFICATE_SERIAL.fullmatch(serial)) and (
        entry is None or bool(_CERTIFICATE_ENTRY.fullmatch(entry))
    )


def agency_code_is_valid(code: str) -> bool:
    """A provincial agency's electronic code `000.00.NN.Hpp`: NN its ordinal, pp a province code."""
    match = _AGENCY.fullmatch(code)
    return match is not None and catalogues.province(match.group(2)) is not None


def rank_code_is_valid(code: str) -> bool:
    """A civil-service rank (mã ngạch) `NN.NNN`, e.g. 01.003 chuyên viên."""
    return bool(_RANK.fullmatch(code))
