"""The test suite is hermetic: the caller's NDXP_* variables reach neither the tests nor their processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ndxp_sim.core.settings import FAKE_JWT_SECRET, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_callers_ndxp_variables_are_not_seen() -> None:
    """Inside a test: os.environ, Settings() and a child process started with os.environ → no NDXP_* variable
    anywhere; settings are the shipped defaults."""
    assert not [name for name in os.environ if name.startswith("NDXP_")]
    settings = Settings()
    assert settings.port == 8080 and settings.jwt_secret.get_secret_value() == FAKE_JWT_SECRET
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(sorted(n for n in os.environ if n.startswith('NDXP_')))"],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert child.stdout.strip() == "[]"


def test_a_run_with_ndxp_variables_set_still_passes() -> None:
    """pytest run with NDXP_PORT=1, NDXP_JWT_SECRET=x and NDXP_TOKEN_TTL_S=5 in its environment → the test
    above and a token test that depends on the default expiry both pass."""
    env = {**os.environ, "NDXP_PORT": "1", "NDXP_JWT_SECRET": "x", "NDXP_TOKEN_TTL_S": "5"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{Path(__file__).relative_to(ROOT)}::test_the_callers_ndxp_variables_are_not_seen",
            "tests/gateway/test_token.py::test_basic_credentials_give_a_bearer_token_with_expiry",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout
