"""`python -m ndxp_sim.gateway` is the `ndxp-sim` command."""

from ndxp_sim.gateway.cli import main

main()
