"""The plugin's parts on their own: settings that ignore the environment, the config file children get,
and a server thread that says why it did not start."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ndxp_sim.core.settings import Settings
from ndxp_sim.testing.in_process import ServerThread, bind
from ndxp_sim.testing.processes import child_environment
from ndxp_sim.testing.settings import (
    ExplicitSettings,
    SimulatorStartError,
    build_settings,
    simulator_values,
    write_config_file,
)


def test_explicit_settings_ignore_ndxp_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NDXP_PORT", "1")
    monkeypatch.setenv("NDXP_SERVICES__CSDL_DAN_CU__TIMEOUT_S", "99")
    assert Settings().port == 1  # what the plugin must not do
    settings = ExplicitSettings(services={"csdl_dkdn": {"timeout_s": 3}})
    assert settings.port == 8080
    assert settings.service("csdl_dan_cu").timeout_s == 10  # from the shipped YAML file, not the variable
    assert settings.service("csdl_dkdn").timeout_s == 3
    assert settings.consumer("000.00.00.H91") is not None


def test_overrides_merge_into_the_defaults_and_the_runner_decides_the_log(tmp_path: Path) -> None:
    values = simulator_values(
        tmp_path, {"mocks": {"population": 500}, "log": {"enabled": True}}, exchange_log=False
    )
    settings = build_settings(values)
    assert settings.mocks.population == 500
    assert settings.mocks.cache_dir == tmp_path / "cache"  # the other mock defaults stay
    assert settings.log.enabled is False


def test_bad_overrides_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(SimulatorStartError, match=r"services\.csdl_dan_cu\.timeout_s"):
        build_settings(
            simulator_values(tmp_path, {"services": {"csdl_dan_cu": {"timeout_s": -1}}}, exchange_log=False)
        )


def test_a_child_process_reads_the_same_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    values = simulator_values(
        tmp_path, {"jwt_secret": "another-fake-secret", "port": 18123}, exchange_log=True
    )
    settings = build_settings(values)
    path = write_config_file(settings, tmp_path / "settings.yaml")
    monkeypatch.setenv("NDXP_PORT", "1")
    env = child_environment(path)
    assert [name for name in env if name.startswith("NDXP_")] == ["NDXP_CONFIG_FILE"]
    monkeypatch.setattr(os, "environ", env)
    child = Settings()  # what `python -m ndxp_sim.gateway …` builds from that environment
    assert child.model_dump(exclude={"config_file"}) == settings.model_dump(exclude={"config_file"})
    assert child.jwt_secret.get_secret_value() == "another-fake-secret"


def test_a_held_port_is_named() -> None:
    with bind("127.0.0.1", 0, "gateway") as held:
        port = held.getsockname()[1]
        with pytest.raises(SimulatorStartError, match=f"gateway port 127.0.0.1:{port} is already in use"):
            bind("127.0.0.1", port, "gateway")


async def _refuses_to_start(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "lifespan"
    await receive()
    await send({"type": "lifespan.startup.failed", "message": "exchange store is read-only"})


def test_a_server_that_fails_at_startup_says_why_and_stops() -> None:
    server = ServerThread("gateway", _refuses_to_start, bind("127.0.0.1", 0, "gateway"))
    with pytest.raises(SimulatorStartError, match="the gateway did not start: exchange store is read-only"):
        server.start(timeout_s=10)
    assert not server.thread.is_alive()
    assert server.sock.fileno() == -1
