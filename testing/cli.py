"""The `ndxp-sim contract-test` command, plugged into the gateway's CLI through an entry point."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ndxp_sim.contracts import CONTRACTS_DIR
from ndxp_sim.testing.contract_results import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

# Kept light: the runner (Schemathesis, Hypothesis) is imported only when the command runs.


def contract_test(
    target: Annotated[str, typer.Option(help="base URL of the gateway (or, with --backend, of the mocks)")],
    service: Annotated[
        list[str] | None, typer.Option("--service", help="service key; repeat for several (default: all)")
    ] = None,
    client_id: Annotated[str, typer.Option(help="consumer id for the token")] = DEFAULT_CLIENT_ID,
    client_secret: Annotated[str, typer.Option(help="consumer secret for the token")] = DEFAULT_CLIENT_SECRET,
    token: Annotated[str | None, typer.Option(help="use this bearer token instead of fetching one")] = None,
    junit: Annotated[Path | None, typer.Option(help="write a JUnit XML report here")] = None,
    seed: Annotated[int | None, typer.Option(help="seed of the generated requests (repeat a run)")] = None,
    max_examples: Annotated[int, typer.Option(help="generated requests per operation and kind")] = 20,
    backend: Annotated[
        bool, typer.Option("--backend", help="test the mock backends against their own contracts")
    ] = False,
    contracts: Annotated[
        Path, typer.Option(help="folder of contract files (default: the ones shipped with ndxp-sim)")
    ] = CONTRACTS_DIR,
) -> None:
    """Play the contract's example cases and Schemathesis-generated requests against a target."""
    from ndxp_sim.testing.contract_test import Options, main

    options = Options(
        target=target,
        services=tuple(service or ()),
        client_id=client_id,
        client_secret=client_secret,
        token=token,
        junit=junit,
        seed=seed,
        max_examples=max_examples,
        backend=backend,
        contracts=contracts,
    )
    sys.exit(main(options))


def register(app: typer.Typer) -> None:
    """Entry point of the `ndxp_sim.commands` group: adds the command to `ndxp-sim`."""
    app.command("contract-test")(contract_test)
