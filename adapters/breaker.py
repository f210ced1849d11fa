"""A circuit breaker per backend: after N connect failures or timeouts in a row, fail fast for a cool-down."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from ndxp_sim.core.errors import BackendTimeoutError, BackendUnavailableError

State = Literal["closed", "open", "half_open"]
STATES: tuple[State, ...] = ("closed", "open", "half_open")


def trips_breaker(error: Exception) -> bool:
    """Only 'nobody answered' counts: a backend that answers, even with an error, is alive."""
    return isinstance(error, BackendUnavailableError | BackendTimeoutError) and error.backend_status is None


class CircuitBreaker:
    """closed → (failures in a row ≥ threshold) → open → (cool-down over) → half_open: one probe call goes
    through; its success closes the breaker, its failure opens it for another cool-down.

    A threshold of 0 disables the breaker. Single event loop, so no lock: state changes happen between
    awaits only.
    """

    def __init__(
        self, threshold: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self.failures = 0
        self._opened_at: float | None = None
        self._probing = False
        self.fast_failures = 0  # calls refused without reaching the backend (a metric)

    @property
    def state(self) -> State:
        if self._opened_at is None:
            return "closed"
        if self._probing or self._clock() - self._opened_at >= self.cooldown_s:
            return "half_open"
        return "open"

    def before_call(self) -> None:
        """Raises 503 Server.Backend.Unavailable while open, or while the half-open probe is out."""
        if self._opened_at is None:
            return
        state = self.state
        if state == "half_open" and not self._probing:
            self._probing = True  # this call is the probe; others still fail fast until it returns
            return
        self.fast_failures += 1
        retry_s = max(1, round(self._opened_at + self.cooldown_s - self._clock()))
        raise BackendUnavailableError(
            f"the backend is unavailable: {self.failures} calls in a row failed to reach it; "
            f"calls are refused without trying for {self.cooldown_s:g} s (circuit open)",
            headers={"retry-after": str(retry_s)},
        )

    def succeeded(self) -> None:
        self.failures = 0
        self._opened_at = None
        self._probing = False

    def failed(self) -> None:
        self.failures += 1
        if self._probing or (self.threshold and self.failures >= self.threshold):
            self._opened_at = self._clock()
        self._probing = False

    def released(self) -> None:
        """The call ended another way (a client error before or after the backend): the probe slot is free."""
        self._probing = False

    def snapshot(self) -> dict[str, object]:
        return {
            "state": self.state,
            "consecutive_failures": self.failures,
            "fast_failures": self.fast_failures,
        }
