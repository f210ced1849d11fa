"""The Population: citizens in households and enterprises, what they hold, lookups and birth registration."""

from __future__ import annotations

import random
import threading
from datetime import date
from typing import Any

from ndxp_sim.core import catalogues
from ndxp_sim.core.identifiers import make_cccd
from ndxp_sim.core.model import (
    Address,
    Citizen,
    CivilServant,
    DrivingLicence,
    Enterprise,
    HealthInsurance,
    Household,
    HouseholdInsurance,
    LandParcel,
    Vehicle,
)
from ndxp_sim.mock_services.population import insurance, land, vehicles, work
from ndxp_sim.mock_services.population.assets import (
    FixedAssets,
    LandRegistry,
    ServantRegistry,
    VehicleRegistry,
    build_land_registry,
    build_servant_registry,
    build_vehicle_registry,
    fixed_assets,
)
from ndxp_sim.mock_services.population.dates import province_code_on

HEAD_OR_SPOUSE = frozenset({"Chủ hộ", "Vợ", "Chồng"})
MARRIED = "Đã kết hôn"
WIDOWED = "Góa"
_ACTIVE = "00"


def cccd_prefix(birth_ward_code: str, province_code: str, birth_date: date) -> str:
    """The CCCD prefix: "0" + the province code in force where and when the birth was registered."""
    ward = catalogues.ward(birth_ward_code)
    if ward is not None:
        return "0" + province_code_on(ward, birth_date)
    if catalogues.province(province_code) is None:
        raise ValueError(
            f"unknown birth-registration place: ward {birth_ward_code!r}, province {province_code!r}"
        )
    return "0" + province_code


class Population:
    """The shared synthetic population; lookups are dict hits, register_birth is serialised by a lock."""

    def __init__(
        self,
        citizens: dict[str, Citizen],
        households: dict[str, Household],
        enterprises: dict[str, Enterprise],
        *,
        seed: int,
        reserved_ids: frozenset[str] = frozenset(),
    ) -> None:
        self.citizens = citizens
        self.households = households
        self.enterprises = enterprises
        self.seed = seed
        self.reserved_ids = reserved_ids
        self.births_registered = 0
        self._build_indexes()

    def _build_indexes(self) -> None:
        self._lock = threading.RLock()  # re-entrant: register_birth reads the lazily built indexes
        # What was registered since it was built or unpickled (a reset reloads it when `changes` > 0).
        self.changes = 0
        self.residence_registered: dict[str, tuple[str, date]] = {}  # person -> (household, registered on)
        self.residence_removed: dict[str, tuple[date, str]] = {}  # person -> (removed on, reason)
        self._by_cmnd = {person.so_cmnd: person for person in self.citizens.values() if person.so_cmnd}
        by_province: dict[str, list[Enterprise]] = {}
        for enterprise in sorted(self.enterprises.values(), key=lambda item: item.ma_so_doanh_nghiep):
            by_province.setdefault(enterprise.tru_so.province_code, []).append(enterprise)
        self._enterprises_by_province = by_province
        self._enterprise_pools = {code: tuple(items) for code, items in by_province.items()}
        self._active_pools = {
            code: tuple(item for item in items if item.ma_tinh_trang == _ACTIVE)
            for code, items in by_province.items()
        }
        self._all_active = tuple(item for items in self._active_pools.values() for item in items)
        # Built on first use and never pickled: derived from the records above.
        self._by_bhxh: dict[str, Citizen] | None = None
        self._vehicle_registry: VehicleRegistry | None = None
        self._land_registry: LandRegistry | None = None
        self._servant_registry: ServantRegistry | None = None
        self._fixed_assets: FixedAssets | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {
            "citizens": self.citizens,
            "households": self.households,
            "enterprises": self.enterprises,
            "seed": self.seed,
            "reserved_ids": self.reserved_ids,
            "births_registered": self.births_registered,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._build_indexes()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Population):
            return NotImplemented
        return self.__getstate__() == other.__getstate__()

    __hash__ = None  # type: ignore[assignment]  # mutable: register_birth changes it

    def citizen(self, so_dinh_danh: str) -> Citizen | None:
        return self.citizens.get(so_dinh_danh)

    def find_by_cmnd(self, so_cmnd: str) -> Citizen | None:
        return self._by_cmnd.get(so_cmnd)

    def enterprise(self, msdn: str) -> Enterprise | None:
        return self.enterprises.get(msdn)

    def enterprises_in_province(self, province_code: str) -> list[Enterprise]:
        """Enterprises with their head office in the province, ordered by MST."""
        return list(self._enterprises_by_province.get(province_code, ()))

    def household_of(self, citizen: Citizen) -> Household:
        return self.households[citizen.household_id]

    def spouse_of(self, citizen: Citizen) -> Citizen | None:
        """The current spouse: only while the marriage lasts (a widowed person's late spouse is not one).

        The one rule every operation that shows a spouse follows; `vo_chong` itself keeps the late spouse
        of a widowed person as the family link.
        """
        if citizen.tinh_trang_hon_nhan != MARRIED or citizen.vo_chong is None:
            return None
        return self.citizens.get(citizen.vo_chong)

    # Enterprises by province, for employers.

    def enterprises_of_province(self, province_code: str) -> tuple[Enterprise, ...]:
        return self._enterprise_pools.get(province_code, ())

    def active_enterprises(self, province_code: str | None) -> tuple[Enterprise, ...]:
        """Active enterprises of a province (ordered by MST), or of the whole country for None."""
        if province_code is None:
            return self._all_active
        return self._active_pools.get(province_code, ())

    # Insurance, derived per person on each call.

    @property
    def fixed_assets(self) -> FixedAssets:
        if self._fixed_assets is None:
            self._fixed_assets = fixed_assets()
        return self._fixed_assets

    def find_by_bhxh(self, ma_so_bhxh: str) -> Citizen | None:
        return self._bhxh_index().get(ma_so_bhxh)

    def _bhxh_index(self) -> dict[str, Citizen]:
        with self._lock:
            if self._by_bhxh is None:
                self._by_bhxh = {
                    person.ma_so_bhxh: person for person in self.citizens.values() if person.ma_so_bhxh
                }
            return self._by_bhxh

    def health_insurance(self, so_dinh_danh: str) -> HealthInsurance | None:
        person = self.citizens.get(so_dinh_danh)
        return insurance.health_insurance(self, person) if person else None

    def insurance_by_card(self, ma_the: str) -> HealthInsurance | None:
        """The record whose current card is `ma_the` (15 characters); None if unknown or not current."""
        person = self.find_by_bhxh(ma_the[-10:])
        record = insurance.health_insurance(self, person) if person else None
        return record if record and record.ma_the == ma_the else None

    def household_insurance(self, household_id: str) -> HouseholdInsurance | None:
        household = self.households.get(household_id)
        return insurance.household_insurance(self, household) if household else None

    def work_of(self, citizen: Citizen) -> work.Work:
        return work.work_of(self, citizen)

    # Vehicles, licences, land and civil servants, from registries built on first use.

    @property
    def vehicle_registry(self) -> VehicleRegistry:
        with self._lock:
            if self._vehicle_registry is None:
                self._vehicle_registry = build_vehicle_registry(self)
            return self._vehicle_registry

    @property
    def land_registry(self) -> LandRegistry:
        with self._lock:
            if self._land_registry is None:
                self._land_registry = build_land_registry(self)
            return self._land_registry

    @property
    def servant_registry(self) -> ServantRegistry:
        with self._lock:
            if self._servant_registry is None:
                self._servant_registry = build_servant_registry(self)
            return self._servant_registry

    def vehicle(self, bien_so: str) -> Vehicle | None:
        fixed = self.fixed_assets.vehicles.get(bien_so)
        entry = self.vehicle_registry.vehicles.get(bien_so)
        if fixed or entry is None or entry.model is None:
            return fixed
        return vehicles.vehicle_record(self.seed, bien_so, entry.model, self.citizens[entry.owner])

    def vehicles_of(self, so_dinh_danh: str) -> list[Vehicle]:
        return [
            item
            for plate in self.vehicle_registry.vehicles_by_owner.get(so_dinh_danh, ())
            if (item := self.vehicle(plate))
        ]

    def licence(self, so_gplx: str) -> DrivingLicence | None:
        fixed = self.fixed_assets.licences.get(so_gplx)
        entry = self.vehicle_registry.licences.get(so_gplx)
        if fixed or entry is None:
            return fixed
        return vehicles.licence_record(self.seed, so_gplx, entry, self.citizens[entry.holder])

    def licences_of(self, so_dinh_danh: str) -> list[DrivingLicence]:
        numbers = self.vehicle_registry.licences_by_holder.get(so_dinh_danh, ())
        return [item for number in numbers if (item := self.licence(number))]

    def parcel(self, ma_xa: str, so_to: int, so_thua: int) -> LandParcel | None:
        key = (ma_xa, so_to, so_thua)
        fixed = self.fixed_assets.parcels.get(key)
        entry = self.land_registry.parcels.get(key)
        if fixed or entry is None:
            return fixed
        return land.parcel_record(self.seed, key, entry, self.households[entry.household_id], self.citizens)

    def parcel_by_certificate(self, so_phat_hanh: str) -> LandParcel | None:
        key = self.land_registry.parcels_by_certificate.get(so_phat_hanh)
        return self.parcel(*key) if key else None

    def parcels_of(self, so_dinh_danh: str) -> list[LandParcel]:
        """The parcels the person holds a certificate for (as a holder of their household's land)."""
        person = self.citizens.get(so_dinh_danh)
        if person is None:
            return []
        keys = self.land_registry.parcels_by_household.get(person.household_id, ())
        found = (self.parcel(*key) for key in keys)
        return [parcel for parcel in found if parcel and so_dinh_danh in parcel.chu_su_dung]

    def civil_servant(self, so_dinh_danh: str) -> CivilServant | None:
        """The person's post in a provincial agency; only living people hold one."""
        person = self.citizens.get(so_dinh_danh)
        if person is None or person.da_mat:
            return None
        return work.servant_of(self, person)

    def civil_servants_of(self, ma_co_quan: str) -> list[CivilServant]:
        ids = self.servant_registry.servants_by_agency.get(ma_co_quan, ())
        return [servant for person_id in ids if (servant := self.civil_servant(person_id))]

    def register_residence(self, so_dinh_danh: str, household_id: str, quan_he: str, on: date) -> Citizen:
        """Register a permanent residence (đăng ký thường trú) in a household: the person joins it (leaving
        any other) with its address; registering again in the same household changes nothing."""
        with self._lock:
            person = self.citizens[so_dinh_danh]
            household = self.households[household_id]
            if self.residence_registered.get(so_dinh_danh, ("", on))[0] == household_id:
                return person
            if person.household_id != household_id:
                old = self.households.get(person.household_id)
                if old is not None and so_dinh_danh in old.members:
                    old.members.remove(so_dinh_danh)
            if so_dinh_danh not in household.members:
                household.members.append(so_dinh_danh)
            head = self.citizens[household.chu_ho]
            person.household_id, person.quan_he_chu_ho = household_id, quan_he
            person.thuong_tru = household.address or head.thuong_tru
            person.noi_o_hien_tai = person.thuong_tru
            self.residence_registered[so_dinh_danh] = (household_id, on)
            self.changes += 1
            return person

    def remove_residence(self, so_dinh_danh: str, on: date, reason: str) -> Household:
        """Remove a permanent residence (xóa đăng ký thường trú): the person leaves the household's members;
        a head who leaves is followed by the oldest living adult member. Removing twice changes nothing."""
        with self._lock:
            person = self.citizens[so_dinh_danh]
            household = self.households[person.household_id]
            if so_dinh_danh in self.residence_removed:
                return household
            if so_dinh_danh in household.members:
                household.members.remove(so_dinh_danh)
            if household.chu_ho == so_dinh_danh:
                living = [self.citizens[m] for m in household.members if not self.citizens[m].da_mat]
                if living:
                    successor = min(living, key=lambda member: member.ngay_sinh)
                    household.chu_ho = successor.so_dinh_danh
                    successor.quan_he_chu_ho = "Chủ hộ"
                    household.members.remove(successor.so_dinh_danh)
                    household.members.insert(0, successor.so_dinh_danh)
            self.residence_removed[so_dinh_danh] = (on, reason)
            self.changes += 1
            return household

    def issue_bhxh_number(self, so_dinh_danh: str, number: str | None = None) -> Citizen:
        """Give the person a mã số BHXH if they have none (a child's first card): `number`, when replaying
        one issued before a restart, else a fresh one; returns the person."""
        with self._lock:
            person = self.citizens[so_dinh_danh]
            if person.ma_so_bhxh is None:
                rng = random.Random(self.seed * 1_000_033 + self.changes)
                person.ma_so_bhxh = number or self._fresh_bhxh(rng, person.so_dinh_danh[1:3])
                self._bhxh_index()[person.ma_so_bhxh] = person
                self.changes += 1
            return person

    def register_birth(
        self,
        *,
        ho: str,
        chu_dem: str,
        ten: str,
        gioi_tinh: str,
        ngay_sinh: date,
        noi_sinh: Address,
        dan_toc: str,
        cha: str | None,
        me: str | None,
        insured: bool = True,
    ) -> Citizen:
        """Register a newborn: issue a fresh CCCD, add the child to the mother's (else father's) household.

        `insured`: the child gets a mã số BHXH at once (children under 6 are insured from birth); a chained
        registration leaves it to the insurance step of the chain.
        """
        with self._lock:
            mother = self.citizens.get(me) if me else None
            father = self.citizens.get(cha) if cha else None
            parent = mother or father
            if parent is None:
                raise ValueError("a birth needs a mother or father who is in the population")
            household = self.households[parent.household_id]
            prefix = cccd_prefix(noi_sinh.ward_code, noi_sinh.province_code, ngay_sinh)
            rng = random.Random(self.seed * 1_000_003 + self.births_registered)
            child = Citizen(
                so_dinh_danh=self._fresh_id(rng, prefix, gioi_tinh, ngay_sinh.year),
                ho=ho,
                chu_dem=chu_dem,
                ten=ten,
                gioi_tinh=gioi_tinh,
                ngay_sinh=ngay_sinh,
                dan_toc=dan_toc,
                ton_giao=parent.ton_giao,
                quoc_tich="VN",
                noi_dang_ky_khai_sinh=noi_sinh,
                que_quan=(father or parent).que_quan,
                thuong_tru=household.address or parent.thuong_tru,
                noi_o_hien_tai=parent.noi_o_hien_tai,
                household_id=household.id,
                quan_he_chu_ho="Con" if parent.quan_he_chu_ho in HEAD_OR_SPOUSE else "Cháu",
                tinh_trang_hon_nhan="Chưa kết hôn",
                cha=father.so_dinh_danh if father else None,
                me=mother.so_dinh_danh if mother else None,
                ma_so_bhxh=self._fresh_bhxh(rng, prefix[1:]) if insured else None,
            )
            self.citizens[child.so_dinh_danh] = child
            if child.ma_so_bhxh:
                self._bhxh_index()[child.ma_so_bhxh] = child
            household.members.append(child.so_dinh_danh)
            self.births_registered += 1
            self.changes += 1
            return child

    def register_death(self, so_dinh_danh: str, ngay_mat: date) -> Citizen:
        """Record a death: every service reading the population sees the person as deceased from then on
        (insurance derives a withdrawn card, lookups answer `da_mat`); a spouse becomes widowed."""
        with self._lock:
            person = self.citizens[so_dinh_danh]
            if person.da_mat:
                raise ValueError(f"{so_dinh_danh} is already registered as deceased")
            person.da_mat, person.ngay_mat = True, ngay_mat
            spouse = self.spouse_of(person)
            if spouse is not None:
                spouse.tinh_trang_hon_nhan = WIDOWED
            self.changes += 1
            return person

    # Both draw from a rng seeded by the population's seed and birth count, so a replayed scenario
    # issues the same ids.
    def _fresh_id(self, rng: random.Random, prefix: str, sex: str, birth_year: int) -> str:
        while True:
            candidate = make_cccd(prefix, sex, birth_year, rng.randrange(1_000_000))
            if candidate not in self.citizens and candidate not in self.reserved_ids:
                return candidate

    def _fresh_bhxh(self, rng: random.Random, province_code: str) -> str:
        taken = self._bhxh_index()
        taken_by_fixed = {record.ma_so_bhxh for record in self.fixed_assets.insurance.values()}
        while True:
            candidate = f"{province_code}{rng.randrange(10**8):08d}"
            if candidate not in taken and candidate not in taken_by_fixed:
                return candidate
