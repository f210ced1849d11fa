"""`ndxp-sim up` as a supervisor: ports checked first, crashed parts started again, a lossless Ctrl+C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ndxp_sim.core import identities
from tests.e2e.conftest import ROOT, Simulator, start_simulator
from tests.e2e.test_exchange_log import _wait_indexed
from tests.e2e.traffic import Traffic

pytestmark = pytest.mark.e2e


def test_ctrl_c_under_load_loses_no_record(tmp_path: Path) -> None:
    """`up` runs under steady traffic and gets Ctrl+C (SIGINT to its process group, as a terminal
    sends it); then `up` starts again on the same store and spool → it exits 0, and every call
    answered before the stop has its exchange record in the store (the gateway drained into the broker
    or the spool, the indexer consumed the broker before it stopped, the broker stopped last)."""
    first = start_simulator(tmp_path)
    try:
        with Traffic(first.base_url) as traffic:
            time.sleep(2.0)
            os.killpg(first.process.pid, signal.SIGINT)
            assert first.process.wait(timeout=90) == 0, first.log()
        answered = traffic.answered
        assert len(answered) > 50 and "ndxp-sim stopped." in first.log()
    finally:
        first.stop()
    second = start_simulator(tmp_path)
    try:
        indexed = _wait_indexed(second.base_url, answered, timeout_s=40)
        missing = set(answered) - set(indexed)
        assert not missing, f"{len(missing)} of {len(answered)} records lost"
    finally:
        second.stop()


def _mock_pid(simulator: Simulator) -> int:
    return int(httpx.get(f"{simulator.mock_url}/health", timeout=5).json()["pid"])


def test_a_killed_mock_process_is_started_again(simulator: Simulator) -> None:
    """The mock process dies (SIGKILL by its pid) under `up` → `up` says so in one line,
    starts it again within seconds, and calls through the gateway succeed again; `up` keeps running."""
    victim = _mock_pid(simulator)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while True:
        try:
            if _mock_pid(simulator) != victim:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, simulator.log()
        time.sleep(0.2)
    token = httpx.post(
        f"{simulator.base_url}/token",
        data={"grant_type": "client_credentials"},
        auth=("000.00.00.H91", "demo-secret-H91"),
    ).json()["access_token"]
    response = httpx.get(
        f"{simulator.base_url}/apiCSDLDKDN/1.0/chiTietDoanhNghiep",
        params={"msdn": identities.ENTERPRISE_ACTIVE},
        headers={"authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert simulator.process.poll() is None
    lines = [line for line in simulator.log().splitlines() if "mocks exited" in line]
    assert lines == ["ndxp-sim: mocks exited (code -9); starting it again in 1 s"]


@pytest.mark.parametrize(
    ("variable", "setting"),
    [("NDXP_PORT", "NDXP_PORT or --port"), ("NDXP_MOCKS__PORT", "NDXP_MOCKS__PORT")],
)
def test_a_busy_port_is_named_with_its_setting_before_anything_starts(
    tmp_path: Path, variable: str, setting: str
) -> None:
    """A port `up` needs is held by another program (another ndxp-sim, say) → exit code 2
    within seconds, one line naming the port and the setting that moves it, no banner."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = {
            **os.environ,
            "NDXP_PORT": "0",
            "NDXP_MOCKS__PORT": "0",
            "NDXP_KAFKA__EMBEDDED_PORT": "0",
            "NDXP_LOG__SPOOL_DIR": str(tmp_path / "spool"),
            "NDXP_STORE__URL": f"sqlite+aiosqlite:///{tmp_path / 'exchanges.db'}",
            variable: str(port),
        }
        env.pop("NDXP_KAFKA__BOOTSTRAP_SERVERS", None)
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "ndxp_sim.gateway", "up"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2, result.stdout + result.stderr
    assert time.monotonic() - started < 20
    assert f"port {port} is in use: set {setting}" in result.stderr
    assert "ndxp-sim is up" not in result.stdout


def _children(pid: int) -> dict[int, str]:
    """Direct children of `pid` (from /proc): their pid and command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found[int(entry.name)] = command
    return found


def test_a_killed_embedded_broker_is_started_again(simulator: Simulator) -> None:
    """The embedded broker dies (SIGKILL by its pid) under `up` → `up` says so in one line
    and starts it again on the same port; `up` keeps running, the gateway keeps answering calls and
    reports ready, and the calls answered after the restart are indexed into the store. (What the dead
    broker held in memory is gone.)"""
    broker = next(pid for pid, command in _children(simulator.process.pid).items() if "tansu" in command)
    os.kill(broker, signal.SIGKILL)
    port = int(simulator.env["NDXP_KAFKA__EMBEDDED_PORT"])
    deadline = time.monotonic() + 60
    while "the broker exited" not in simulator.log() or not _listening(port):
        assert time.monotonic() < deadline, simulator.log()
        time.sleep(0.3)
    restarted = next(pid for pid, command in _children(simulator.process.pid).items() if "tansu" in command)
    assert restarted != broker
    with Traffic(simulator.base_url) as traffic:
        while len(traffic.answered) < 5:
            time.sleep(0.05)
    deadline = time.monotonic() + 30
    while _ready(simulator) != 200:
        assert time.monotonic() < deadline, simulator.log()
        time.sleep(0.3)
    assert simulator.process.poll() is None
    assert simulator.log().count("the broker exited") == 1
    indexed = _wait_indexed(simulator.base_url, traffic.answered, timeout_s=60)
    missing = set(traffic.answered) - set(indexed)
    assert not missing, f"{len(missing)} of {len(traffic.answered)} calls after the restart not indexed"


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _ready(simulator: Simulator) -> int:
    try:
        return httpx.get(f"{simulator.base_url}/health/ready", timeout=5).status_code
    except httpx.HTTPError:
        return 0
