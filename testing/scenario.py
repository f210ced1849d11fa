"""Fault scenarios for one test: the X-Mock-Scenario header on the plugin's client, or mock fault profiles."""

from __future__ import annotations

from typing import Any, Self

from ndxp_sim.testing.simulator import Simulator

SCENARIO_HEADER = "X-Mock-Scenario"


class Scenario:
    """`scenario("error:503")` makes every call of `simulator.client` carry that scenario;
    `scenario.fault("csdl_dan_cu", error_rate=1.0)` sets a fault profile that every caller meets.
    Both last until `clear()`: the end of the `with` block, else the end of the test."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self.name: str | None = None
        self._faulted: set[str] = set()

    def __call__(self, name: str) -> Self:
        self.name = name
        self.simulator.client.headers[SCENARIO_HEADER] = name
        return self

    @property
    def headers(self) -> dict[str, str]:
        """The header to add to calls your own client makes (empty when no scenario is set)."""
        return {SCENARIO_HEADER: self.name} if self.name else {}

    def fault(self, service: str, **profile: Any) -> dict[str, Any]:
        """A fault profile for `service`: latency_ms, error_rate, error_status, seed (see BACKENDS.md)."""
        stored = self.simulator.set_fault(service, **profile)
        self._faulted.add(service)
        return stored

    def clear(self) -> None:
        self.name = None
        self.simulator.client.headers.pop(SCENARIO_HEADER, None)
        while self._faulted:
            self.simulator.clear_fault(self._faulted.pop())

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.clear()
