"""Load generators: wrk (throughput, 1-connection latency), hey (fixed rate), and a small built-in fallback.

Each returns a `LoadResult`. The built-in generator (aiohttp) lets the smoke run work on a machine
without wrk or hey; its numbers measure the client as much as the server.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson

INSTALL_HINT = "install them with: apt-get install -y wrk hey nginx-light (Debian/Ubuntu package names)"


@dataclass(frozen=True, slots=True)
class Target:
    """One request to repeat."""

    url: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass(slots=True)
class LoadResult:
    tool: str
    requests: int  # completed responses, any status
    non_2xx: int
    errors: int  # connect/read/write/timeout errors
    duration_s: float
    rps: float
    p50_ms: float
    p99_ms: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def missing_tools() -> list[str]:
    return [tool for tool in ("wrk", "hey") if shutil.which(tool) is None]


_WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCHJSON {\\"requests\\":%d,\\"duration_us\\":%d,\\"non_2xx\\":%d,"
    .. "\\"errors\\":%d,\\"p50_us\\":%d,\\"p99_us\\":%d}\\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(value: str) -> str:
    return "[==[" + value + "]==]"


def wrk_script(target: Target, path: Path) -> Path:
    """Write a wrk Lua script to `path` that sends `target` and prints a JSON summary line."""
    lines = [f"wrk.method = {_lua_string(target.method)}"]
    if target.body is not None:
        lines.append(f"wrk.body = {_lua_string(target.body.decode())}")
    for name, value in target.headers.items():
        lines.append(f"wrk.headers[ {_lua_string(name)} ] = {_lua_string(value)}")
    path.write_text("\n".join(lines) + "\n" + _WRK_DONE)
    return path


def run_wrk(target: Target, *, connections: int, threads: int, duration_s: float, script: Path) -> LoadResult:
    argv = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration_s))}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(script),
        target.url,
    ]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration_s + 30, check=False)
    match = re.search(r"^BENCHJSON (\{.*\})$", out.stdout, re.M)
    if match is None:
        raise RuntimeError(f"wrk gave no summary (exit {out.returncode}): {out.stderr.strip() or out.stdout}")
    data = orjson.loads(match.group(1))
    seconds = data["duration_us"] / 1e6
    return LoadResult(
        "wrk",
        data["requests"],
        data["non_2xx"],
        data["errors"],
        seconds,
        data["requests"] / seconds,
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
    )


def run_hey(target: Target, *, rate: int, workers: int, duration_s: float, body_file: Path) -> LoadResult:
    """`rate` requests per second in total, spread over `workers` (hey's -q is per worker)."""
    argv = [
        "hey",
        "-z",
        f"{duration_s:g}s",
        "-c",
        str(workers),
        "-q",
        f"{rate / workers:g}",
        "-m",
        target.method,
    ]
    for name, value in target.headers.items():
        argv += ["-H", f"{name}: {value}"]
    if target.body is not None:
        body_file.write_bytes(target.body)
        argv += ["-D", str(body_file)]
    argv.append(target.url)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=duration_s + 30, check=False)
    text = out.stdout
    statuses = {int(code): int(n) for code, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", text)}
    percentiles = dict(re.findall(r"(\d+)% in ([\d.]+) secs", text))
    total = re.search(r"Total:\s+([\d.]+) secs", text)
    if not statuses or total is None or "50" not in percentiles:
        detail = out.stderr.strip() or text[-500:]
        raise RuntimeError(f"hey gave no summary (exit {out.returncode}): {detail}")
    errors = _hey_errors(text)
    requests = sum(statuses.values())
    seconds = float(total.group(1))
    return LoadResult(
        "hey",
        requests,
        sum(n for code, n in statuses.items() if not 200 <= code < 300),
        errors,
        seconds,
        requests / seconds,
        float(percentiles["50"]) * 1000,
        float(percentiles["99"]) * 1000,
    )


def _hey_errors(text: str) -> int:
    section = text.partition("Error distribution:")[2]
    return sum(int(n) for n in re.findall(r"^\s+\[(\d+)\]", section, re.M))


async def _builtin(
    target: Target | Sequence[Target], connections: int, duration_s: float, rate: float | None
) -> LoadResult:
    targets = [target] if isinstance(target, Target) else list(target)
    turns = itertools.cycle(targets)  # several targets: each request takes the next one (mixed traffic)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    started = time.perf_counter()
    deadline = started + duration_s
    interval = connections / rate if rate else 0.0

    async def worker(session: aiohttp.ClientSession, offset: float) -> None:
        nonlocal errors
        next_at = started + offset
        while True:
            if interval:
                next_at += interval
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            if time.perf_counter() >= deadline:
                return
            sent = time.perf_counter()
            turn = next(turns)
            try:
                async with session.request(
                    turn.method, turn.url, headers=turn.headers, data=turn.body
                ) as response:
                    await response.read()
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                latencies.append(time.perf_counter() - sent)
            except (aiohttp.ClientError, OSError, TimeoutError):
                errors += 1

    timeout = aiohttp.ClientTimeout(total=10)
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        offsets = [i * interval / connections for i in range(connections)]
        await asyncio.wait_for(asyncio.gather(*(worker(session, o) for o in offsets)), duration_s + 15)
    seconds = time.perf_counter() - started
    latencies.sort()
    requests = sum(statuses.values())

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else 0.0

    return LoadResult(
        "builtin",
        requests,
        sum(n for c, n in statuses.items() if not 200 <= c < 300),
        errors,
        seconds,
        requests / seconds,
        pct(0.50),
        pct(0.99),
    )


def run_builtin(
    target: Target | Sequence[Target], *, connections: int, duration_s: float, rate: float | None = None
) -> LoadResult:
    """The fallback generator: `connections` concurrent loops (optionally paced to `rate` req/s in total);
    given several targets, the requests go to each in turn."""
    return asyncio.run(_builtin(target, connections, duration_s, rate))
