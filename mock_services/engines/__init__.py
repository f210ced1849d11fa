"""Pattern engines: a mock service declares lookups, searches, catalogues, pushes, broadcasts; they serve."""

from __future__ import annotations

from typing import Protocol

from fastapi import APIRouter

from ndxp_sim.mock_services.engines.broadcast import Broadcast, Upload
from ndxp_sim.mock_services.engines.catalogue import Catalogue, Revision, published
from ndxp_sim.mock_services.engines.host import EngineState, Host
from ndxp_sim.mock_services.engines.lookup import Lookup
from ndxp_sim.mock_services.engines.params import Param, ParamError
from ndxp_sim.mock_services.engines.push import Push
from ndxp_sim.mock_services.engines.search import Filter, Search


class Declaration(Protocol):
    def mount(self, router: APIRouter, host: Host, service: str) -> None: ...


def serve(host: Host, service: str, *declarations: Declaration, router: APIRouter | None = None) -> APIRouter:
    """The routes of every declaration, on `router` (a new one by default), for mounting under /{service}."""
    router = router or APIRouter()
    for declaration in declarations:
        declaration.mount(router, host, service)
    return router


__all__ = [
    "Broadcast",
    "Catalogue",
    "Declaration",
    "EngineState",
    "Filter",
    "Host",
    "Lookup",
    "Param",
    "ParamError",
    "Push",
    "Revision",
    "Search",
    "Upload",
    "published",
    "serve",
]
