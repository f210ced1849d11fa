"""Soak: the embedded simulator (`ndxp-sim up`) under steady mixed traffic, sampled for growth and loss.

    python -m bench.soak [--minutes 30] [--interval 10] [--rate 40] [--out FILE.json]

Traffic is every example case of contracts/cases/ in turn (REST, SOAP, dossiers, refused and failing
calls), less the cases that wait out a backend timeout. Every `--interval` seconds it samples each
process's RSS, file descriptors and sockets, the established TCP connections on the simulator's ports,
and exchange records produced (the gateway's log counter) against stored (rows in the store). At the end
it waits for the indexer, prints the samples and a verdict per series (a least-squares slope against a
threshold), and writes JSON. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from bench.load import Target, run_builtin
from bench.procs import Process, descendants, status_kb
from bench.report import table
from bench.servers import REPO, base_env, fetch_token
from ndxp_sim.contracts.cases import case_services, load_cases
from ndxp_sim.gateway.logpipe.broker import free_port

MIN_FIT_S = 300  # a verdict needs at least this much traffic after the warm-up
WARM_UP_SHARE = 0.2  # the first fifth of the samples is start-up, not trend: left out of the slopes
# Growth per hour above which a series is "growing" (per process for RSS, descriptors and sockets).
THRESHOLDS_PER_HOUR = {"rss_mb": 10.0, "fds": 10.0, "sockets": 10.0, "tcp": 10.0, "backlog": 600.0}
_SUBMITTED = re.compile(rb'^ndxp_exchange_log_records\{counter="submitted"\} ([0-9.e+]+)$', re.M)
_LISTEN_TIMEOUT_S = 180
_TOKEN_RENEW_S = 1800  # tokens live an hour (token_ttl_s)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=30.0, help="how long the traffic runs")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between samples")
    parser.add_argument("--rate", type=float, default=40.0, help="requests per second in total")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "soak.json")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, store)")
    return parser.parse_args(argv)


def mixed_traffic(base: str, token: str) -> list[Target]:
    """One target per example case of every service that has cases, with the consumer's token."""
    targets = []
    for service in case_services():
        for case in load_cases(service):
            if case.headers.get("X-Mock-Scenario", "").startswith(("timeout", "slow")):
                continue  # waits out the service timeout: as long as the load client's own timeout
            url = base + case.path
            if case.query:
                url += "?" + urllib.parse.urlencode(case.query)
            headers = {**case.headers, "Authorization": f"Bearer {token}"}
            body = None
            if case.body is not None:
                headers["Content-Type"] = "application/json"
                body = orjson.dumps(case.body)
            targets.append(Target(url, case.method, headers, body))
    return targets


class Simulator:
    """`ndxp-sim up` on free loopback ports, everything it writes in `workdir`."""

    def __init__(self, workdir: Path) -> None:
        self.port, self.mock_port, self.kafka_port = free_port(), free_port(), free_port()
        self.store = workdir / "exchanges.db"
        env = base_env() | {
            "NDXP_PORT": str(self.port),
            "NDXP_MOCKS__PORT": str(self.mock_port),
            "NDXP_KAFKA__EMBEDDED_PORT": str(self.kafka_port),
            "NDXP_KAFKA__TOPIC": "soak.exchanges",
            "NDXP_LOG__SPOOL_DIR": str(workdir / "spool"),
            "NDXP_STORE__URL": f"sqlite+aiosqlite:///{self.store}",
            "NDXP_MOCKS__CACHE_DIR": str(workdir / "cache"),
            "NDXP_MOCKS__STATE_FILE": str(workdir / "mock-state.db"),
            "NDXP_SECRETS_FILE": str(workdir / "secrets.yaml"),
        }
        argv = [sys.executable, "-m", "ndxp_sim.gateway", "up"]
        self.process = Process("up", argv, env=env, cwd=REPO, log=workdir / "up.log")
        deadline = time.monotonic() + _LISTEN_TIMEOUT_S
        while "ndxp-sim is up" not in self.process.log.read_text(errors="replace"):
            if not self.process.running or time.monotonic() > deadline:
                self.process.stop()
                raise RuntimeError(f"ndxp-sim up did not start; see {self.process.log}")
            time.sleep(0.2)
        self.base = f"http://127.0.0.1:{self.port}"

    def produced(self) -> int | None:
        """Exchange records the gateway handed to its log (its `submitted` counter)."""
        try:
            with urllib.request.urlopen(f"{self.base}/metrics", timeout=10) as response:
                found = _SUBMITTED.search(response.read())
        except OSError:
            return None
        return int(float(found.group(1))) if found else None

    def stored(self) -> int | None:
        """Rows in the exchange store (read-only, so the indexer is never blocked)."""
        if not self.store.exists():
            return 0
        try:
            with contextlib.closing(sqlite3.connect(f"file:{self.store}?mode=ro", uri=True, timeout=5)) as db:
                return int(db.execute("SELECT count(*) FROM exchange").fetchone()[0])
        except sqlite3.Error:
            return None

    def ports(self) -> set[int]:
        return {self.port, self.mock_port, self.kafka_port}


def _role(pid: int, root: int) -> str:
    """A short name for one process of the simulator, from its command line."""
    if pid == root:
        return "up"
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    words = [Path(a.decode(errors="replace")).name for a in argv if a]
    for role in ("tansu", "mocks", "indexer", "gateway"):
        if any(role in w for w in words):
            return "broker" if role == "tansu" else role
    return words[0] if words else "?"


def _fds(pid: int) -> tuple[int, int]:
    """(open file descriptors, of which sockets) of one process."""
    fds = sockets = 0
    with contextlib.suppress(OSError):
        for fd in os.scandir(f"/proc/{pid}/fd"):
            fds += 1
            with contextlib.suppress(OSError):
                sockets += os.readlink(fd.path).startswith("socket:")
    return fds, sockets


def _tcp_established(ports: set[int]) -> int:
    """Established TCP socket ends (both sides count) with a local or remote port among `ports`."""
    count = 0
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(name).read_text().splitlines()[1:]:
                local, remote, state = line.split()[1:4]
                if (
                    state == "01"
                    and {int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16)} & ports
                ):
                    count += 1
    return count


def sample(sim: Simulator, started: float, requests: int, errors: int) -> dict[str, Any]:
    processes: dict[str, dict[str, float]] = {}
    for pid in descendants(sim.process.pid):
        role = _role(pid, sim.process.pid)
        name = role if role not in processes else f"{role}.{pid}"
        fds, sockets = _fds(pid)
        processes[name] = {"pid": pid, "rss_mb": round((status_kb(pid, "VmRSS") or 0) / 1024, 1)}
        processes[name] |= {"fds": fds, "sockets": sockets}
    produced, stored = sim.produced(), sim.stored()
    backlog = produced - stored if produced is not None and stored is not None else None
    return {
        "t_s": round(time.monotonic() - started, 1),
        "requests": requests,
        "client_errors": errors,
        "produced": produced,
        "stored": stored,
        "backlog": backlog,
        "tcp": _tcp_established(sim.ports()),
        "processes": processes,
    }


def _slope_per_hour(points: list[tuple[float, float]]) -> float | None:
    if len(points) < 3 or len({x for x, _ in points}) < 2:
        return None
    xs, ys = zip(*points, strict=True)
    return statistics.linear_regression([x / 3600 for x in xs], ys).slope


def trends(samples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per series: first and last value, least-squares slope per hour after the warm-up, verdict."""
    fitted = samples[int(len(samples) * WARM_UP_SHARE) :]
    series: dict[tuple[str, str], Callable[[dict[str, Any]], float | None]] = {
        ("all", "tcp"): lambda s: s["tcp"],
        ("all", "backlog"): lambda s: s["backlog"],
    }
    names = samples[-1]["processes"] if samples else {}
    for name in names:
        for metric in ("rss_mb", "fds", "sockets"):
            series[(name, metric)] = lambda s, n=name, m=metric: s["processes"].get(n, {}).get(m)
    rows = []
    for (owner, metric), value in series.items():
        points = [(s["t_s"], v) for s in fitted if (v := value(s)) is not None]
        slope = _slope_per_hour(points)
        threshold = THRESHOLDS_PER_HOUR[metric]
        if slope is None or points[-1][0] - points[0][0] < MIN_FIT_S:
            verdict = "too short"  # a few minutes of start-up growth says nothing about an hour
        else:
            verdict = "growing" if slope > threshold else "flat"
        rows.append(
            {
                "process": owner,
                "metric": metric,
                "first": value(samples[0]) if samples else None,
                "last": value(samples[-1]) if samples else None,
                "slope_per_hour": None if slope is None else round(slope, 2),
                "threshold_per_hour": threshold,
                "verdict": verdict,
            }
        )
    return rows


def render(result: dict[str, Any]) -> str:
    samples, names = result["samples"], list(result["samples"][-1]["processes"]) if result["samples"] else []
    headers = ["t s", "requests", "produced", "stored", "backlog", "tcp", *(f"{n} MB/fd" for n in names)]
    rows = []
    for s in samples:
        cells = [f"{s['t_s']:.0f}", str(s["requests"]), str(s["produced"]), str(s["stored"])]
        cells += [str(s["backlog"]), str(s["tcp"])]
        for name in names:
            proc = s["processes"].get(name)
            cells.append(f"{proc['rss_mb']:.1f}/{proc['fds']:.0f}" if proc else "–")
        rows.append(cells)
    trend_rows = [
        [
            t["process"],
            t["metric"],
            str(t["first"]),
            str(t["last"]),
            "–" if t["slope_per_hour"] is None else f"{t['slope_per_hour']:+.2f}",
            f"{t['threshold_per_hour']:g}",
            t["verdict"],
        ]
        for t in result["trends"]
    ]
    d = result["delivery"]
    return "\n\n".join(
        [
            f"Samples every {result['options']['interval_s']:g} s (RSS MB / open descriptors per process)",
            table(headers, rows),
            f"Trends (least-squares slope per hour, first {WARM_UP_SHARE:.0%} of samples left out)",
            table(["process", "metric", "first", "last", "slope/h", "threshold/h", "verdict"], trend_rows),
            f"Records: produced {d['produced']}, stored {d['stored']}, lost {d['lost']} "
            f"(after waiting {d['waited_s']} s for the indexer); client: {result['requests']} responses, "
            f"{result['client_errors']} connection errors",
            f"Verdict: {result['verdict']}",
        ]
    )


def wait_for_indexer(sim: Simulator, limit_s: float = 120.0) -> dict[str, Any]:
    """Produced and stored once the store has caught up (or the limit passed)."""
    started = time.monotonic()
    produced, stored = sim.produced(), sim.stored()
    while time.monotonic() - started < limit_s and (produced is None or stored is None or stored < produced):
        time.sleep(1)
        produced, stored = sim.produced(), sim.stored()
    lost = produced - stored if produced is not None and stored is not None else None
    waited = round(time.monotonic() - started, 1)
    return {"produced": produced, "stored": stored, "lost": lost, "waited_s": waited}


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    sim = Simulator(workdir)
    started_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    try:
        targets = mixed_traffic(sim.base, fetch_token(sim.base))
        started = token_at = time.monotonic()
        deadline = started + args.minutes * 60
        requests = errors = 0
        samples = [sample(sim, started, requests, errors)]
        print(f"soak: {len(targets)} kinds of call at {args.rate:g}/s for {args.minutes:g} min", flush=True)
        while (left := deadline - time.monotonic()) > 1:
            if time.monotonic() - token_at > _TOKEN_RENEW_S:
                targets, token_at = mixed_traffic(sim.base, fetch_token(sim.base)), time.monotonic()
            chunk = min(args.interval, left)
            loaded = run_builtin(targets, connections=args.connections, duration_s=chunk, rate=args.rate)
            requests, errors = requests + loaded.requests, errors + loaded.errors
            samples.append(sample(sim, started, requests, errors))
            last = samples[-1]
            print(f"  {last['t_s']:>7.0f} s  {requests} responses, backlog {last['backlog']}", flush=True)
        delivery = wait_for_indexer(sim)
    finally:
        sim.process.stop(signal.SIGTERM, timeout_s=60)
    rows = trends(samples)
    growing = [f"{t['process']} {t['metric']}" for t in rows if t["verdict"] == "growing"]
    judged = any(t["verdict"] != "too short" for t in rows)
    lost = delivery["lost"]
    verdict = "growing: " + ", ".join(growing) if growing else "flat" if judged else "too short to judge"
    verdict += "; no record lost" if lost == 0 else f"; {lost} records not stored"
    return {
        "options": {
            "minutes": args.minutes,
            "interval_s": args.interval,
            "rate": args.rate,
            "connections": args.connections,
            "kinds_of_call": len(targets),
        },
        "started": started_at,
        "requests": requests,
        "client_errors": errors,
        "samples": samples,
        "trends": rows,
        "delivery": delivery,
        "flat": judged and not growing,
        "verdict": verdict,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def interrupted(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    workdir = Path(tempfile.mkdtemp(prefix="ndxp-soak-"))
    try:
        result = run(args, workdir)
    finally:
        Process.stop_all()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print()
    print(render(result))
    print(f"\nJSON: {args.out}")
    if args.keep:
        print(f"logs and store: {workdir}")
    else:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if result["delivery"]["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
