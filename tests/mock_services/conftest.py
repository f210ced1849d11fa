"""Fixtures for the mock backends: a small population, the app in-process, real servers on free ports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from mock_helpers import free_port

from ndxp_sim.core.settings import Settings
from ndxp_sim.mock_services.admin import admin_headers
from ndxp_sim.mock_services.app import create_mock_app


@pytest.fixture(scope="session")
def population_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("population")


@pytest.fixture
def mock_settings(population_cache: Path, tmp_path: Path) -> Settings:
    return Settings(
        mocks={
            "population": 300,
            "cache_dir": population_cache,
            "state_file": tmp_path / "mock-state.db",
            "dossier_step_s": 0.02,
            "callback_retries": 2,
            "callback_backoff_s": 0.01,
        }
    )


@pytest.fixture
async def mock_app(mock_settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_mock_app(mock_settings)
    yield app
    await app.state.mocks.aclose()  # ASGITransport runs no lifespan


@pytest.fixture
async def client(mock_app: FastAPI, mock_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The mock app in-process; sends the admin token as our own tools do."""
    transport = httpx.ASGITransport(app=mock_app)
    headers = admin_headers(mock_settings)
    async with httpx.AsyncClient(transport=transport, base_url="http://mocks", headers=headers) as http:
        yield http


@pytest.fixture
async def live_server(mock_app: FastAPI) -> AsyncIterator[tuple[str, uvicorn.Server]]:
    """The mock app behind a real uvicorn socket (for timeouts and disconnects)."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(mock_app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.get_running_loop().create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}", server
    server.should_exit = True
    await asyncio.wait_for(task, 10)
