"""Per-consumer request quotas per minute (WSO2-style tiers): one count however many workers and replicas."""

from __future__ import annotations

import logging
import math
import sqlite3
import time
from pathlib import Path
from typing import Protocol

from ndxp_sim.core.errors import QuotaExceededError, ServiceOverloadedError
from ndxp_sim.core.settings import ConsumerSettings, QuotaSettings

log = logging.getLogger("ndxp.gateway.quota")

WINDOW_S = 60
_REDIS_RETRY_S = 1.0  # after a failed Redis call, calls skip Redis this long (no timeout per call)


class QuotaCounter(Protocol):
    """Counts one consumer's calls in its current window."""

    async def hit(self, consumer_id: str, now: float) -> tuple[int, float]:
        """Counts one call; returns (calls in the window with this one, seconds until the window ends)."""
        ...

    async def close(self) -> None: ...


def _minute_window(now: float) -> tuple[int, float]:
    minute = int(now // WINDOW_S)
    return minute, (minute + 1) * WINDOW_S - now


class LocalCounter:
    """Fixed clock-minute windows in this process: enough for one worker."""

    def __init__(self) -> None:
        self._windows: dict[str, tuple[int, int]] = {}  # consumer id -> (window minute, count)

    async def hit(self, consumer_id: str, now: float) -> tuple[int, float]:
        minute, left = _minute_window(now)
        window, count = self._windows.get(consumer_id, (minute, 0))
        count = count + 1 if window == minute else 1
        self._windows[consumer_id] = (minute, count)
        return count, left

    async def close(self) -> None:
        self._windows.clear()


_UPSERT = """
INSERT INTO quota (consumer, minute, count) VALUES (?, ?, 1)
ON CONFLICT (consumer) DO UPDATE SET
    count = CASE WHEN minute = excluded.minute THEN count + 1 ELSE 1 END,
    minute = excluded.minute
RETURNING count
"""


class HostFileCounter:
    """Fixed clock-minute windows in a SQLite file that the workers of one host share.

    One autocommit UPSERT per call (tens of µs); WAL and synchronous=OFF because a count lost to a
    power cut does not matter, and busy_timeout makes a worker wait for the other's write.
    """

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, timeout=2.0, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS quota (consumer TEXT PRIMARY KEY, minute INTEGER, count INTEGER)"
        )

    async def hit(self, consumer_id: str, now: float) -> tuple[int, float]:
        minute, left = _minute_window(now)
        (count,) = self._db.execute(_UPSERT, (consumer_id, minute)).fetchone()
        return int(count), left

    async def close(self) -> None:
        self._db.close()


# INCR and the expiry in one atomic round trip. The window starts at a consumer's first call and is
# timed by Redis's clock, so replicas on hosts whose clocks differ still share one window.
_REDIS_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
"""


class RedisCounter:
    """Fixed one-minute windows in Redis, shared by every worker and replica that uses the same Redis."""

    def __init__(self, settings: QuotaSettings) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self._client = Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout_s,
            socket_connect_timeout=settings.redis_timeout_s,
            # One immediate retry covers a pooled connection that a Redis restart closed; the client's
            # default (10 with backoff) would hold a call for seconds while Redis is away.
            retry=Retry(NoBackoff(), 1),
        )
        self._script = self._client.register_script(_REDIS_HIT)
        self._prefix = settings.redis_prefix
        self._fail_open = settings.fail_open
        kwargs = self._client.connection_pool.connection_kwargs
        self._where = f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"  # never the URL's password
        self._down_until = 0.0
        self._down = False

    async def hit(self, consumer_id: str, now: float) -> tuple[int, float]:
        from redis.exceptions import RedisError

        if time.monotonic() < self._down_until:
            return self._unavailable()
        try:
            count, ttl_ms = await self._script(keys=[self._prefix + consumer_id], args=[WINDOW_S * 1000])
        except (RedisError, OSError) as exc:
            self._down_until = time.monotonic() + _REDIS_RETRY_S
            if not self._down:
                self._down = True
                then = "pass unchecked" if self._fail_open else "get 503"
                log.error(
                    "quota: Redis at %s unreachable (%s); calls %s until it is back",
                    self._where,
                    type(exc).__name__,
                    then,
                )
            return self._unavailable()
        if self._down:
            self._down = False
            log.warning("quota: Redis at %s is back; quotas are counted again", self._where)
        return int(count), int(ttl_ms) / 1000

    def _unavailable(self) -> tuple[int, float]:
        if self._fail_open:
            return 0, WINDOW_S
        raise ServiceOverloadedError(
            "the quota store is unreachable; try again shortly", headers={"retry-after": "1"}
        )

    async def close(self) -> None:
        await self._client.aclose()


def build_counter(settings: QuotaSettings) -> QuotaCounter:
    if settings.backend == "redis":
        return RedisCounter(settings)
    if settings.shared_file is not None:
        return HostFileCounter(settings.shared_file)
    return LocalCounter()


class QuotaLimiter:
    """Lets a call through while its consumer's tier has room in the current window."""

    def __init__(self, tiers: dict[str, int], counter: QuotaCounter | None = None) -> None:
        self._tiers = tiers
        self.counter = counter or LocalCounter()

    async def check(self, consumer: ConsumerSettings, now: float) -> None:
        limit = self._tiers.get(consumer.tier.lower(), 0)
        if limit <= 0:
            return
        count, left_s = await self.counter.hit(consumer.id, now)
        if count > limit:
            raise QuotaExceededError(
                f"quota of {limit} requests per minute ({consumer.tier}) used up", max(1, math.ceil(left_s))
            )

    async def close(self) -> None:
        await self.counter.close()
