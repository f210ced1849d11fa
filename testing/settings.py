"""Settings for a simulator started by tests: explicit values over the YAML file, never the environment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_settings import BaseSettings, InitSettingsSource, PydanticBaseSettingsSource

from ndxp_sim.core.errors import describe_validation
from ndxp_sim.core.settings import Settings


class SimulatorStartError(RuntimeError):
    """The simulator could not start; the message says why (port in use, broker missing, timeout…)."""


class ExplicitSettings(Settings):
    """Settings from the values given and the YAML file only: the caller's NDXP_* variables are ignored,
    so a developer's shell (or CI job) configured for a real simulator cannot change what a test runs."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        nothing = InitSettingsSource(settings_cls, init_kwargs={})
        return super().settings_customise_sources(settings_cls, init_settings, nothing, nothing, nothing)


def simulator_values(state_dir: Path, overrides: dict[str, Any], *, exchange_log: bool) -> dict[str, Any]:
    """The caller's `overrides` over the test defaults; whether the exchange log runs is the runner's call."""
    return merged(merged(_defaults(state_dir), overrides), {"log": {"enabled": exchange_log}})


def _defaults(state_dir: Path) -> dict[str, Any]:
    """What a test simulator differs in from `ndxp-sim up`: free ports, state under `state_dir`,
    a smaller population, quick dossier steps and day-long tokens."""
    return {
        "host": "127.0.0.1",
        "port": 0,
        "token_ttl_s": 86_400,
        "log": {"spool_dir": state_dir / "spool"},
        "store": {"url": f"sqlite+aiosqlite:///{state_dir / 'exchanges.db'}"},
        "kafka": {"embedded_port": 0},
        "mocks": {
            "host": "127.0.0.1",
            "port": 0,
            "population": 2000,
            "cache_dir": state_dir / "cache",
            "state_file": None,
            "dossier_step_s": 0.5,
        },
    }


def merged(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """`overrides` over `base`, nested mappings merged key by key."""
    result = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def build_settings(values: dict[str, Any]) -> Settings:
    """ExplicitSettings from `values`, or SimulatorStartError naming the bad key."""
    try:
        return ExplicitSettings(**values)
    except ValidationError as exc:
        problems = describe_validation(exc.errors(), where="(top level)", limit=5)
        raise SimulatorStartError(f"invalid simulator settings (ndxp_sim_config): {problems}") from None
    except ValueError as exc:
        raise SimulatorStartError(f"invalid simulator settings (ndxp_sim_config): {exc}") from None


def write_config_file(settings: Settings, path: Path) -> Path:
    """Every value of `settings` as the YAML file a child process reads (secrets included: all fake)."""
    path.write_text(yaml.safe_dump(_plain(settings), allow_unicode=True, sort_keys=True), encoding="utf-8")
    return path


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return {
            name: _plain(getattr(value, name)) for name in type(value).model_fields if name != "config_file"
        }
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value
