"""A minimal gateway for testing the ops API and the CLI: /token, the GatewayError handler, /_ops."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import Response

from ndxp_sim.core.errors import ERROR_HEADER, GatewayError, UnauthorizedError
from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.auth import TokenService, parse_basic
from ndxp_sim.gateway.ops_api import ops_router
from ndxp_sim.gateway.store import Store


def build_app(settings: Settings, store: Callable[[], Store], *, own_store: Store | None = None) -> FastAPI:
    """The test gateway; with `own_store`, the app starts and stops that store itself."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if own_store is not None:
            await own_store.start()
        yield
        if own_store is not None:
            await own_store.stop()

    app = FastAPI(lifespan=lifespan)
    tokens = TokenService(settings)

    @app.exception_handler(GatewayError)
    async def render(_: Request, exc: GatewayError) -> Response:
        headers = {**exc.headers, ERROR_HEADER: exc.type}
        body = exc.body(str(uuid.uuid4()))
        return Response(body, exc.status_code, headers, media_type="application/json")

    @app.post("/token")
    async def token(request: Request) -> dict[str, object]:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        credentials = parse_basic(request.headers.get("authorization"))
        client_id, secret = credentials or (form.get("client_id", ""), form.get("client_secret", ""))
        if form.get("grant_type") != "client_credentials":
            raise UnauthorizedError("unsupported grant_type")
        return tokens.issue(await tokens.authenticate(client_id, secret))

    app.include_router(ops_router(store, tokens))
    return app
