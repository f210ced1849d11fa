"""The operator console under /console: overview, search, exchange detail, trace, live view and export."""

from ndxp_sim.gateway.console.app import console_app

__all__ = ["console_app"]
