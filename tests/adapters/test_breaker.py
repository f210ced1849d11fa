"""The per-backend circuit breaker: opens after N failures in a row, fails fast, probes once, closes."""

from __future__ import annotations

import pytest

from ndxp_sim.adapters.breaker import CircuitBreaker, trips_breaker
from ndxp_sim.core.errors import (
    BackendBadResponseError,
    BackendTimeoutError,
    BackendUnavailableError,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _breaker(threshold: int = 3, cooldown_s: float = 10.0) -> tuple[CircuitBreaker, Clock]:
    clock = Clock()
    return CircuitBreaker(threshold, cooldown_s, clock), clock


def test_it_opens_after_the_threshold_of_failures_in_a_row_and_fails_fast() -> None:
    breaker, _ = _breaker()
    for _ in range(2):
        breaker.before_call()
        breaker.failed()
    assert breaker.state == "closed"
    breaker.before_call()
    breaker.failed()
    assert breaker.state == "open"
    with pytest.raises(BackendUnavailableError) as refused:
        breaker.before_call()
    assert "circuit open" in refused.value.message and refused.value.headers["retry-after"] == "10"
    assert breaker.fast_failures == 1


def test_a_success_in_between_resets_the_count() -> None:
    breaker, _ = _breaker()
    breaker.failed()
    breaker.failed()
    breaker.succeeded()
    breaker.failed()
    breaker.failed()
    assert breaker.state == "closed" and breaker.failures == 2


def test_after_the_cooldown_one_probe_passes_and_its_success_closes_the_circuit() -> None:
    breaker, clock = _breaker()
    for _ in range(3):
        breaker.failed()
    clock.now += 10
    assert breaker.state == "half_open"
    breaker.before_call()  # the probe
    with pytest.raises(BackendUnavailableError):
        breaker.before_call()  # a second caller while the probe is out still fails fast
    breaker.succeeded()
    assert breaker.state == "closed"
    breaker.before_call()


def test_a_failed_probe_opens_the_circuit_for_another_cooldown() -> None:
    breaker, clock = _breaker()
    for _ in range(3):
        breaker.failed()
    clock.now += 10
    breaker.before_call()
    breaker.failed()
    assert breaker.state == "open"
    clock.now += 9
    with pytest.raises(BackendUnavailableError):
        breaker.before_call()


def test_a_probe_ended_by_a_client_error_frees_the_probe_slot() -> None:
    breaker, clock = _breaker()
    for _ in range(3):
        breaker.failed()
    clock.now += 10
    breaker.before_call()
    breaker.released()
    breaker.before_call()  # the next call may probe


def test_threshold_zero_never_opens() -> None:
    breaker, _ = _breaker(threshold=0)
    for _ in range(100):
        breaker.before_call()
        breaker.failed()
    assert breaker.state == "closed"


def test_only_unanswered_calls_trip_it() -> None:
    assert trips_breaker(BackendUnavailableError("refused"))
    assert trips_breaker(BackendTimeoutError("slow"))
    assert not trips_breaker(BackendUnavailableError("HTTP 503", backend_status=503))
    assert not trips_breaker(BackendBadResponseError("garbage"))
