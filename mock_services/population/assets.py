"""Registries of what people hold (vehicles, licences, land, civil-service posts), built in one pass.

Built on first use, not at generation, so a population that no service asks about costs nothing extra;
the pass draws every record from per-person streams, so the result depends only on seed and size.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ndxp_sim.core import identities
from ndxp_sim.core.model import DrivingLicence, HealthInsurance, HouseholdInsurance, LandParcel, Vehicle
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
class Assets:
    """Compact indexes from one pass; Population turns an entry into a full record on lookup."""

    vehicles: dict[str, VehicleEntry] = field(default_factory=dict)  # by plate
    vehicles_by_owner: dict[str, list[str]] = field(default_factory=dict)  # plates
    licences: dict[str, LicenceEntry] = field(default_factory=dict)  # by number
    licences_by_holder: dict[str, list[str]] = field(default_factory=dict)
    parcels: dict[ParcelKey, ParcelEntry] = field(default_factory=dict)
    parcels_by_certificate: dict[str, ParcelKey] = field(default_factory=dict)
    parcels_by_household: dict[str, list[ParcelKey]] = field(default_factory=dict)
    servants_by_agency: dict[str, list[str]] = field(default_factory=dict)  # so_dinh_danh


def build_assets(population: Population) -> Assets:
    """One pass over households and their living adults; fixed identities' keys are reserved first."""
    fixed = population.fixed_assets
    assets = Assets()
    for vehicle in fixed.vehicles.values():
        assets.vehicles[vehicle.bien_so] = VehicleEntry(vehicle.chu_so_huu, None)
        assets.vehicles_by_owner.setdefault(vehicle.chu_so_huu, []).append(vehicle.bien_so)
    for licence in fixed.licences.values():
        entry = LicenceEntry(licence.so_dinh_danh, licence.hang, licence.ngay_cap)
        assets.licences[licence.so_gplx] = entry
        assets.licences_by_holder.setdefault(licence.so_dinh_danh, []).append(licence.so_gplx)
    for parcel in fixed.parcels.values():
        key = (parcel.ma_xa, parcel.so_to, parcel.so_thua)
        assets.parcels[key] = ParcelEntry(parcel.household_id, parcel.muc_dich, parcel.so_phat_hanh)
        assets.parcels_by_certificate[parcel.so_phat_hanh] = key
        assets.parcels_by_household.setdefault(parcel.household_id, []).append(key)
    for job in fixed.work.values():
        if job.servant:
            assets.servants_by_agency.setdefault(job.servant.ma_co_quan, []).append(job.servant.so_dinh_danh)
    citizens = population.citizens
    # One rng for the whole pass: households and members are visited in the same order for a given seed
    # and size, and minors (the only people births add) are skipped before any draw.
    rng = random.Random(f"{population.seed}|assets")
    for household in population.households.values():
        if household.id not in fixed.households:
            keys = land.claim_parcels(rng, household, citizens, assets.parcels, assets.parcels_by_certificate)
            if keys:
                assets.parcels_by_household[household.id] = keys
        for member_id in household.members:
            person = citizens[member_id]
            if person.da_mat or member_id in fixed.people or age_on(person.ngay_sinh) < 18:
                continue
            plates = vehicles.claim_vehicles(rng, person, assets.vehicles)
            if plates:
                assets.vehicles_by_owner[member_id] = plates
            owned = [assets.vehicles[plate] for plate in plates]
            numbers = vehicles.claim_licences(rng, person, owned, assets.licences)
            if numbers:
                assets.licences_by_holder[member_id] = numbers
            servant = work.servant_of(population, person)
            if servant:
                assets.servants_by_agency.setdefault(servant.ma_co_quan, []).append(member_id)
    return assets
