"""The soak command in a short run: it samples every process, prints its tables and loses no record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


def test_short_soak_samples_every_process_and_stores_every_record(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--minutes", "0.5", "--interval", "5", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Samples every 5 s" in run.stdout and "Trends" in run.stdout and "Verdict:" in run.stdout

    result = json.loads(out.read_text())
    samples = result["samples"]
    # One before the traffic, then one every 5 s while it runs: on a loaded machine a sample can take
    # longer than its interval, so at least the one before and two during the 30 s.
    assert len(samples) >= 3
    for role in ("up", "broker", "mocks", "gateway", "indexer"):
        assert samples[-1]["processes"][role]["rss_mb"] > 0, role
        assert samples[-1]["processes"][role]["fds"] > 0, role
    assert samples[-1]["tcp"] > 0  # the load's own connections to the gateway at least
    assert result["requests"] > 100 and result["client_errors"] == 0
    delivery = result["delivery"]
    assert delivery["produced"] == result["requests"]  # every call through the proxy makes one record
    assert delivery["stored"] == delivery["produced"] and delivery["lost"] == 0
    # 30 s is too short to call a trend either way; the command says so rather than guess
    assert result["verdict"].startswith("too short to judge")
    assert {t["metric"] for t in result["trends"]} == {"tcp", "backlog", "rss_mb", "fds", "sockets"}
