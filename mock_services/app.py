"""The mock backends' FastAPI app: one router per service under /{service_key}, admin API, health."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ndxp_sim.core.catalogue import services
from ndxp_sim.mock_services import responses
from ndxp_sim.mock_services.admin import create_admin_router
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.faults import ScenarioMiddleware, traits_lookup
from ndxp_sim.mock_services.registry import MOCKS

if TYPE_CHECKING:
    from ndxp_sim.core.settings import Settings
    from ndxp_sim.mock_services.population import Population


def create_mock_app(settings: Settings, *, population: Population | None = None) -> FastAPI:
    """All mock backends in one app; `population` defaults to the one `settings.mocks` describes."""
    if population is None:
        from ndxp_sim.mock_services.population import load_population

        mocks = settings.mocks
        population = load_population(mocks.seed, mocks.population, mocks.cache_dir)
    ctx = MockContext(settings, population)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        ctx.restore()
        yield
        await ctx.aclose()

    app = FastAPI(title="ndxp-sim mock backends", lifespan=lifespan, docs_url="/_admin/docs", redoc_url=None)
    app.state.mocks = ctx
    _install_error_handlers(app)
    app.include_router(create_admin_router(ctx))
    for key in MOCKS:
        app.add_api_route(f"/{key}/health", _service_health, methods=["GET"], tags=["admin"])
    for key, mock in MOCKS.items():
        app.include_router(mock.create_router(ctx), prefix=f"/{key}", tags=[key])

    @app.get("/health", tags=["admin"])
    async def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "pid": os.getpid(),  # `ndxp-sim up` restarts a crashed mock process: this tells them apart
            "population": len(ctx.population.citizens),
            "services": {key: "implemented" if key in MOCKS else "not_implemented" for key in services()},
        }

    declared = {key: mock.traits for key, mock in MOCKS.items()}
    app.add_middleware(
        ScenarioMiddleware, traits=traits_lookup(declared, set(services())), profiles=ctx.faults
    )
    return app


async def _service_health() -> dict[str, str]:
    """What the gateway's readiness check of one backend expects (GET {base_url}/health → 200)."""
    return {"status": "ok"}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        code = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
        return responses.to_response(responses.rest_error(exc.status_code, code, str(exc.detail)))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> Response:
        detail = [{"loc": list(err["loc"]), "msg": err["msg"]} for err in exc.errors()]
        return responses.to_response(responses.rest_error(422, "validation_error", "invalid request", detail))
