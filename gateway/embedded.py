"""Embedded mode: one command starts broker, mocks, gateway and indexer, keeps them up, stops them losslessly.

Each part runs in its own session, so a Ctrl+C at the terminal reaches only this process, which then
stops the parts in the one order that loses no exchange record: the gateway first (it drains memory
into the broker, or the spool), the indexer next (it consumes what the broker holds before it exits),
then the mocks, and the broker last (the embedded one keeps records in memory only). A part that
crashes meanwhile is started again after a growing pause, with one line saying so.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import httpx

from ndxp_sim.core import identities
from ndxp_sim.core.settings import Settings

if TYPE_CHECKING:
    from ndxp_sim.gateway.logpipe.broker import EmbeddedBroker

_START_TIMEOUT_S = 120.0
# How long each part may take to stop on SIGTERM before it is killed: the gateway drains its memory
# (sink stop timeout 15 s), the indexer consumes what the broker still holds.
_STOP_TIMEOUT_S = {"gateway": 40.0, "indexer": 40.0, "mocks": 15.0}
_STOP_ORDER = ("gateway", "indexer", "mocks")
_BACKOFF_FIRST_S = 1.0
_BACKOFF_MAX_S = 30.0
_STABLE_S = 60.0  # a part that ran this long before it crashed starts again after the first pause
_TICK_S = 0.3


@dataclass
class _Restarts:
    """When a crashed part may start again: pauses of 1, 2, 4 … 30 s while it keeps crashing."""

    pause_s: float = _BACKOFF_FIRST_S
    started_at: float = 0.0
    due_at: float | None = None

    def crashed(self, now: float) -> float:
        if now - self.started_at >= _STABLE_S:
            self.pause_s = _BACKOFF_FIRST_S
        pause, self.pause_s = self.pause_s, min(self.pause_s * 2, _BACKOFF_MAX_S)
        self.due_at = now + pause
        return pause

    def due(self, now: float) -> bool:
        return self.due_at is not None and now >= self.due_at

    def started(self, now: float) -> None:
        self.started_at, self.due_at = now, None


@dataclass
class _Child:
    name: str
    args: list[str]
    health_url: str | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    restarts: _Restarts = field(default_factory=_Restarts)
    held: bool = False  # stopped on purpose (the indexer while its broker is down): not a crash

    def start(self, env: dict[str, str]) -> None:
        # Its own session: the terminal's Ctrl+C must not stop it behind our back (see the module doc).
        self.process = subprocess.Popen(self.args, env=env, start_new_session=True)
        self.restarts.started(time.monotonic())

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=_STOP_TIMEOUT_S.get(self.name, 15.0))
        except subprocess.TimeoutExpired:
            print(f"ndxp-sim: {self.name} did not stop in time; killing it", file=sys.stderr, flush=True)
            self.process.kill()
            self.process.wait()


def busy_port(settings: Settings, *, embedded_broker: bool) -> str | None:
    """The first port `up` needs that it cannot bind, said with the setting that moves it; else None."""
    wanted = [
        (settings.host, settings.port, "NDXP_PORT or --port"),
        (settings.mocks.host, settings.mocks.port, "NDXP_MOCKS__PORT"),
    ]
    if embedded_broker:
        setting = "NDXP_KAFKA__EMBEDDED_PORT (or NDXP_KAFKA__BOOTSTRAP_SERVERS to use a running Kafka)"
        wanted.append(("127.0.0.1", settings.kafka.embedded_port, setting))
    seen: dict[int, str] = {}
    for host, port, setting in wanted:
        if port and port in seen:
            return f"port {port} is wanted twice ({seen[port]} and {setting}): set one of them"
        seen[port] = setting
        if not _can_bind(host, port):
            return f"port {port} is in use: set {setting}"
    return None


def _can_bind(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As the servers themselves do: a port whose last connections linger in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


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

A part that crashes is started again. Press Ctrl+C to stop.
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


def _supervise(children: list[_Child], env: dict[str, str]) -> None:
    """One tick: notice crashed parts, start those whose pause is over."""
    now = time.monotonic()
    for child in children:
        if child.held:
            continue
        if child.restarts.due(now):
            child.start(env)
        elif child.restarts.due_at is None and not child.running:
            assert child.process is not None
            pause = child.restarts.crashed(now)
            print(
                f"ndxp-sim: {child.name} exited (code {child.process.returncode}); "
                f"starting it again in {pause:g} s",
                file=sys.stderr,
                flush=True,
            )


def _supervise_broker(broker: EmbeddedBroker, restarts: _Restarts) -> Literal["crashed", "restarted"] | None:
    """One tick for the embedded broker: what happened to it in this tick, if anything."""
    from ndxp_sim.gateway.logpipe.broker import BrokerUnavailableError

    now = time.monotonic()
    if restarts.due(now):
        try:
            broker.start_sync()
            restarts.started(now)
            return "restarted"
        except BrokerUnavailableError as exc:
            pause = restarts.crashed(now)
            print(f"ndxp-sim: broker: {exc}; trying again in {pause:g} s", file=sys.stderr, flush=True)
    elif restarts.due_at is None and not broker.running:
        broker.stop_sync()  # reap it and close its log
        pause = restarts.crashed(now)
        print(
            f"ndxp-sim: the broker exited (what it held in memory is gone; the gateway spools meanwhile); "
            f"starting it again in {pause:g} s",
            file=sys.stderr,
            flush=True,
        )
        return "crashed"
    return None


def _hold_indexer(children: list[_Child]) -> None:
    """Stop the indexer while its broker is down. Left running, it would rejoin its consumer group on the
    restarted broker at its old, higher offsets; and a second member that is gone without leaving keeps the
    next indexer waiting for the group for minutes."""
    for child in children:
        if child.name == "indexer":
            child.held = True
            child.stop()


def _release_indexer(children: list[_Child], env: dict[str, str], bootstrap: str, topic: str) -> None:
    """The restarted broker's topic is empty and may not exist yet: make it, then start a fresh indexer that
    reads it from the start (the store ignores any record it already holds)."""
    import asyncio

    from ndxp_sim.gateway.logpipe.sink import ensure_topic

    try:
        asyncio.run(ensure_topic(bootstrap, topic))
    except Exception as exc:  # the gateway makes it too when it reconnects; the indexer waits for it
        print(f"ndxp-sim: could not create topic {topic} on the new broker: {exc}", file=sys.stderr)
    for child in children:
        if child.name == "indexer" and child.held:
            child.held = False
            child.start(env)
            print("ndxp-sim: the indexer reads the new broker's topic", file=sys.stderr, flush=True)


def _stop(children: list[_Child], broker: EmbeddedBroker | None) -> None:
    by_name = {child.name: child for child in children}
    for name in _STOP_ORDER:
        if name in by_name:
            by_name[name].stop()
    if broker is not None:
        broker.stop_sync()


def _relay_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host
    return f"http://{host}:{settings.port}"


def run_embedded(settings: Settings, *, workers: int = 1, indexer: bool = True) -> int:
    """Run until SIGINT/SIGTERM; returns the exit code (2: a port is taken)."""
    from ndxp_sim.gateway.logpipe.broker import BrokerUnavailableError, EmbeddedBroker

    bootstrap = settings.kafka.bootstrap_servers
    busy = busy_port(settings, embedded_broker=not bootstrap)
    if busy:
        print(f"ndxp-sim: {busy}", file=sys.stderr)
        return 2
    broker: EmbeddedBroker | None = None
    if not bootstrap:
        broker = EmbeddedBroker(port=settings.kafka.embedded_port)
        try:
            broker.start_sync()
        except BrokerUnavailableError as exc:
            print(f"ndxp-sim: {exc}", file=sys.stderr)
            return 1
        bootstrap = broker.bootstrap_servers
    env = {
        **os.environ,
        "NDXP_KAFKA__BOOTSTRAP_SERVERS": bootstrap,
        "NDXP_PORT": str(settings.port),
        # The mocks' callbacks pass through the gateway, which checks, forwards and records each one.
        "NDXP_MOCKS__CALLBACK_RELAY_URL": _relay_url(settings),
    }
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
    broker_restarts = _Restarts(started_at=time.monotonic())
    try:
        for child in children:
            child.start(env)
        _wait_healthy(children)
        print(_banner(settings, bootstrap, indexer), flush=True)
        while not stop_requested:
            _supervise(children, env)
            if broker is not None:
                event = _supervise_broker(broker, broker_restarts)
                if event == "crashed":
                    _hold_indexer(children)
                elif event == "restarted":
                    _release_indexer(children, env, bootstrap, settings.kafka.topic)
            time.sleep(_TICK_S)
        print("ndxp-sim: stopping (gateway, indexer, mocks, then the broker)…", flush=True)
        return 0
    except RuntimeError as exc:
        print(f"ndxp-sim: {exc}", file=sys.stderr)
        return 1
    finally:
        _stop(children, broker)
        print("ndxp-sim stopped.", flush=True)
