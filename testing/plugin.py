"""pytest plugin: fixtures that start the simulator for a test session (inert unless used).

Loaded in every pytest session of an environment where ndxp-sim is installed, so this module imports
nothing but pytest at the top: the simulator is imported, and started, only by a test that asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ndxp_sim.testing.records import ExchangeRecords
    from ndxp_sim.testing.scenario import Scenario
    from ndxp_sim.testing.simulator import Simulator

_WITH_LOG = "ndxp_sim_with_log"


@pytest.fixture(scope="session")
def ndxp_sim_config() -> dict[str, Any]:
    """Settings for the simulators of this session, over the plugin's defaults (override in conftest.py).

    Keys as in core/settings.py, nested as dicts, e.g. {"services": {"csdl_dan_cu": {"timeout_s": 2}}}.
    The NDXP_* environment is never read.
    """
    return {}


def _serve(
    runner: Callable[[Path, dict[str, Any]], AbstractContextManager[Simulator]],
    state_dir: Path,
    config: dict[str, Any],
) -> Iterator[Simulator]:
    from ndxp_sim.testing.settings import SimulatorStartError

    with ExitStack() as stack:
        try:
            simulator = stack.enter_context(runner(state_dir, config))
        except SimulatorStartError as exc:
            pytest.fail(f"ndxp-sim could not start: {exc}", pytrace=False)
        yield simulator


@pytest.fixture(scope="session")
def ndxp_sim(
    ndxp_sim_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Simulator]:
    """The simulator in this process (gateway and mocks on free loopback ports), exchange log off."""
    from ndxp_sim.testing.in_process import run_in_process

    yield from _serve(run_in_process, tmp_path_factory.mktemp("ndxp-sim"), ndxp_sim_config)


@pytest.fixture(scope="session")
def ndxp_sim_with_log(
    ndxp_sim_config: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Simulator]:
    """The simulator as real processes with its exchange log: tansu broker, mocks, gateway, indexer."""
    from ndxp_sim.testing.processes import run_processes

    yield from _serve(run_processes, tmp_path_factory.mktemp("ndxp-sim-log"), ndxp_sim_config)


def _simulator_of(request: pytest.FixtureRequest) -> Simulator:
    """The simulator the test uses: the one with the exchange log if it asked for it, else `ndxp_sim`."""
    name = _WITH_LOG if _WITH_LOG in request.fixturenames else "ndxp_sim"
    simulator: Simulator = request.getfixturevalue(name)
    return simulator


@pytest.fixture
def ndxp_sim_scenario(request: pytest.FixtureRequest) -> Iterator[Scenario]:
    """Fault scenarios for this test only: `ndxp_sim_scenario("timeout")`, `ndxp_sim_scenario.fault(...)`."""
    from ndxp_sim.testing.scenario import Scenario

    with Scenario(_simulator_of(request)) as scenario:
        yield scenario


@pytest.fixture
def ndxp_sim_reset(request: pytest.FixtureRequest) -> Iterator[None]:
    """Mocks reset before and after this test: no dossiers, callbacks, faults or births of others."""
    simulator = _simulator_of(request)
    simulator.reset()
    yield
    simulator.reset()


@pytest.fixture
def ndxp_sim_records(ndxp_sim_with_log: Simulator) -> Iterator[ExchangeRecords]:
    """`ndxp_sim_records()`: the exchange records of the calls this test made (after this fixture started)."""
    from datetime import UTC, datetime

    from ndxp_sim.testing.records import ExchangeRecords

    records = ExchangeRecords(ndxp_sim_with_log, datetime.now(UTC))
    yield records
    records.close()
