"""Measured load phases: throughput runs with CPU accounting, 1-connection latency, fixed-rate latency."""

from __future__ import annotations

import itertools
import os
import resource
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import load
from bench.load import LoadResult, Target
from bench.procs import group_members, machine_ticks, status_kb


@dataclass
class Plan:
    """How long and how hard each phase runs."""

    loadgen: str  # "wrk" (wrk + hey) or "builtin"
    runs: int
    duration_s: float
    warmup_s: float
    connections: int
    threads: int
    c1_duration_s: float
    rate: int
    rate_workers: int
    rate_duration_s: float
    workdir: Path


_SCRIPT_NUMBERS = itertools.count()


def _group_cpu(pgids: Mapping[str, int]) -> dict[str, float]:
    return {role: sum(m.cpu_s for m in group_members(pgid)) for role, pgid in pgids.items()}


def _own_cpu() -> float:
    """CPU of this process and its finished children: the load generator (built-in, or wrk/hey)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


class Meter:
    """Runs load phases against one server and keeps the count of completed requests (for the log check)."""

    def __init__(self, plan: Plan, roles: Mapping[str, int], subject: str) -> None:
        self.plan = plan
        self.roles = roles  # role name -> process group id, e.g. {"gateway": …, "backend": …, "tansu": …}
        self.subject = subject  # the role whose CPU per request is reported
        self.completed = 0
        self._scripts: dict[int, Path] = {}

    def generate(self, target: Target, connections: int, duration_s: float) -> LoadResult:
        plan = self.plan
        if plan.loadgen == "builtin":
            result = load.run_builtin(target, connections=connections, duration_s=duration_s)
        else:
            threads = min(plan.threads, connections)
            script = self.script_for(target)
            result = load.run_wrk(
                target, connections=connections, threads=threads, duration_s=duration_s, script=script
            )
        self.completed += result.requests
        return result

    def script_for(self, target: Target) -> Path:
        """The wrk script that sends `target`, written on first use."""
        script = self._scripts.get(id(target))
        if script is None:
            # Numbered across meters: two meters share the work directory when they alternate.
            script = load.wrk_script(target, self.plan.workdir / f"wrk-{next(_SCRIPT_NUMBERS)}.lua")
            self._scripts[id(target)] = script
        return script

    def throughput(self, target: Target) -> dict[str, Any]:
        """Warm-up, then `runs` measured runs at `connections`; medians, CPU per role, CPU µs per request."""
        self.warm_up(target)
        return summarise([self.measured_run(target) for _ in range(self.plan.runs)], self.subject)

    def warm_up(self, target: Target) -> None:
        self.generate(target, self.plan.connections, self.plan.warmup_s)

    def measured_run(self, target: Target) -> dict[str, Any]:
        """One run at `connections`: its load result, CPU per role, and what else the machine ran."""
        plan = self.plan
        cpu_before, own_before, ticks_before = _group_cpu(self.roles), _own_cpu(), machine_ticks()
        result = self.generate(target, plan.connections, plan.duration_s)
        cpu_after, own_after, ticks_after = _group_cpu(self.roles), _own_cpu(), machine_ticks()
        busy, steal, total = (a - b for a, b in zip(ticks_after, ticks_before, strict=True))
        cpu = {role: cpu_after[role] - cpu_before[role] for role in self.roles}
        cpu["loadgen"] = own_after - own_before
        busy_pct = 100 * busy / max(total, 1) * _cpus()
        # what else ran on the machine meanwhile (other people's work on a shared box): noise
        cpu["other"] = max(0.0, busy_pct / 100 * result.duration_s - sum(cpu.values()))
        return {
            **result.as_dict(),
            "cpu_pct": {role: round(100 * s / result.duration_s, 1) for role, s in cpu.items()},
            "cpu_us_per_request": {
                role: round(1e6 * s / max(result.requests, 1), 1) for role, s in cpu.items()
            },
            "machine_busy_pct": round(busy_pct, 1),
            "machine_steal_pct": round(100 * steal / max(total, 1) * _cpus(), 1),
        }

    def one_connection(self, target: Target) -> dict[str, Any]:
        """Unloaded latency: `runs` runs with one connection; medians of p50 and p99."""
        runs = [self.generate(target, 1, self.plan.c1_duration_s).as_dict() for _ in range(self.plan.runs)]
        return summarise(runs, None)

    def fixed_rate(self, target: Target) -> dict[str, Any]:
        """Latency at `rate` requests per second in total (hey; the built-in generator paces itself)."""
        plan = self.plan
        if plan.loadgen == "builtin":
            result = load.run_builtin(
                target, connections=plan.rate_workers, duration_s=plan.rate_duration_s, rate=plan.rate
            )
        else:
            result = load.run_hey(
                target,
                rate=plan.rate,
                workers=plan.rate_workers,
                duration_s=plan.rate_duration_s,
                body_file=plan.workdir / f"hey-body-{id(target)}",
            )
        self.completed += result.requests
        return {**result.as_dict(), "target_rate": plan.rate}


def _cpus() -> int:
    return os.cpu_count() or 1


def summarise(runs: list[dict[str, Any]], subject: str | None) -> dict[str, Any]:
    """Median req/s (and the run it came from), medians of the runs' p50 and p99."""
    ordered = sorted(runs, key=lambda r: r["rps"])
    middle = ordered[(len(ordered) - 1) // 2]
    summary: dict[str, Any] = {
        "rps": round(statistics.median(r["rps"] for r in runs), 1),
        "rps_min": round(ordered[0]["rps"], 1),
        "rps_max": round(ordered[-1]["rps"], 1),
        "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 3),
        "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 3),
        "non_2xx": sum(r["non_2xx"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "runs": runs,
    }
    if subject is not None:
        summary["cpu_us_per_request"] = round(
            statistics.median(r["cpu_us_per_request"][subject] for r in runs), 1
        )
        summary["cpu_pct"] = middle["cpu_pct"]
        summary["machine_busy_pct"] = middle["machine_busy_pct"]
        summary["machine_steal_pct"] = middle["machine_steal_pct"]
    return summary


def rss_mb(pids: list[int]) -> dict[str, list[float]]:
    """Current (VmRSS) and peak (VmHWM) resident memory of each PID, in MB."""
    now = [round((status_kb(pid, "VmRSS") or 0) / 1024, 1) for pid in pids]
    peak = [round((status_kb(pid, "VmHWM") or 0) / 1024, 1) for pid in pids]
    return {"rss_mb": now, "peak_rss_mb": peak}
