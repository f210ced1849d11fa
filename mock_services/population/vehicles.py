"""Vehicles (with plates of the owner's province and inspection data) and driving licences, per person."""

from __future__ import annotations

import random
from collections.abc import Container
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import NamedTuple

from ndxp_sim.core import catalogues
from ndxp_sim.core.catalogues import read_csv
from ndxp_sim.core.identifiers import (
    LICENCE_CLASSES,
    PLATE_LETTERS,
    make_car_plate,
    make_motorbike_plate,
)
from ndxp_sim.core.model import Citizen, DrivingLicence, Inspection, Vehicle
from ndxp_sim.mock_services.population.dates import (
    REFERENCE_DATE,
    add_months,
    add_years,
    age_on,
    day_before,
    day_between,
    province_code_on,
)
from ndxp_sim.mock_services.population.derive import Stream
from ndxp_sim.mock_services.population.sampling import Weighted

MOTORBIKE, CAR, TRUCK = "motorbike", "car", "truck"
VEHICLE_KINDS = {MOTORBIKE: "Xe mô tô", CAR: "Ô tô con", TRUCK: "Ô tô tải"}
# Shares of living adults (in the age band) who own one.
OWNERSHIP = {MOTORBIKE: (0.6, 18, 75), CAR: (0.08, 23, 75), TRUCK: (0.015, 23, 65)}
_CAR_LETTERS = "AEFGHKL"  # private cars; "C" is the truck series
_BIKE_LETTERS = PLATE_LETTERS.replace("A", "")  # the A series is for bikes above 175 cm³
_BIG_BIKE_CC = 175
_COLOURS = ("Đen", "Trắng", "Đỏ", "Xanh", "Bạc", "Xám", "Vàng")
_VIN_CHARACTERS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
# Licensing moved from the transport departments to the traffic police on 1 March 2025.
POLICE_LICENSING = date(2025, 3, 1)
VALID, EXPIRED, REVOKED = "Còn hiệu lực", "Hết hạn", "Bị thu hồi"
MAX_POINTS = 12


@dataclass(frozen=True, slots=True)
class Model:
    kind: str
    make: str
    model: str
    engine_cc: int
    seats: int
    load_kg: int


@cache
def _models(kind: str) -> Weighted[Model]:
    rows = [row for row in read_csv("vehicle_models.csv") if row["kind"] == kind]
    return Weighted.of(
        [
            (
                Model(
                    kind,
                    row["make"],
                    row["model"],
                    int(row["engine_cc"]),
                    int(row["seats"]),
                    int(row["load_kg"]),
                ),
                float(row["weight"]),
            )
            for row in rows
        ]
    )


class VehicleEntry(NamedTuple):
    """What the registry pass keeps per plate; the rest of the record is derived on lookup."""

    owner: str
    model: Model | None  # None for a fixed test identity's vehicle


class LicenceEntry(NamedTuple):
    holder: str
    licence_class: str
    issued: date


def claim_vehicles(rng: random.Random, person: Citizen, registry: dict[str, VehicleEntry]) -> list[str]:
    """Register the vehicles a living adult owns under plates not in `registry` yet; returns the plates."""
    age = age_on(person.ngay_sinh)
    owned = []
    for kind, (share, youngest, oldest) in OWNERSHIP.items():
        if youngest <= age <= oldest and rng.random() < share:
            model = _models(kind).pick(rng)
            plate = _plate(rng, _locality(rng, person), model, registry)
            registry[plate] = VehicleEntry(person.so_dinh_danh, model)
            owned.append(plate)
    return owned


def _locality(rng: random.Random, person: Citizen) -> str:
    ward = catalogues.ward(person.thuong_tru.ward_code)
    assert ward is not None, person.thuong_tru
    return rng.choice(catalogues.plate_codes(ward.old_province_code))


def vehicle_record(seed: int, plate: str, model: Model, owner: Citizen) -> Vehicle:
    """The full record of a registered plate: make, year, VIN and inspection, derived from the plate."""
    stream = Stream(seed, "vehicle", plate)
    adult = add_years(owner.ngay_sinh, 18)
    built = stream.randint(max(2005, adult.year - 1), REFERENCE_DATE.year)
    registered = stream.day_between(max(date(built, 1, 1), adult), REFERENCE_DATE)
    make_code = "".join(char for char in model.make.upper() if char.isalpha())[:2]
    locality = plate[:2]
    return Vehicle(
        bien_so=plate,
        loai_xe=VEHICLE_KINDS[model.kind],
        nhan_hieu=model.make,
        so_loai=model.model,
        mau_son=stream.choice(_COLOURS),
        nam_san_xuat=built,
        dung_tich=model.engine_cc,
        so_cho=model.seats,
        tai_trong=model.load_kg,
        so_khung="RL" + _vin_tail(stream),
        so_may=f"{make_code}{stream.randint(10, 99)}E{stream.randint(0, 9_999_999):07d}",
        chu_so_huu=owner.so_dinh_danh,
        ngay_dang_ky=registered,
        dang_kiem=None
        if model.kind == MOTORBIKE
        else inspection(stream, model.kind, locality, built, registered),
    )


def _vin_tail(stream: Stream) -> str:
    """15 VIN characters from two 64-bit draws (one draw per character would dominate the pass)."""
    number, characters = (stream.bits() << 64) | stream.bits(), []
    for _ in range(15):
        number, index = divmod(number, len(_VIN_CHARACTERS))
        characters.append(_VIN_CHARACTERS[index])
    return "".join(characters)


def _plate(rng: random.Random, locality: str, model: Model, taken: Container[str]) -> str:
    while True:
        serial = rng.randint(1, 99_999)
        if model.kind == MOTORBIKE:
            letter = "A" if model.engine_cc > _BIG_BIKE_CC else rng.choice(_BIKE_LETTERS)
            plate = make_motorbike_plate(locality, letter, rng.randint(1, 9), serial)
        else:
            plate = make_car_plate(locality, "C" if model.kind == TRUCK else rng.choice(_CAR_LETTERS), serial)
        if plate not in taken:
            return plate


def inspection_cycle(kind: str, built: int, first: bool) -> int:
    """Months a periodic-inspection certificate lasts: longer for new cars, shorter for old vehicles."""
    age = REFERENCE_DATE.year - built
    if age > 20:
        return 6
    if kind == CAR:
        return 36 if first else (24 if age <= 7 else 12)
    return 24 if first else 12


def inspection(stream: Stream, kind: str, locality: str, built: int, registered: date) -> Inspection:
    first_cycle = inspection_cycle(kind, built, first=True)
    if add_months(registered, first_cycle) > REFERENCE_DATE:
        checked, months = registered, first_cycle
    else:
        months = inspection_cycle(kind, built, first=False)
        checked = stream.day_between(max(registered, add_months(REFERENCE_DATE, -months)), REFERENCE_DATE)
        if stream.chance(0.08):  # overdue for inspection
            checked = max(registered, add_months(checked, -months))
    return Inspection(
        so_giay_chung_nhan=f"{_letters(stream, 2)} {stream.randint(0, 9_999_999):07d}",
        so_tem=f"{_letters(stream, 1)}{stream.randint(0, 9_999_999):07d}",
        ngay_kiem_dinh=checked,
        han_kiem_dinh=day_before(add_months(checked, months)),
        ma_don_vi=f"{locality}-{stream.randint(1, 5):02d}V",
    )


def _letters(stream: Stream, count: int) -> str:
    return "".join(stream.choice(PLATE_LETTERS) for _ in range(count))


def licence_classes_for(rng: random.Random, person: Citizen, owned: list[VehicleEntry]) -> list[str]:
    """One motorbike class and at most one car class; owners almost always hold the class they need."""
    age = age_on(person.ngay_sinh)
    kinds = {entry.model.kind for entry in owned if entry.model}
    big_bike = any(
        entry.model and entry.model.kind == MOTORBIKE and entry.model.engine_cc > _BIG_BIKE_CC
        for entry in owned
    )
    classes = []
    if rng.random() < (0.92 if MOTORBIKE in kinds else 0.5):
        classes.append("A" if big_bike else "A1")
    if rng.random() < (0.95 if kinds - {MOTORBIKE} else 0.1):
        car_class = "C1" if TRUCK in kinds else "B"
        roll = rng.random()
        for candidate, share in (("DE", 0.002), ("D", 0.01), ("CE", 0.02), ("C", 0.08), ("D2", 0.09)):
            if roll < share and age >= LICENCE_CLASSES[candidate][0]:
                car_class = candidate
                break
        classes.append(car_class)
    return classes


def claim_licences(
    rng: random.Random, person: Citizen, owned: list[VehicleEntry], registry: dict[str, LicenceEntry]
) -> list[str]:
    """Register the person's licences under numbers not in `registry` yet; returns the numbers."""
    ward = catalogues.ward(person.thuong_tru.ward_code)
    assert ward is not None, person.thuong_tru
    numbers = []
    for licence_class in licence_classes_for(rng, person, owned):
        minimum_age, years = LICENCE_CLASSES[licence_class]
        eligible = add_years(person.ngay_sinh, minimum_age)
        issued = day_between(rng, max(eligible, date(1995, 1, 1)), REFERENCE_DATE)
        if years and add_years(issued, years) < REFERENCE_DATE and rng.random() < 0.8:  # renewed since
            issued = day_between(rng, max(eligible, add_years(REFERENCE_DATE, -years + 1)), REFERENCE_DATE)
        province_code = province_code_on(ward, issued)
        number = _licence_number(rng, province_code, registry)
        registry[number] = LicenceEntry(person.so_dinh_danh, licence_class, issued)
        numbers.append(number)
    return numbers


def licence_record(seed: int, number: str, entry: LicenceEntry, holder: Citizen) -> DrivingLicence:
    """The full licence: expiry from the class's validity, status and points derived from the number."""
    stream = Stream(seed, "licence", number)
    years = LICENCE_CLASSES[entry.licence_class][1]
    expires = add_years(entry.issued, years) if years else None
    points = MAX_POINTS if stream.chance(0.85) else stream.randint(2, MAX_POINTS - 1)
    status = EXPIRED if expires and expires < REFERENCE_DATE else VALID
    if stream.chance(0.005):
        status, points = REVOKED, 0
    ward = catalogues.ward(holder.thuong_tru.ward_code)
    assert ward is not None, holder.thuong_tru
    return DrivingLicence(
        so_gplx=number,
        so_dinh_danh=holder.so_dinh_danh,
        hang=entry.licence_class,
        ngay_cap=entry.issued,
        ngay_het_han=expires,
        noi_cap=issuer(ward, entry.issued),
        trang_thai=status,
        diem=points,
    )


def issuer(ward: catalogues.Ward, issued: date) -> str:
    if issued < POLICE_LICENSING:
        return f"Sở Giao thông vận tải {_old_province_names()[ward.old_province_code]}"
    province = catalogues.province(ward.province_code)
    assert province is not None
    return f"Phòng Cảnh sát giao thông Công an {province.type.lower()} {province.short_name}"


@cache
def _old_province_names() -> dict[str, str]:
    return {
        item.code: item.name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
        for item in catalogues.old_provinces()
    }


def _licence_number(rng: random.Random, province_code: str, taken: Container[str]) -> str:
    while True:
        number = f"{province_code}{rng.randrange(10**10):010d}"
        if number not in taken:
            return number
