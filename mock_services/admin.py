"""Admin API of the mock process: fault profiles, reset, dossier clock, callbacks, access log."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from ndxp_sim.core.catalogue import services
from ndxp_sim.mock_services.context import MockContext
from ndxp_sim.mock_services.faults import FaultProfile

if TYPE_CHECKING:
    from ndxp_sim.core.settings import Settings


class ClockStep(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step_s: float = Field(..., gt=0, le=3600)


ADMIN_TOKEN_HEADER = "Authorization"


def admin_headers(settings: Settings) -> dict[str, str]:
    """What a client of the mocks' /_admin API (our CLI, tests) sends to be let in."""
    return {ADMIN_TOKEN_HEADER: f"Bearer {settings.mocks.admin_token.get_secret_value()}"}


def create_admin_router(ctx: MockContext) -> APIRouter:
    """Every route needs `Authorization: Bearer <settings.mocks.admin_token>`: reset wipes every dossier."""
    expected = ctx.settings.mocks.admin_token.get_secret_value().encode()

    async def require_admin(request: Request) -> None:
        scheme, _, token = request.headers.get(ADMIN_TOKEN_HEADER, "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected):
            raise HTTPException(
                401,
                "admin token required (Authorization: Bearer <mocks.admin_token>)",
                headers={"WWW-Authenticate": "Bearer"},
            )

    router = APIRouter(prefix="/_admin", tags=["admin"], dependencies=[Depends(require_admin)])

    def known(service: str) -> str:
        if service not in services():
            raise HTTPException(404, f"unknown service {service!r}")
        return service

    @router.put("/faults/{service}")
    async def put_fault(service: str, profile: FaultProfile) -> dict[str, object]:
        ctx.faults.put(known(service), profile)
        return profile.model_dump(exclude_none=True)

    @router.get("/faults")
    async def list_faults() -> dict[str, dict[str, object]]:
        return ctx.faults.snapshot()

    @router.delete("/faults/{service}", status_code=204)
    async def delete_fault(service: str) -> Response:
        ctx.faults.delete(known(service))
        return Response(status_code=204)

    @router.post("/reset")
    async def reset() -> dict[str, bool]:
        await ctx.reset()
        return {"reset": True}

    @router.get("/clock")
    async def get_clock() -> ClockStep:
        return ClockStep(step_s=ctx.clock.step_s)

    @router.post("/clock")
    async def set_clock(step: ClockStep) -> ClockStep:
        ctx.clock.set_step(step.step_s)
        return step

    @router.get("/callbacks")
    async def callbacks(
        status: Literal["pending", "delivered", "dead"] | None = None,
    ) -> dict[str, list[dict[str, object]]]:
        return ctx.callbacks.listing(status)

    @router.post("/callbacks/{delivery_id}/redeliver")
    async def redeliver(delivery_id: str) -> dict[str, object]:
        try:
            return ctx.callbacks.redeliver(delivery_id).as_json()
        except KeyError:
            raise HTTPException(404, f"no dead letter {delivery_id!r}") from None

    @router.get("/access-log")
    async def access_log(limit: int = Query(100, ge=1, le=1000)) -> dict[str, list[dict[str, object]]]:
        newest_first = list(reversed(ctx.access_log))
        return {"items": newest_first[:limit]}

    return router
