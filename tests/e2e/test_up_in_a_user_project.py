"""`ndxp-sim up` started from a user's project that has its own top-level `gateway` package."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from ndxp_sim.gateway.logpipe.broker import free_port

pytestmark = pytest.mark.e2e


def test_up_runs_its_own_parts_not_the_projects_gateway(tmp_path: Path) -> None:
    decoy = tmp_path / "gateway"
    decoy.mkdir()
    (decoy / "__init__.py").write_text("")
    (decoy / "__main__.py").write_text("import sys\nsys.exit('the project gateway ran')\n")
    port, mock_port = free_port(), free_port()
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("NDXP_")},
        "NDXP_PORT": str(port),
        "NDXP_MOCKS__PORT": str(mock_port),
        "NDXP_KAFKA__EMBEDDED_PORT": str(free_port()),
        "NDXP_LOG__SPOOL_DIR": str(tmp_path / "spool"),
        "NDXP_STORE__URL": f"sqlite+aiosqlite:///{tmp_path / 'exchanges.db'}",
        "NDXP_MOCKS__CACHE_DIR": str(tmp_path / "cache"),
        "NDXP_MOCKS__STATE_FILE": str(tmp_path / "mock-state.db"),
        "NDXP_MOCKS__POPULATION": "1000",
    }
    output = tmp_path / "up.log"
    with output.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "ndxp_sim.gateway", "up", "--no-indexer"],
            cwd=tmp_path,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while "ndxp-sim is up" not in output.read_text():
            assert process.poll() is None and time.monotonic() < deadline, output.read_text()
            time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    assert "the project gateway ran" not in output.read_text()
