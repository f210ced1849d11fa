"""Quota counters: in-process, a SQLite file shared by a host's workers, and Redis (real redis-server)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from ndxp_sim.core.errors import QuotaExceededError, ServiceOverloadedError
from ndxp_sim.core.settings import ConsumerSettings, QuotaSettings
from ndxp_sim.gateway.quota import HostFileCounter, QuotaLimiter, RedisCounter, build_counter
from tests.local_http import free_port
from tests.redis_server import RedisServer, redis_server

BRONZE = ConsumerSettings(id="000.00.00.T01", secret_hash="x", tier="Bronze")
TIERS = {"bronze": 3}
T0 = 1_800_000_000.0  # a minute boundary: 1_800_000_000 = 30_000_000 × 60


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


async def _admitted(limiter: QuotaLimiter, calls: int, now: float) -> int:
    admitted = 0
    for _ in range(calls):
        try:
            await limiter.check(BRONZE, now)
            admitted += 1
        except QuotaExceededError:
            pass
    return admitted


async def test_local_counter_allows_the_tier_then_429_until_the_next_minute() -> None:
    limiter = QuotaLimiter(TIERS)
    assert await _admitted(limiter, 3, T0 + 10) == 3
    with pytest.raises(QuotaExceededError) as refused:
        await limiter.check(BRONZE, T0 + 10.2)
    assert refused.value.headers["retry-after"] == "50"  # 49.8 s left, rounded up
    assert await _admitted(limiter, 3, T0 + 60) == 3  # a new window


async def test_two_workers_on_one_host_share_one_count_through_the_file(tmp_path: Path) -> None:
    """Two counters on the same file stand for two worker processes (tests/e2e runs the real ones)."""
    first = QuotaLimiter(TIERS, HostFileCounter(tmp_path / "quota.db"))
    second = QuotaLimiter(TIERS, HostFileCounter(tmp_path / "quota.db"))
    assert await _admitted(first, 2, T0 + 1) + await _admitted(second, 2, T0 + 2) == 3
    assert await _admitted(second, 3, T0 + 61) == 3  # the next minute starts from zero
    await first.close()
    await second.close()


def test_settings_choose_the_counter(tmp_path: Path) -> None:
    assert type(build_counter(QuotaSettings())).__name__ == "LocalCounter"
    assert isinstance(build_counter(QuotaSettings(shared_file=tmp_path / "q.db")), HostFileCounter)
    assert isinstance(build_counter(QuotaSettings(backend="redis")), RedisCounter)
    with pytest.raises(ValueError, match="backend"):
        QuotaSettings(backend="memcached")  # type: ignore[arg-type]


async def test_redis_counts_across_limiters_and_retry_after_is_the_window_left(redis: RedisServer) -> None:
    settings = QuotaSettings(backend="redis", redis_url=redis.url, redis_prefix="t1:")
    replicas = [QuotaLimiter(TIERS, RedisCounter(settings)) for _ in range(3)]
    admitted = sum([await _admitted(replica, 2, T0) for replica in replicas])
    assert admitted == 3
    with pytest.raises(QuotaExceededError) as refused:
        await replicas[0].check(BRONZE, T0)
    assert 55 <= int(refused.value.headers["retry-after"]) <= 60
    for replica in replicas:
        await replica.close()


async def test_redis_unreachable_fails_open_with_one_log_line(caplog: pytest.LogCaptureFixture) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    limiter = QuotaLimiter(TIERS, RedisCounter(QuotaSettings(backend="redis", redis_url=dead)))
    with caplog.at_level(logging.WARNING, logger="ndxp.gateway.quota"):
        assert await _admitted(limiter, 10, T0) == 10
    lines = [r.getMessage() for r in caplog.records if r.name == "ndxp.gateway.quota"]
    assert len(lines) == 1 and "unreachable" in lines[0] and "pass unchecked" in lines[0]
    assert "redis://" not in lines[0]
    await limiter.close()


async def test_redis_unreachable_fails_closed_with_503_when_configured() -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings = QuotaSettings(backend="redis", redis_url=dead, fail_open=False)
    limiter = QuotaLimiter(TIERS, RedisCounter(settings))
    with pytest.raises(ServiceOverloadedError) as refused:
        await limiter.check(BRONZE, T0)
    assert refused.value.status_code == 503 and refused.value.headers["retry-after"] == "1"
    await limiter.close()


async def test_unlimited_tier_never_touches_the_counter() -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings = QuotaSettings(backend="redis", redis_url=dead, fail_open=False)
    limiter = QuotaLimiter({"bronze": 0}, RedisCounter(settings))
    assert await _admitted(limiter, 5, T0) == 5  # would be 503 if it asked the dead Redis
    await limiter.close()


async def test_redis_going_away_and_coming_back(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """One line when Redis goes, calls pass meanwhile, one line when it is back and counting resumes."""
    with redis_server(tmp_path) as redis:
        port = redis.port
        settings = QuotaSettings(backend="redis", redis_url=redis.url, redis_prefix="t2:")
        limiter = QuotaLimiter(TIERS, RedisCounter(settings))
        assert await _admitted(limiter, 2, T0) == 2
    with caplog.at_level(logging.WARNING, logger="ndxp.gateway.quota"):
        assert await _admitted(limiter, 5, T0) == 5  # fail-open: the count is not known
        with redis_server(tmp_path, port) as again:  # same address; a new, empty Redis
            await asyncio.sleep(1.1)  # past the second in which the gateway leaves Redis alone
            assert await _admitted(limiter, 5, T0) == 3
            assert again.port == port
    lines = [r.getMessage() for r in caplog.records if r.name == "ndxp.gateway.quota"]
    assert len(lines) == 2 and "unreachable" in lines[0] and "is back" in lines[1], lines
    await limiter.close()


async def test_a_redis_that_never_answers_holds_a_call_for_a_bounded_time() -> None:
    """A listening socket that never replies: the first call waits for redis_timeout_s (and one retry),
    the next ones within a second do not wait at all."""
    import socket
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        limiter = QuotaLimiter(TIERS, RedisCounter(QuotaSettings(backend="redis", redis_url=url)))
        started = time.monotonic()
        assert await _admitted(limiter, 1, T0) == 1
        first = time.monotonic() - started
        assert await _admitted(limiter, 20, T0) == 20
        rest = time.monotonic() - started - first
        await limiter.close()
    assert 0.2 <= first <= 1.5, first
    assert rest < 0.2, rest
