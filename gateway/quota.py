"""Per-consumer request quotas per minute (WSO2-style tiers), counted in this process."""

from __future__ import annotations

import math

from ndxp_sim.core.errors import QuotaExceededError
from ndxp_sim.core.settings import ConsumerSettings


class QuotaLimiter:
    """Fixed one-minute windows. Each gateway replica counts its own share (documented in the README)."""

    def __init__(self, tiers: dict[str, int]) -> None:
        self._tiers = tiers
        self._windows: dict[str, tuple[int, int]] = {}  # consumer id -> (window minute, count)

    def check(self, consumer: ConsumerSettings, now: float) -> None:
        limit = self._tiers.get(consumer.tier.lower(), 0)
        if limit <= 0:
            return
        minute = int(now // 60)
        window, count = self._windows.get(consumer.id, (minute, 0))
        if window != minute:
            count = 0
        if count >= limit:
            retry_after = max(1, math.ceil((minute + 1) * 60 - now))
            raise QuotaExceededError(
                f"quota of {limit} requests per minute ({consumer.tier}) used up", retry_after
            )
        self._windows[consumer.id] = (minute, count + 1)
