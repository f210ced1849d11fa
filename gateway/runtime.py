"""Everything one gateway process holds while it serves: settings, tokens, adapters, quotas, metrics, sink."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ndxp_sim.adapters._base import Adapter
from ndxp_sim.adapters.http_pool import PooledUpstream
from ndxp_sim.adapters.registry import load_adapters
from ndxp_sim.adapters.upstream import UpstreamClient
from ndxp_sim.core.catalogue import ServiceInfo, services
from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.auth import TokenService
from ndxp_sim.gateway.exchange import ExchangeSink
from ndxp_sim.gateway.metrics import CircuitCollector, Metrics
from ndxp_sim.gateway.quota import QuotaLimiter, build_counter
from ndxp_sim.gateway.readiness import BackendReadiness


@dataclass
class Runtime:
    settings: Settings
    services: Mapping[str, ServiceInfo]
    adapters: Mapping[str, Adapter]
    upstream: UpstreamClient
    tokens: TokenService
    quota: QuotaLimiter
    sink: ExchangeSink
    metrics: Metrics
    readiness: BackendReadiness  # /health/ready and the console's self-test share its cached checks

    @classmethod
    def build(cls, settings: Settings, sink: ExchangeSink, upstream: UpstreamClient | None = None) -> Runtime:
        upstream = upstream or PooledUpstream()
        adapters = {
            key: adapter_cls(settings.backend_url(key), settings.service(key), upstream)
            for key, adapter_cls in load_adapters().items()
        }
        metrics = Metrics(sink.stats)
        metrics.registry.register(
            CircuitCollector({key: adapter.breaker for key, adapter in adapters.items()})
        )
        return cls(
            settings=settings,
            services=services(),
            adapters=adapters,
            upstream=upstream,
            tokens=TokenService(settings),
            quota=QuotaLimiter(settings.tiers, build_counter(settings.quota)),
            sink=sink,
            metrics=metrics,
            readiness=BackendReadiness(
                upstream,
                {key: a.base_url for key, a in adapters.items()},
                breakers={key: a.breaker for key, a in adapters.items()},
            ),
        )
