"""Backend readiness for /health/ready: each backend's /health must answer 200; results are cached briefly."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

from ndxp_sim.adapters.breaker import CircuitBreaker
from ndxp_sim.adapters.upstream import UpstreamClient
from ndxp_sim.core.errors import GatewayError

HEALTH_PATH = "/health"
CHECKED = f"GET {HEALTH_PATH} on the service's backend answers HTTP 200"
CACHE_S = 5.0  # /health/ready is unauthenticated: a probe flood must not turn into a flood on the backends
_TIMEOUT_S = 2.0


class BackendReadiness:
    """Checks every backend at most once per `cache_s`; probes that arrive meanwhile share the result."""

    def __init__(
        self,
        upstream: UpstreamClient,
        base_urls: Mapping[str, str],
        cache_s: float = CACHE_S,
        breakers: Mapping[str, CircuitBreaker] | None = None,
    ) -> None:
        self._upstream = upstream
        self._base_urls = dict(base_urls)
        self._breakers = dict(breakers or {})
        self._cache_s = cache_s
        self._lock = asyncio.Lock()
        self._checked_at = -float("inf")
        self._results: dict[str, tuple[bool, str]] = {}

    async def checks(self) -> dict[str, dict[str, Any]]:
        """`backend:<key>` → ok, reason, what was checked and how old the answer is."""
        async with self._lock:  # one round at a time; whoever waited finds it fresh
            if time.monotonic() - self._checked_at >= self._cache_s:
                keys = list(self._base_urls)
                answers = await asyncio.gather(*(self._check(self._base_urls[key]) for key in keys))
                self._results = dict(zip(keys, answers, strict=True))
                self._checked_at = time.monotonic()
            age_s = round(time.monotonic() - self._checked_at, 3)
        checks: dict[str, dict[str, Any]] = {
            f"backend:{key}": {"ok": ok, "reason": reason, "checked": CHECKED, "age_s": age_s}
            for key, (ok, reason) in self._results.items()
        }
        for key, breaker in self._breakers.items():  # live, not cached: an open circuit shows at once
            checks[f"backend:{key}"]["circuit"] = breaker.snapshot()
        return checks

    async def _check(self, base_url: str) -> tuple[bool, str]:
        try:
            response = await self._upstream.request(
                "GET", base_url + HEALTH_PATH, headers={}, body=None, timeout_s=_TIMEOUT_S
            )
        except GatewayError as error:
            return False, error.message
        return response.status == 200, f"HTTP {response.status}"
