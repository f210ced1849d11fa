"""ASGI factory of the mock server for uvicorn: settings come from the environment and the config file."""

from __future__ import annotations

from typing import Any


def mock_app() -> Any:
    from ndxp_sim.core.settings import Settings
    from ndxp_sim.mock_services.app import create_mock_app

    return create_mock_app(Settings())
