"""Embedded mode: one command starts broker, mocks, gateway and indexer as child processes and stops them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx

from ndxp_sim.core import identities
from ndxp_sim.core.settings import Settings

_START_TIMEOUT_S = 120.0


@dataclass
class _Child:
    name: str
    args: list[str]
    health_url: str | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)


def _banner(settings: Settings, bootstrap: str, indexer: bool) -> str:
    base = f"http://{settings.host}:{settings.port}"
    return f"""
ndxp-sim is up.

  gateway       {base}         (metaservices: {base}/_meta/services, docs: {base}/docs)
  mock backends {settings.mock_base_url}
  Kafka         {bootstrap}  topic {settings.kafka.topic}
  indexer       {"running, store " + settings.store.url if indexer else "not started"}
  console       {base}/console/  (operator sign-in)

Test consumer (fake credentials): client_id 000.00.00.H91  client_secret demo-secret-H91
Operator (console, ops API, `ndxp-sim logs …`): client_id ops.ndxp-sim  client_secret demo-secret-ops

Try it:
  TOKEN=$(curl -s -u 000.00.00.H91:demo-secret-H91 -d grant_type=client_credentials {base}/token \\
          | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
       -d '{{"MaYeuCau":"YC-0001","MaCanBo":"CB-01","SoDinhDanh":"{identities.CITIZEN_EXISTS}"}}' \\
       {base}/apiCSDLDanCu/1.0/TraCuuThongTinCongDan
  curl -s -H "Authorization: Bearer $TOKEN" \\
       '{base}/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn={identities.ENTERPRISE_ACTIVE}'

Press Ctrl+C to stop.
"""


def _wait_healthy(children: list[_Child]) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    pending = [c for c in children if c.health_url]
    with httpx.Client(timeout=1.0) as client:
        while pending:
            for child in list(pending):
                assert child.process is not None and child.health_url is not None
                if child.process.poll() is not None:
                    raise RuntimeError(
                        f"{child.name} exited with code {child.process.returncode} while starting"
                    )
                try:
                    if client.get(child.health_url).status_code == 200:
                        pending.remove(child)
                except httpx.HTTPError:
                    pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{', '.join(c.name for c in pending)} did not become healthy in time")
            time.sleep(0.2)


def _stop(children: list[_Child]) -> None:
    for child in reversed(children):
        if child.process is not None and child.process.poll() is None:
            child.process.send_signal(signal.SIGTERM)
    for child in reversed(children):
        if child.process is None:
            continue
        try:
            child.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


def run_embedded(settings: Settings, *, workers: int = 1, indexer: bool = True) -> int:
    """Run until SIGINT/SIGTERM; returns the exit code."""
    from ndxp_sim.gateway.logpipe.broker import BrokerUnavailableError, EmbeddedBroker

    broker: EmbeddedBroker | None = None
    bootstrap = settings.kafka.bootstrap_servers
    if not bootstrap:
        broker = EmbeddedBroker(port=settings.kafka.embedded_port)
        try:
            broker.start_sync()
        except BrokerUnavailableError as exc:
            print(f"ndxp-sim: {exc}", file=sys.stderr)
            return 1
        bootstrap = broker.bootstrap_servers
    env = {**os.environ, "NDXP_KAFKA__BOOTSTRAP_SERVERS": bootstrap}
    command = [sys.executable, "-m", "ndxp_sim.gateway"]  # never a `gateway` of the folder it runs in
    children = [
        _Child("mocks", [*command, "mocks"], f"{settings.mock_base_url}/health"),
        _Child(
            "gateway",
            [*command, "gateway", "--workers", str(workers)],
            f"http://{settings.host}:{settings.port}/health",
        ),
    ]
    if indexer:
        children.append(_Child("indexer", [*command, "indexer"]))
    stop_requested = False

    def _request_stop(signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    try:
        for child in children:
            child.process = subprocess.Popen(child.args, env=env)
        _wait_healthy(children)
        print(_banner(settings, bootstrap, indexer), flush=True)
        while not stop_requested:
            for child in children:
                assert child.process is not None
                if child.process.poll() is not None:
                    print(
                        f"ndxp-sim: {child.name} exited (code {child.process.returncode}); stopping",
                        file=sys.stderr,
                    )
                    return 1
            time.sleep(0.3)
        return 0
    except RuntimeError as exc:
        print(f"ndxp-sim: {exc}", file=sys.stderr)
        return 1
    finally:
        _stop(children)
        if broker is not None:
            broker.stop_sync()
        print("ndxp-sim stopped.", flush=True)
