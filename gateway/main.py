"""ASGI factories for uvicorn workers: settings come from the environment and the config file."""

from __future__ import annotations

from typing import Any


def gateway_app() -> Any:
    from ndxp_sim.core.settings import Settings
    from ndxp_sim.gateway.app import create_app

    return create_app(Settings(), tune_gc=True)
