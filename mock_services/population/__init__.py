"""The shared synthetic Vietnamese population: citizens in households, enterprises and their catalogues."""

from ndxp_sim.core.model import Address, Citizen, Enterprise, Household
from ndxp_sim.mock_services.population.generator import build_population
from ndxp_sim.mock_services.population.population import Population
from ndxp_sim.mock_services.population.store import load_population

__all__ = [
    "Address",
    "Citizen",
    "Enterprise",
    "Household",
    "Population",
    "build_population",
    "load_population",
]
