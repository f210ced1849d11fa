"""docker-compose.yml cannot run here (no Docker engine); check it refers to real commands and settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.main import get_command

from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # type: ignore[no-any-return]


def _ndxp_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: svc for name, svc in compose["services"].items() if "build" in svc}


def test_compose_has_kafka_kraft_postgres_and_the_three_parts(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"kafka", "postgres", "redis", "gateway", "indexer", "mocks"} <= set(services)
    assert "broker,controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    assert all("healthcheck" in services[name] for name in ("kafka", "postgres", "redis", "gateway", "mocks"))
    assert "redis" in services["gateway"]["depends_on"]


def test_every_command_is_a_real_cli_command_with_real_options(compose: dict[str, Any]) -> None:
    cli = get_command(app)
    for name, service in _ndxp_services(compose).items():
        subcommand, *args = service["command"]
        command = cli.commands.get(subcommand)  # type: ignore[attr-defined]
        assert command is not None, f"{name}: ndxp-sim has no command {subcommand!r}"
        options = {opt for param in command.params for opt in param.opts}
        for arg in args:
            if arg.startswith("--"):
                assert arg in options, f"{name}: {subcommand} has no option {arg}"


def test_environment_names_and_values_are_valid_settings(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for service in _ndxp_services(compose).values():
        for key, value in service["environment"].items():
            assert key.startswith("NDXP_")
            monkeypatch.setenv(key, str(value))
        settings = Settings()  # raises on an unknown or invalid setting (extra="forbid")
        assert settings.kafka.bootstrap_servers == "kafka:9092"
        assert settings.mock_base_url == "http://mocks:9100"
        assert settings.store.url.startswith("postgresql+asyncpg://")
        # the gateway runs 2 workers: their quota count is shared through the compose file's Redis
        assert settings.quota.backend == "redis"
        assert settings.quota.redis_url == "redis://redis:6379/0"


def test_published_ports_match_the_commands(compose: dict[str, Any]) -> None:
    for name in ("gateway", "mocks"):
        service = compose["services"][name]
        port = service["command"][service["command"].index("--port") + 1]
        assert service["ports"] == [f"{port}:{port}"]
    assert "8080" in compose["services"]["gateway"]["healthcheck"]["test"][-1]
