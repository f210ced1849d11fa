"""Prometheus metrics: requests, latency and errors per service and consumer, and log-pipeline counters."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from ndxp_sim.adapters.breaker import STATES, CircuitBreaker

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _PipelineCollector(Collector):
    def __init__(self, stats: Callable[[], dict[str, int]]) -> None:
        self._stats = stats

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "ndxp_exchange_log_records", "Exchange-log pipeline counters", labels=["counter"]
        )
        for name, value in self._stats().items():
            family.add_metric([name], value)
        yield family


class CircuitCollector(Collector):
    """Each backend's circuit breaker: 1 for its current state, and the calls it refused without trying."""

    def __init__(self, breakers: Mapping[str, CircuitBreaker]) -> None:
        self._breakers = breakers

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        state = GaugeMetricFamily(
            "ndxp_backend_circuit_state", "1 for the breaker's current state", labels=["service", "state"]
        )
        refused = CounterMetricFamily(
            "ndxp_backend_circuit_refused", "Calls failed fast by an open circuit", labels=["service"]
        )
        for key, breaker in self._breakers.items():
            current = breaker.state
            for name in STATES:
                state.add_metric([key, name], 1 if name == current else 0)
            refused.add_metric([key], breaker.fast_failures)
        yield state
        yield refused


class Metrics:
    """One registry per app; label children are cached because `.labels()` is costly on the hot path."""

    def __init__(self, pipeline_stats: Callable[[], dict[str, int]]) -> None:
        self.registry = CollectorRegistry()
        self._requests = Counter(
            "ndxp_requests", "Requests served", ["service", "consumer", "status"], registry=self.registry
        )
        self._latency = Histogram(
            "ndxp_request_duration_seconds",
            "Time from request in to response out",
            ["service", "consumer"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self._errors = Counter(
            "ndxp_errors", "Errors by type", ["service", "consumer", "type"], registry=self.registry
        )
        self.registry.register(_PipelineCollector(pipeline_stats))
        self._children: dict[tuple[str, ...], tuple[Counter, Histogram]] = {}
        self._error_children: dict[tuple[str, str, str], Counter] = {}
        self.last_request_in = 0.0  # epoch seconds of the newest request observed (the console's indexer lag)

    def observe(
        self, service: str, consumer: str, status: int, error_type: str | None, seconds: float
    ) -> None:
        key = (service, consumer, str(status))
        children = self._children.get(key)
        if children is None:
            children = (
                self._requests.labels(service, consumer, str(status)),
                self._latency.labels(service, consumer),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)
        self.last_request_in = time.time() - seconds
        if error_type is not None:
            error_key = (service, consumer, error_type)
            counter = self._error_children.get(error_key)
            if counter is None:
                counter = self._error_children[error_key] = self._errors.labels(*error_key)
            counter.inc()
