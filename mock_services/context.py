"""The mock process's shared state: population, clock, faults, dossiers, chains, callbacks, access log."""

from __future__ import annotations

import pickle
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ndxp_sim.core.own_ports import refusal
from ndxp_sim.mock_services.callbacks import CallbackSender, Relay
from ndxp_sim.mock_services.clock import Clock
from ndxp_sim.mock_services.dossier import DossierEngine
from ndxp_sim.mock_services.engines.host import EngineState
from ndxp_sim.mock_services.faults import FaultProfiles
from ndxp_sim.mock_services.journal import MockJournal
from ndxp_sim.mock_services.lien_thong import ChainRunner

if TYPE_CHECKING:
    from ndxp_sim.core.settings import Settings
    from ndxp_sim.mock_services.population import Population

ACCESS_LOG_SIZE = 1000


class MockContext:
    """Everything the service routers share; `reset()` puts it back as it was at startup."""

    def __init__(self, settings: Settings, population: Population) -> None:
        self.settings = settings
        # A private copy: the loader memoises one Population per process and births mutate it.
        self._snapshot = pickle.dumps(population, protocol=pickle.HIGHEST_PROTOCOL)
        self.population: Population = pickle.loads(self._snapshot)
        self.clock = Clock(settings.mocks.dossier_step_s)
        self.faults = FaultProfiles()
        self.journal = MockJournal(settings.mocks.state_file)
        self.callbacks = CallbackSender(
            settings.mocks.callback_key.get_secret_value().encode(),
            settings.mocks.callback_retries,
            settings.mocks.callback_backoff_s,
            self.journal,
            refuse=lambda host, port: refusal(host, port, settings),
            relay=_relay(settings),
        )
        self.dossiers = DossierEngine(self.clock, self.callbacks, lambda: self.population, self.journal)
        self.access_log: deque[dict[str, Any]] = deque(maxlen=ACCESS_LOG_SIZE)
        self.engines = EngineState(self.journal)  # records pushed or uploaded to pattern-engine services
        # Chained procedures: their steps go through the gateway (lien_thong.py), their state in `engines`.
        self.chains = ChainRunner(
            settings, self.dossiers, lambda: self.population, self.engines, self.callbacks
        )
        # Services whose writes change the population replay their journaled records here on restore.
        self.restore_hooks: list[Callable[[], None]] = []

    async def reset(self) -> None:
        await self.chains.reset()
        await self.dossiers.reset()
        await self.callbacks.reset()
        self.faults.clear()
        self.access_log.clear()
        self.engines.clear()
        self.clock.set_step(self.settings.mocks.dossier_step_s)
        if self.population.changes:
            self.population = pickle.loads(self._snapshot)

    def restore(self) -> None:
        """Resume what the journal holds (needs the running loop: it starts tasks)."""
        self.dossiers.restore()
        self.callbacks.restore()
        self.engines.restore()
        for replay in self.restore_hooks:  # after the dossiers: the people they registered exist again
            replay()
        self.chains.restore()

    async def aclose(self) -> None:
        await self.chains.aclose()
        await self.dossiers.aclose()
        await self.callbacks.aclose()
        self.journal.close()


def _relay(settings: Settings) -> Relay | None:
    """Through the gateway when `mocks.callback_relay_url` is set (as `ndxp-sim up` does); else direct."""
    url = settings.mocks.callback_relay_url
    return Relay(url, settings.mocks.callback_relay_key.get_secret_value()) if url else None
