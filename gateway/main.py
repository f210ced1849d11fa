"""ASGI factories for uvicorn workers: settings come from the environment and the config file."""

from __future__ import annotations

from typing import Any


def gateway_app() -> Any:
    from gateway.app import create_app
    from gateway.settings import Settings

    return create_app(Settings(), tune_gc=True)


def mock_app() -> Any:
    from gateway.settings import Settings
    from mock_services.app import create_mock_app

    return create_mock_app(Settings())
