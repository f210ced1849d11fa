"""The `ndxp-sim` command: config errors name the bad key; secrets hash; `up` explains failures."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ndxp_sim.gateway.auth import verify_secret
from ndxp_sim.gateway.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_a_bad_environment_value_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NDXP_SERVICES__CSDL_DAN_CU__TIMEOUT_S", "soon")
    result = runner.invoke(app, ["check-config"])
    assert result.exit_code == 2
    assert "services.csdl_dan_cu.timeout_s" in result.output


@pytest.mark.parametrize(
    ("yaml_text", "named"),
    [
        ("services:\n  csdl_khong_co: {timeout_s: 1}\n", "unknown service key(s): csdl_khong_co"),
        ("consumers:\n  - {id: X, secret_hash: h, tier: Platinum}\n", "consumers.X.tier"),
        ("kafka: {linger_ms: many}\n", "kafka.linger_ms"),
        ("services: [unclosed\n", "not valid YAML"),
    ],
)
def test_a_bad_config_file_names_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, yaml_text: str, named: str
) -> None:
    config = tmp_path / "ndxp.yaml"
    config.write_text(yaml_text)
    monkeypatch.setenv("NDXP_CONFIG_FILE", str(config))
    result = runner.invoke(app, ["check-config"])
    assert result.exit_code == 2
    assert named in result.output


def test_the_shipped_config_is_valid() -> None:
    result = runner.invoke(app, ["check-config"])
    assert result.exit_code == 0 and "000.00.00.H91" in result.output


def test_hash_secret_prints_a_hash_the_gateway_accepts() -> None:
    result = runner.invoke(app, ["hash-secret", "a-fake-secret"])
    assert result.exit_code == 0
    assert verify_secret("a-fake-secret", result.output.strip())
    assert not verify_secret("another", result.output.strip())


def test_up_says_plainly_when_the_broker_cannot_start(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("NDXP_")},
            "NDXP_KAFKA__EMBEDDED_PORT": str(port),
            "NDXP_PORT": "0",  # whatever runs on this machine's default ports
            "NDXP_MOCKS__PORT": "0",
            "NDXP_LOG__SPOOL_DIR": str(tmp_path / "spool"),
        }
        result = subprocess.run(
            [sys.executable, "-m", "ndxp_sim.gateway", "up"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2  # a taken port is named before anything starts
    assert f"port {port} is in use: set NDXP_KAFKA__EMBEDDED_PORT" in result.stderr
    assert "NDXP_KAFKA__BOOTSTRAP_SERVERS" in result.stderr


def test_a_tier_can_be_set_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NDXP_TIERS__GOLD", "0")
    result = runner.invoke(app, ["check-config"])
    assert result.exit_code == 0, result.output
