"""Our CI's contract check: run_contract_test.sh against a running simulator writes a passing JUnit report."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from ndxp_sim.testing import Simulator

SCRIPT = Path(__file__).resolve().parents[1] / "run_contract_test.sh"


def test_contract_script_passes_and_writes_junit(ndxp_sim: Simulator, tmp_path: Path) -> None:
    # The script calls `ndxp-sim` as a CI job would: from the environment's bin folder on PATH.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        ["bash", str(SCRIPT), ndxp_sim.gateway_url],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = ET.parse(tmp_path / "contract-report.xml").getroot()
    suites = [report] if report.tag == "testsuite" else list(report.iter("testsuite"))
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    assert tests > 0 and failed == 0
    names = {case.get("name", "") + " " + case.get("classname", "") for case in report.iter("testcase")}
    assert any("TraCuuThongTinCongDan" in name for name in names)
