"""What one quota check costs with each counter: local, the host's SQLite file, Redis (a real redis-server).

    python -m bench.quota_bench [--calls 20000]

Sequential calls from one process on loopback, so the Redis figure is one round trip plus the client's
work; the gateway's own cost per request is in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from pathlib import Path

from bench.procs import Process, wait_port
from bench.servers import base_env
from ndxp_sim.core.settings import ConsumerSettings, QuotaSettings
from ndxp_sim.gateway.logpipe.broker import free_port
from ndxp_sim.gateway.quota import HostFileCounter, LocalCounter, QuotaCounter, QuotaLimiter, RedisCounter

CONSUMER = ConsumerSettings(id="000.00.00.B01", secret_hash="x", tier="Bronze")


async def _per_call_us(counter: QuotaCounter, calls: int) -> tuple[float, float]:
    """(wall µs, this process's CPU µs) per check."""
    limiter = QuotaLimiter({"bronze": calls * 10}, counter)  # never refuses: measures the count alone
    for _ in range(200):  # warm-up: connection, script load
        await limiter.check(CONSUMER, time.time())
    started, cpu_started = time.perf_counter(), time.process_time()
    for _ in range(calls):
        await limiter.check(CONSUMER, time.time())
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    await limiter.close()
    return elapsed / calls * 1e6, cpu / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=20_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="ndxp-quota-bench-"))
    results = {
        "local (in process)": asyncio.run(_per_call_us(LocalCounter(), args.calls)),
        "host file (SQLite)": asyncio.run(_per_call_us(HostFileCounter(workdir / "q.db"), args.calls)),
    }
    binary = shutil.which("redis-server")
    if binary is None:
        print("redis-server not installed (apt-get install -y redis-server): Redis not measured")
    else:
        port = free_port()
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        redis = Process("redis", argv, env=base_env(), cwd=workdir, log=workdir / "redis.log")
        try:
            wait_port(port, 10, redis)
            settings = QuotaSettings(backend="redis", redis_url=f"redis://127.0.0.1:{port}/0")
            results["Redis (Lua script, 1 round trip)"] = asyncio.run(
                _per_call_us(RedisCounter(settings), args.calls)
            )
        finally:
            redis.stop()
    print(f"{args.calls} sequential checks from one process")
    print(f"{'counter':<34} {'wall µs':>8} {'CPU µs':>8}  per check")
    for name, (wall, cpu) in results.items():
        print(f"{name:<34} {wall:8.1f} {cpu:8.1f}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
