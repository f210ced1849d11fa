"""The benchmark harness in smoke mode: it must keep working, on a machine without wrk, hey or nginx."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


def test_smoke_run_measures_every_path_and_loses_no_record(tmp_path: Path) -> None:
    out = tmp_path / "smoke.json"
    run = subprocess.run(
        [
            sys.executable,
            str(REPO / "bench" / "run.py"),
            "--smoke",
            "--loadgen",
            "builtin",
            "--out",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "Throughput" in run.stdout and "Exchange records" in run.stdout

    results = json.loads(out.read_text())
    assert results["complete"] is True
    measured = {
        (name, label): load["throughput"]
        for name, scenario in results["scenarios"].items()
        for label, load in scenario["loads"].items()
    }
    assert set(measured) == {("direct", "rest"), ("bare1", "rest"), ("gw1", "rest"), ("gw1", "soap")}
    for key, throughput in measured.items():
        assert throughput["rps"] > 0, key
        assert throughput["non_2xx"] == 0 and throughput["errors"] == 0, key
    for name in ("bare1", "gw1"):
        delivery = results["scenarios"][name]["delivery"]
        assert delivery["served"] > 0, name
        assert delivery["lost"] == 0 and delivery["duplicates"] == 0, (name, delivery)
        assert delivery["records"] == delivery["served"], (name, delivery)

    # The same gateway serving 3 services instead of 24, in alternating runs (issue 11: the number of
    # services must not show in the cost); the harness checked that each serves what it says.
    services = results["services"]
    for count in ("24", "3"):
        assert services[count]["rps"] > 0, count
        assert services[count]["non_2xx"] == 0 and services[count]["errors"] == 0, count
        delivery = services[count]["delivery"]
        assert delivery["served"] > 0 and delivery["records"] == delivery["served"], (count, delivery)
        assert delivery["lost"] == 0 and delivery["duplicates"] == 0, (count, delivery)
    assert services["cpu_ratio"] > 0 and len(services["cpu_ratio_pairs"]) == 2
    assert "Services' count" in run.stdout
