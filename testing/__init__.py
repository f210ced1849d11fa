"""Tools for testing against the simulator: the contract-test runner and the pytest plugin."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ndxp_sim.testing.records import ExchangeRecords
    from ndxp_sim.testing.scenario import Scenario
    from ndxp_sim.testing.simulator import Simulator

__all__ = ["ExchangeRecords", "Scenario", "Simulator"]

# The types of the plugin's fixtures, for annotations. Loaded on first use: pytest imports this package
# in every session (the plugin lives in it), and such a session must not pay for the simulator.
_HOMES = {
    "ExchangeRecords": "ndxp_sim.testing.records",
    "Scenario": "ndxp_sim.testing.scenario",
    "Simulator": "ndxp_sim.testing.simulator",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
