"""Registries of what people hold (vehicles, licences, land, civil-service posts), built in one pass.

Built on first use, not at generation, so a population that no service asks about costs nothing extra;
the pass draws every record from per-person streams, so the result depends only on seed and size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ndxp_sim.core import identities
from ndxp_sim.core.model import (
    CivilServant,
    DrivingLicence,
    HealthInsurance,
    HouseholdInsurance,
    LandParcel,
    Vehicle,
)
from ndxp_sim.mock_services.population import land, vehicles, work
from ndxp_sim.mock_services.population.dates import age_on

if TYPE_CHECKING:
    from ndxp_sim.mock_services.population.population import Population


@dataclass(frozen=True, slots=True)
class FixedAssets:
    """The test identities' records: used instead of derived ones whatever the seed and size."""

    people: frozenset[str]
    households: frozenset[str]
    insurance: dict[str, HealthInsurance]
    household_insurance: dict[str, HouseholdInsurance]
    work: dict[str, work.Work]
    vehicles: tuple[Vehicle, ...]
    licences: tuple[DrivingLicence, ...]
    parcels: tuple[LandParcel, ...]


def fixed_assets() -> FixedAssets:
    citizens, households, _ = identities.fixed_records()
    held = identities.fixed_holdings()
    jobs = {
        person_id: work.Work(record.ma_doi_tuong, record.qua_trinh, held.servants.get(person_id))
        for person_id, record in held.insurance.items()
    }
    return FixedAssets(
        people=frozenset(person.so_dinh_danh for person in citizens),
        households=frozenset(household.id for household in households),
        insurance=held.insurance,
        household_insurance=held.household_insurance,
        work=jobs,
        vehicles=held.vehicles,
        licences=held.licences,
        parcels=held.parcels,
    )


@dataclass(slots=True)
class Assets:
    vehicles: dict[str, Vehicle] = field(default_factory=dict)  # by plate
    vehicles_by_owner: dict[str, list[Vehicle]] = field(default_factory=dict)
    licences: dict[str, DrivingLicence] = field(default_factory=dict)  # by number
    licences_by_holder: dict[str, list[DrivingLicence]] = field(default_factory=dict)
    parcels: dict[land.ParcelKey, LandParcel] = field(default_factory=dict)
    parcels_by_certificate: dict[str, LandParcel] = field(default_factory=dict)
    parcels_by_holder: dict[str, list[LandParcel]] = field(default_factory=dict)
    servants: dict[str, CivilServant] = field(default_factory=dict)  # by so_dinh_danh
    servants_by_agency: dict[str, list[CivilServant]] = field(default_factory=dict)

    def add_vehicle(self, vehicle: Vehicle) -> None:
        self.vehicles[vehicle.bien_so] = vehicle
        self.vehicles_by_owner.setdefault(vehicle.chu_so_huu, []).append(vehicle)

    def add_licence(self, licence: DrivingLicence) -> None:
        self.licences[licence.so_gplx] = licence
        self.licences_by_holder.setdefault(licence.so_dinh_danh, []).append(licence)

    def add_parcel(self, parcel: LandParcel) -> None:
        self.parcels[parcel.ma_xa, parcel.so_to, parcel.so_thua] = parcel
        self.parcels_by_certificate[parcel.so_phat_hanh] = parcel
        for holder in parcel.chu_su_dung:
            self.parcels_by_holder.setdefault(holder, []).append(parcel)

    def add_servant(self, servant: CivilServant) -> None:
        self.servants[servant.so_dinh_danh] = servant
        self.servants_by_agency.setdefault(servant.ma_co_quan, []).append(servant)


def build_assets(population: Population) -> Assets:
    """One pass over households and their living adults; fixed identities' records go in first."""
    fixed = population.fixed_assets
    assets = Assets()
    for vehicle in fixed.vehicles:
        assets.add_vehicle(vehicle)
    for licence in fixed.licences:
        assets.add_licence(licence)
    for parcel in fixed.parcels:
        assets.add_parcel(parcel)
    for job in fixed.work.values():
        if job.servant:
            assets.add_servant(job.servant)
    plates, numbers = set(assets.vehicles), set(assets.licences)
    parcel_keys, serials = set(assets.parcels), set(assets.parcels_by_certificate)
    citizens, seed = population.citizens, population.seed
    for household in population.households.values():
        if household.id not in fixed.households:
            for parcel in land.parcels_for(seed, household, citizens, parcel_keys, serials):
                assets.add_parcel(parcel)
        for member_id in household.members:
            person = citizens[member_id]
            if person.da_mat or member_id in fixed.people or age_on(person.ngay_sinh) < 18:
                continue
            owned = vehicles.vehicles_for(seed, person, plates)
            for vehicle in owned:
                assets.add_vehicle(vehicle)
            for licence in vehicles.licences_for(seed, person, owned, numbers):
                assets.add_licence(licence)
            servant = work.servant_of(population, person)
            if servant:
                assets.add_servant(servant)
    return assets
