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

    # Two phases drive two servers each in alternating runs: the gateway against the bare proxy, and the
    # gateway serving 24 services against the same gateway serving 3 (issue 11: the count must not show in
    # the cost); the harness checked that each of those serves what it says.
    for phase, labels in (("paired", ["gateway", "bare proxy"]), ("services", ["24 services", "3 services"])):
        alternated = results[phase]
        assert alternated["servers"] == labels
        for label in labels:
            assert alternated[label]["rps"] > 0, (phase, label)
            assert alternated[label]["non_2xx"] == 0 and alternated[label]["errors"] == 0, (phase, label)
            d = alternated[label]["delivery"]
            assert d["served"] > 0 and d["records"] == d["served"], (phase, label, d)
            assert d["lost"] == 0 and d["duplicates"] == 0, (phase, label, d)
        for measure in ("cpu", "rps"):
            assert alternated[f"{measure}_ratio"] > 0 and len(alternated[f"{measure}_ratio_pairs"]) == 2
    assert "Services' count, alternating runs" in run.stdout
    assert "Gateway and bare proxy, alternating runs" in run.stdout
