"""The gateway exactly as `ndxp-sim gateway` serves it, plus its log counters written out at shutdown.

Each worker writes `sink.stats()` to BENCH_STATS_DIR once its log pipeline has drained, so the
benchmark knows how many exchanges the gateway served, across workers, to compare with the topic.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType
from typing import Any

import orjson

from ndxp_sim.gateway import runtime
from ndxp_sim.gateway.main import gateway_app

# The three services the gateway first served (#1 REST, #2 SOAP, #11 dossiers with callbacks).
FIRST_SERVICES = ("csdl_dkdn", "csdl_dan_cu", "ho_tich")


def app() -> Any:
    """uvicorn factory: `uvicorn bench.gateway_app:app --factory`."""
    inner = gateway_app()
    stats_dir = os.environ.get("BENCH_STATS_DIR")
    if not stats_dir:
        return inner

    async def counted(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await inner(scope, receive, send)
            return

        async def send_after_drain(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.shutdown.complete":  # the sink has stopped: stats are final
                path = Path(stats_dir) / f"gateway-{os.getpid()}.json"
                path.write_bytes(orjson.dumps(inner.runtime.sink.stats()))
            await send(message)

        await inner(scope, receive, send_after_drain)

    return counted


def app_first_services() -> Any:
    """uvicorn factory: the same gateway serving only FIRST_SERVICES. Beside `app` (all 24) in one run, it
    shows whether the number of services shows in the cost of a request (issue 11: it must not)."""
    every = runtime.load_adapters()
    first = MappingProxyType({key: every[key] for key in FIRST_SERVICES})
    setattr(runtime, "load_adapters", lambda: first)  # noqa: B010 - the bench replaces the registry
    return app()
