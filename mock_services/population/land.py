"""Land parcels of households: a residential plot where they live, farmland in rural communes."""

from __future__ import annotations

import random
from collections.abc import Container
from datetime import date
from functools import cache
from typing import NamedTuple

from ndxp_sim.core import catalogues
from ndxp_sim.core.identifiers import PLATE_LETTERS
from ndxp_sim.core.model import Address, Citizen, Household, LandParcel
from ndxp_sim.mock_services.population.dates import REFERENCE_DATE, add_years
from ndxp_sim.mock_services.population.derive import Stream
from ndxp_sim.mock_services.population.sampling import Weighted

LANDHOLDING_SHARE = {"Phường": 0.5, "Xã": 0.85, "Đặc khu": 0.8}
# Certificates issued from 10 December 2014 are entered as "CS…", earlier ones as "CH…".
CS_REGISTER_FROM = date(2014, 12, 10)
FIRST_CERTIFICATE = date(1994, 1, 1)
AGRICULTURAL_TERM_YEARS = 50
_RESIDENTIAL_ORIGIN = (
    "Công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất",
    "Nhận chuyển nhượng quyền sử dụng đất",
    "Nhận thừa kế quyền sử dụng đất",
)
_FARM_ORIGIN = (
    "Nhà nước giao đất không thu tiền sử dụng đất",
    "Nhận chuyển nhượng quyền sử dụng đất",
    "Nhận thừa kế quyền sử dụng đất",
)
ParcelKey = tuple[str, int, int]


@cache
def _other_uses(urban: bool) -> Weighted[catalogues.LandUseType]:
    return Weighted.of(
        [
            (item, item.urban_weight if urban else item.rural_weight)
            for item in catalogues.land_use_types().values()
            if item.group != "residential"
        ]
    )


def holders(household: Household, citizens: dict[str, Citizen]) -> tuple[str, ...]:
    """The head and, when married and alive, the head's spouse: the household's adults on the certificate."""
    head = citizens[household.chu_ho]
    spouse = citizens.get(head.vo_chong or "")
    if spouse and not spouse.da_mat and spouse.household_id == household.id:
        return (head.so_dinh_danh, spouse.so_dinh_danh)
    return (head.so_dinh_danh,)


class ParcelEntry(NamedTuple):
    """What the registry pass keeps per parcel; the rest of the record is derived on lookup."""

    household_id: str
    use_code: str
    serial: str  # certificate serial, unique nationwide


def claim_parcels(
    rng: random.Random,
    household: Household,
    citizens: dict[str, Citizen],
    registry: dict[ParcelKey, ParcelEntry],
    serials: dict[str, ParcelKey],
) -> list[ParcelKey]:
    """Register the household's parcels under free (ward, sheet, parcel) keys and certificate serials."""
    address = household.address
    ward = catalogues.ward(address.ward_code) if address else None
    if ward is None or citizens[household.chu_ho].da_mat:
        return []
    if rng.random() >= LANDHOLDING_SHARE.get(ward.type, 0.7):
        return []
    urban = ward.type == "Phường"
    uses = [catalogues.land_use_types()["ODT" if urban else "ONT"]]
    uses += [_other_uses(urban).pick(rng) for _ in range(rng.randint(0, 1 if urban else 3))]
    keys = []
    for use in uses:
        key = _free_key(rng, ward.code, registry)
        serial = _serial(rng, serials)
        registry[key] = ParcelEntry(household.id, use.code, serial)
        serials[serial] = key
        keys.append(key)
    return keys


def parcel_record(
    seed: int, key: ParcelKey, entry: ParcelEntry, household: Household, citizens: dict[str, Citizen]
) -> LandParcel:
    """The full parcel: area, certificate dates and holders, derived from its key and its household."""
    ward_code, sheet, number = key
    stream = Stream(seed, "parcel", f"{ward_code}-{sheet}-{number}")
    use = catalogues.land_use_types()[entry.use_code]
    address = household.address
    ward = catalogues.ward(ward_code)
    assert address is not None and ward is not None, key
    owners = holders(household, citizens)
    youngest_holder = max(citizens[owner].ngay_sinh for owner in owners)
    issued = stream.day_between(max(FIRST_CERTIFICATE, add_years(youngest_holder, 18)), REFERENCE_DATE)
    urban = ward.type == "Phường"
    if use.group == "residential":
        area = stream.randint(400, 3000 if urban else 10_000) / 10
        located, origin, term = address, stream.choice(_RESIDENTIAL_ORIGIN), None
    else:
        area = stream.randint(3_000, 100_000) / 10
        located = Address(
            address.province_code, address.province_name, ward.code, ward.name, f"Tờ bản đồ số {sheet}"
        )
        origin, term = stream.choice(_FARM_ORIGIN), add_years(issued, AGRICULTURAL_TERM_YEARS)
    return LandParcel(
        ma_xa=ward_code,
        so_to=sheet,
        so_thua=number,
        dien_tich=area,
        muc_dich=use.code,
        ten_muc_dich=use.name,
        thoi_han=term,
        nguon_goc=origin,
        dia_chi=located,
        chu_su_dung=owners,
        household_id=household.id,
        so_phat_hanh=entry.serial,
        so_vao_so=f"{'CS' if issued >= CS_REGISTER_FROM else 'CH'}{stream.randint(1, 99_999):05d}",
        ngay_cap=issued,
    )


def _free_key(rng: random.Random, ward_code: str, taken: Container[ParcelKey]) -> ParcelKey:
    while True:
        key = (ward_code, rng.randint(1, 80), rng.randint(1, 999))
        if key not in taken:
            return key


def _serial(rng: random.Random, taken: Container[str]) -> str:
    while True:
        serial = f"{rng.choice(PLATE_LETTERS)}{rng.choice(PLATE_LETTERS)} {rng.randrange(1_000_000):06d}"
        if serial not in taken:
            return serial
