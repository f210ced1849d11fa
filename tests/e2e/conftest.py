"""Runs `ndxp-sim up` as a real subprocess on free loopback ports, and stops it by PID afterwards."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    port, mock_port, kafka_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "NDXP_PORT": str(port),
        "NDXP_MOCKS__PORT": str(mock_port),
        "NDXP_KAFKA__EMBEDDED_PORT": str(kafka_port),
        "NDXP_LOG__SPOOL_DIR": str(tmp_path / "spool"),
        "NDXP_STORE__URL": f"sqlite+aiosqlite:///{tmp_path / 'exchanges.db'}",
        "NDXP_MOCKS__CACHE_DIR": str(tmp_path / "cache"),
        "NDXP_MOCKS__POPULATION": "2000",
        "NDXP_MOCKS__DOSSIER_STEP_S": "0.2",
        "NDXP_KAFKA__TOPIC": "e2e.exchanges",
        **dict(extra_env),
    }
    env.pop("NDXP_KAFKA__BOOTSTRAP_SERVERS", None)
    output = tmp_path / "up.log"
    with output.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "up"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    simulator = Simulator(process, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{mock_port}", env, output)
    deadline = time.monotonic() + 120
    while "ndxp-sim is up" not in simulator.log():
        if process.poll() is not None or time.monotonic() > deadline:
            simulator.stop()
            raise AssertionError(f"ndxp-sim up did not start:\n{simulator.log()}")
        time.sleep(0.2)
    return simulator


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[Simulator]:
    simulator = start_simulator(tmp_path)
    yield simulator
    simulator.stop()


@pytest.fixture
def client(simulator: Simulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=simulator.base_url, timeout=30) as client:
        yield client
