"""Land parcels of households: a residential plot where they live, farmland in rural communes."""

from __future__ import annotations

from datetime import date
from functools import cache

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


def parcels_for(
    seed: int,
    household: Household,
    citizens: dict[str, Citizen],
    taken_keys: set[ParcelKey],
    taken_serials: set[str],
) -> list[LandParcel]:
    """The household's parcels; parcel keys and certificate serials are kept unique through the taken sets."""
    address = household.address
    head = citizens[household.chu_ho]
    ward = catalogues.ward(address.ward_code) if address else None
    if address is None or ward is None or head.da_mat:
        return []
    stream = Stream(seed, "land", household.id)
    if not stream.chance(LANDHOLDING_SHARE.get(ward.type, 0.7)):
        return []
    urban = ward.type == "Phường"
    owners = holders(household, citizens)
    youngest_holder = max(citizens[owner].ngay_sinh for owner in owners)
    earliest = max(FIRST_CERTIFICATE, add_years(youngest_holder, 18))
    residential = catalogues.land_use_types()["ODT" if urban else "ONT"]
    uses = [residential]
    for _ in range(stream.randint(0, 1 if urban else 3)):
        uses.append(stream.pick(_other_uses(urban)))
    parcels = []
    for use in uses:
        issued = stream.day_between(earliest, REFERENCE_DATE)
        sheet, number = _free_key(stream, ward.code, taken_keys)
        if use is residential:
            area = stream.randint(400, 3000 if urban else 10_000) / 10
            located, origin, term = address, stream.choice(_RESIDENTIAL_ORIGIN), None
        else:
            area = stream.randint(3_000, 100_000) / 10
            located = Address(
                address.province_code, address.province_name, ward.code, ward.name, f"Tờ bản đồ số {sheet}"
            )
            origin, term = stream.choice(_FARM_ORIGIN), add_years(issued, AGRICULTURAL_TERM_YEARS)
        parcels.append(
            LandParcel(
                ma_xa=ward.code,
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
                so_phat_hanh=_serial(stream, taken_serials),
                so_vao_so=f"{'CS' if issued >= CS_REGISTER_FROM else 'CH'}{stream.randint(1, 99_999):05d}",
                ngay_cap=issued,
            )
        )
    return parcels


def _free_key(stream: Stream, ward_code: str, taken: set[ParcelKey]) -> tuple[int, int]:
    while True:
        key = (ward_code, stream.randint(1, 80), stream.randint(1, 999))
        if key not in taken:
            taken.add(key)
            return key[1], key[2]


def _serial(stream: Stream, taken: set[str]) -> str:
    while True:
        serial = (
            f"{stream.choice(PLATE_LETTERS)}{stream.choice(PLATE_LETTERS)} {stream.randint(0, 999_999):06d}"
        )
        if serial not in taken:
            taken.add(serial)
            return serial
