"""Build a Population from a seed: households first, then enterprises, then the fixed test identities."""

from __future__ import annotations

import random

from ndxp_sim.core import identities
from ndxp_sim.mock_services.population.enterprises import EnterpriseBuilder
from ndxp_sim.mock_services.population.households import HouseholdBuilder
from ndxp_sim.mock_services.population.people import UniqueDraws
from ndxp_sim.mock_services.population.population import Population

ENTERPRISES_PER_CITIZEN = 1 / 20


def build_population(seed: int, size: int) -> Population:
    """Generate about `size` citizens in households and size/20 enterprises; same seed, same data."""
    rng = random.Random(seed)
    draws = UniqueDraws(rng)
    fixed_citizens, fixed_households, fixed_enterprises = identities.fixed_records()
    # Reserve every fixed value so generated records never collide with a test identity.
    draws.reserve(*identities.NEVER_ISSUED)
    for person in fixed_citizens:
        draws.reserve(
            person.so_dinh_danh, person.so_cmnd, person.so_dien_thoai, person.email, person.ma_so_bhxh
        )
    draws.reserve(*(household.id for household in fixed_households))
    draws.reserve(*(enterprise.ma_so_doanh_nghiep for enterprise in fixed_enterprises))

    households = HouseholdBuilder(rng, draws)
    while len(households.citizens) < size:
        households.add_household()
    enterprises = EnterpriseBuilder(rng, draws, households.citizens)
    for enterprise in fixed_enterprises:
        enterprises.reserve_name(enterprise.ten_tieng_viet)
    for _ in range(round(size * ENTERPRISES_PER_CITIZEN)):
        enterprises.add_enterprise()

    citizens = households.citizens | {person.so_dinh_danh: person for person in fixed_citizens}
    all_households = households.households | {household.id: household for household in fixed_households}
    all_enterprises = enterprises.enterprises | {item.ma_so_doanh_nghiep: item for item in fixed_enterprises}
    return Population(
        citizens, all_households, all_enterprises, seed=seed, reserved_ids=identities.NEVER_ISSUED
    )
