"""Registries of what people hold (vehicles and licences, land, civil-service posts), one pass each.

Each is built on the first lookup that needs it, not at generation, so a population that no service asks
about costs nothing extra; they keep only what must be unique or found by number.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ndxp_sim.core import identities
from ndxp_sim.core.model import (
    Citizen,
    DrivingLicence,
    HealthInsurance,
    HouseholdInsurance,
    LandParcel,
    Vehicle,
)
from ndxp_sim.mock_services.population import land, vehicles, work
from ndxp_sim.mock_services.population.dates import age_on
from ndxp_sim.mock_services.population.land import ParcelEntry, ParcelKey
from ndxp_sim.mock_services.population.vehicles import LicenceEntry, VehicleEntry

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
    vehicles: dict[str, Vehicle]  # by plate
    licences: dict[str, DrivingLicence]  # by number
    parcels: dict[ParcelKey, LandParcel]


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
        vehicles={vehicle.bien_so: vehicle for vehicle in held.vehicles},
        licences={licence.so_gplx: licence for licence in held.licences},
        parcels={(parcel.ma_xa, parcel.so_to, parcel.so_thua): parcel for parcel in held.parcels},
    )


@dataclass(slots=True)
class VehicleRegistry:
    """Plates and licence numbers with their holders; Population derives the full record on lookup."""

    vehicles: dict[str, VehicleEntry] = field(default_factory=dict)  # by plate
    vehicles_by_owner: dict[str, list[str]] = field(default_factory=dict)  # plates
    licences: dict[str, LicenceEntry] = field(default_factory=dict)  # by number
    licences_by_holder: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class LandRegistry:
    parcels: dict[ParcelKey, ParcelEntry] = field(default_factory=dict)
    parcels_by_certificate: dict[str, ParcelKey] = field(default_factory=dict)
    parcels_by_household: dict[str, list[ParcelKey]] = field(default_factory=dict)


@dataclass(slots=True)
class ServantRegistry:
    servants_by_agency: dict[str, list[str]] = field(default_factory=dict)  # so_dinh_danh


# Each registry is one pass with one rng: households and members are visited in the same order for a given
# seed and size, and minors (the only people births add) are skipped before any draw.


def _living_adults(population: Population) -> Iterator[Citizen]:
    fixed, citizens = population.fixed_assets.people, population.citizens
    for household in population.households.values():
        for member_id in household.members:
            person = citizens[member_id]
            if not person.da_mat and member_id not in fixed and age_on(person.ngay_sinh) >= 18:
                yield person


def build_vehicle_registry(population: Population) -> VehicleRegistry:
    """Every living adult's vehicles and licences; the fixed identities' numbers are reserved first."""
    registry = VehicleRegistry()
    fixed = population.fixed_assets
    for vehicle in fixed.vehicles.values():
        registry.vehicles[vehicle.bien_so] = VehicleEntry(vehicle.chu_so_huu, None)
        registry.vehicles_by_owner.setdefault(vehicle.chu_so_huu, []).append(vehicle.bien_so)
    for licence in fixed.licences.values():
        registry.licences[licence.so_gplx] = LicenceEntry(
            licence.so_dinh_danh, licence.hang, licence.ngay_cap
        )
        registry.licences_by_holder.setdefault(licence.so_dinh_danh, []).append(licence.so_gplx)
    rng = random.Random(f"{population.seed}|vehicles")
    for person in _living_adults(population):
        plates = vehicles.claim_vehicles(rng, person, registry.vehicles)
        if plates:
            registry.vehicles_by_owner[person.so_dinh_danh] = plates
        owned = [registry.vehicles[plate] for plate in plates]
        numbers = vehicles.claim_licences(rng, person, owned, registry.licences)
        if numbers:
            registry.licences_by_holder[person.so_dinh_danh] = numbers
    return registry


def build_land_registry(population: Population) -> LandRegistry:
    """Every household's parcels; the fixed identities' parcels and certificates are reserved first."""
    registry = LandRegistry()
    fixed = population.fixed_assets
    for parcel in fixed.parcels.values():
        key = (parcel.ma_xa, parcel.so_to, parcel.so_thua)
        registry.parcels[key] = ParcelEntry(parcel.household_id, parcel.muc_dich, parcel.so_phat_hanh)
        registry.parcels_by_certificate[parcel.so_phat_hanh] = key
        registry.parcels_by_household.setdefault(parcel.household_id, []).append(key)
    rng = random.Random(f"{population.seed}|land")
    for household in population.households.values():
        if household.id in fixed.households:
            continue
        keys = land.claim_parcels(
            rng, household, population.citizens, registry.parcels, registry.parcels_by_certificate
        )
        if keys:
            registry.parcels_by_household[household.id] = keys
    return registry


def build_servant_registry(population: Population) -> ServantRegistry:
    """Every living civil servant by agency (the posts themselves are derived per person)."""
    registry = ServantRegistry()
    for job in population.fixed_assets.work.values():
        if job.servant:
            registry.servants_by_agency.setdefault(job.servant.ma_co_quan, []).append(
                job.servant.so_dinh_danh
            )
    for person in _living_adults(population):
        servant = work.servant_of(population, person)
        if servant:
            registry.servants_by_agency.setdefault(servant.ma_co_quan, []).append(person.so_dinh_danh)
    return registry
