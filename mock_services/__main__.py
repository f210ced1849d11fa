"""`python -m ndxp_sim.mock_services`: the mock backends on their own (what `ndxp-sim mocks` runs)."""

import argparse

import uvicorn

from ndxp_sim.core.settings import Settings

settings = Settings()
parser = argparse.ArgumentParser(prog="python -m ndxp_sim.mock_services")
parser.add_argument("--host", default=settings.mocks.host)
parser.add_argument("--port", type=int, default=settings.mocks.port)
args = parser.parse_args()
uvicorn.run(
    "ndxp_sim.mock_services.main:mock_app",
    factory=True,
    host=args.host,
    port=args.port,
    log_level=settings.log_level,
    access_log=False,
)
