"""`python -m gateway` is the `ndxp-sim` command."""

from gateway.cli import main

main()
