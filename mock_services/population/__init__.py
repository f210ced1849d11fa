"""The shared synthetic Vietnamese population: citizens in households, enterprises and what people hold."""

from ndxp_sim.core.model import (
    Address,
    Citizen,
    CivilServant,
    DrivingLicence,
    Enterprise,
    HealthInsurance,
    Household,
    HouseholdInsurance,
    InsurancePeriod,
    LandParcel,
    Vehicle,
)
from ndxp_sim.mock_services.population.generator import build_population
from ndxp_sim.mock_services.population.population import Population
from ndxp_sim.mock_services.population.store import load_population

__all__ = [
    "Address",
    "Citizen",
    "CivilServant",
    "DrivingLicence",
    "Enterprise",
    "HealthInsurance",
    "Household",
    "HouseholdInsurance",
    "InsurancePeriod",
    "LandParcel",
    "Population",
    "Vehicle",
    "build_population",
    "load_population",
]
