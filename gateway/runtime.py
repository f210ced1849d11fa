"""Everything one gateway process holds while it serves: settings, tokens, adapters, quotas, metrics, sink."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from adapters._base import Adapter
from adapters.catalogue import ServiceInfo, services
from adapters.registry import load_adapters
from adapters.upstream import AiohttpUpstream, UpstreamClient
from gateway.auth import TokenService
from gateway.exchange import ExchangeSink
from gateway.metrics import Metrics
from gateway.quota import QuotaLimiter
from gateway.settings import Settings


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

    @classmethod
    def build(cls, settings: Settings, sink: ExchangeSink, upstream: UpstreamClient | None = None) -> Runtime:
        upstream = upstream or AiohttpUpstream()
        adapters = {
            key: adapter_cls(settings.backend_url(key), settings.service(key), upstream)
            for key, adapter_cls in load_adapters().items()
        }
        return cls(
            settings=settings,
            services=services(),
            adapters=adapters,
            upstream=upstream,
            tokens=TokenService(settings),
            quota=QuotaLimiter(settings.tiers),
            sink=sink,
            metrics=Metrics(sink.stats),
        )
