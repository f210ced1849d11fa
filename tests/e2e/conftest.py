"""Runs `ndxp-sim up` as a real subprocess on free loopback ports, and stops it by PID afterwards.

A port found free can be taken by someone else before the child binds it, so a child that could not
bind is started again on fresh ports (`_BIND_ATTEMPTS` times) instead of failing the test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ndxp_sim.gateway.logpipe.broker import BrokerUnavailableError, EmbeddedBroker
from tests.kafka_broker import start_broker
from tests.local_http import free_port

ROOT = Path(__file__).resolve().parents[2]
_BIND_ATTEMPTS = 3


def lost_its_port(log: str) -> bool:
    """True when a child's output says it could not bind (uvicorn, tansu, or `up`'s own port check)."""
    return "address already in use" in log.lower() or " is in use" in log


@dataclass
class Simulator:
    process: subprocess.Popen[str]
    base_url: str
    mock_url: str
    env: dict[str, str]
    output: Path

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def log(self) -> str:
        return self.output.read_text(errors="replace")


def start_simulator(tmp_path: Path, *extra_env: tuple[str, str]) -> Simulator:
    for attempt in range(1, _BIND_ATTEMPTS + 1):
        simulator = _start_simulator_once(tmp_path, *extra_env)
        if simulator.process.poll() is None:
            return simulator
        if not lost_its_port(simulator.log()) or attempt == _BIND_ATTEMPTS:
            raise AssertionError(f"ndxp-sim up did not start:\n{simulator.log()}")
    raise AssertionError("unreachable")


def _start_simulator_once(tmp_path: Path, *extra_env: tuple[str, str]) -> Simulator:
    """`up` on fresh ports, once it printed its banner; a process that exited is returned as it is."""
    port, mock_port, kafka_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "NDXP_PORT": str(port),
        "NDXP_MOCKS__PORT": str(mock_port),
        "NDXP_KAFKA__EMBEDDED_PORT": str(kafka_port),
        "NDXP_LOG__SPOOL_DIR": str(tmp_path / "spool"),
        "NDXP_STORE__URL": f"sqlite+aiosqlite:///{tmp_path / 'exchanges.db'}",
        "NDXP_MOCKS__CACHE_DIR": str(tmp_path / "cache"),
        "NDXP_MOCKS__STATE_FILE": str(tmp_path / "mock-state.db"),
        "NDXP_MOCKS__POPULATION": "2000",
        "NDXP_MOCKS__DOSSIER_STEP_S": "0.2",
        "NDXP_KAFKA__TOPIC": "e2e.exchanges",
        "NDXP_SECRETS_FILE": str(tmp_path / "secrets.yaml"),  # `up` generates it; never under var/
        **dict(extra_env),
    }
    env.pop("NDXP_KAFKA__BOOTSTRAP_SERVERS", None)
    output = tmp_path / "up.log"
    with output.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "ndxp_sim.gateway", "up"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # as at a terminal: a Ctrl+C (SIGINT to its group) reaches `up` alone
        )
    simulator = Simulator(process, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{mock_port}", env, output)
    deadline = time.monotonic() + 120
    while "ndxp-sim is up" not in simulator.log():
        if process.poll() is not None:
            return simulator
        if time.monotonic() > deadline:
            simulator.stop()
            raise AssertionError(f"ndxp-sim up did not start:\n{simulator.log()}")
        time.sleep(0.2)
    return simulator


class Processes:
    """Parts of the simulator started one by one (to kill or restart one), each stopped by its PID."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.port, self.mock_port, self.kafka_port = free_port(), free_port(), free_port()
        self.env = {
            **os.environ,
            "NDXP_PORT": str(self.port),
            "NDXP_MOCKS__PORT": str(self.mock_port),
            "NDXP_KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{self.kafka_port}",
            "NDXP_LOG__SPOOL_DIR": str(tmp_path / "spool"),
            "NDXP_STORE__URL": f"sqlite+aiosqlite:///{tmp_path / 'exchanges.db'}",
            "NDXP_MOCKS__CACHE_DIR": str(tmp_path / "cache"),
            "NDXP_MOCKS__STATE_FILE": str(tmp_path / "mock-state.db"),
            "NDXP_MOCKS__POPULATION": "1000",
            "NDXP_KAFKA__TOPIC": "e2e.exchanges",
        }
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *args: str, health: str | None = None) -> subprocess.Popen[bytes]:
        """Start a part and wait for its `health` path (mocks and gateway); the mocks or the gateway losing
        their port before they bound it get a fresh one (the parts started later read it from `env`)."""
        for attempt in range(1, _BIND_ATTEMPTS + 1):
            process = self._start_once(name, *args, health=health)
            if process.poll() is None or attempt == _BIND_ATTEMPTS or not lost_its_port(self.log(name)):
                break
            self._move(name)
        assert process.poll() is None, f"{name} exited:\n{self.log(name)}"
        return process

    def _move(self, name: str) -> None:
        if name == "mocks":
            self.mock_port = free_port()
            self.env["NDXP_MOCKS__PORT"] = str(self.mock_port)
        elif name == "gateway":
            self.port = free_port()
            self.env["NDXP_PORT"] = str(self.port)
            self.base_url = f"http://127.0.0.1:{self.port}"

    def broker(self) -> EmbeddedBroker:
        """The broker on `kafka_port`; a fresh port if that one was taken and nothing uses it yet."""
        for attempt in range(1, _BIND_ATTEMPTS + 1):
            try:
                return start_broker(self.kafka_port)
            except BrokerUnavailableError as exc:
                if self.running or attempt == _BIND_ATTEMPTS or "in use" not in str(exc):
                    raise
            self.kafka_port = free_port()
            self.env["NDXP_KAFKA__BOOTSTRAP_SERVERS"] = f"127.0.0.1:{self.kafka_port}"
        raise AssertionError("unreachable")

    def _start_once(self, name: str, *args: str, health: str | None) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "ndxp_sim.gateway", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.running[name] = process
        if health:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(self._url(name, health), timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None:
                    self.running.pop(name)
                    break
                assert time.monotonic() < deadline, f"{name} not healthy:\n{self.log(name)}"
                time.sleep(0.2)
        return process

    def _url(self, name: str, path: str) -> str:
        if path.startswith("http"):  # a part on ports of its own (a second gateway replica)
            return path
        port = self.mock_port if name == "mocks" else self.port
        return f"http://127.0.0.1:{port}{path}"

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text(errors="replace")

    def stop(self, name: str, sig: int = signal.SIGTERM) -> int:
        process = self.running.pop(name)
        if process.poll() is None:
            process.send_signal(sig)
        try:
            return process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    parts = Processes(tmp_path)
    yield parts
    parts.stop_all()


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[Simulator]:
    simulator = start_simulator(tmp_path)
    yield simulator
    simulator.stop()


@pytest.fixture
def client(simulator: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=simulator.base_url, timeout=30) as client:
        yield client
