"""The `ndxp-sim` command: run the simulator, its parts, and the operator tools."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from ndxp_sim.core.errors import describe_validation
from ndxp_sim.core.install_secrets import DEFAULT_SECRETS_FILE, ensure_secrets_file
from ndxp_sim.core.settings import Settings

SECRETS_FILE_VARIABLE = "NDXP_SECRETS_FILE"
SHARED_QUOTA_VARIABLE = "NDXP_QUOTA__SHARED_FILE"
GUARDED_HTTP = "ndxp_sim.gateway.http_protocol:GuardedHttpToolsProtocol"

app = typer.Typer(help="ndxp-sim: a local LGSP/NDXP gateway simulator.", no_args_is_help=True)


def load_settings() -> Settings:
    """Settings, or a plain message naming the bad key and exit code 2."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = describe_validation(exc.errors(), where="(top level)", limit=20)
        typer.echo("configuration error:\n  " + problems.replace("; ", "\n  "), err=True)
        raise typer.Exit(2) from None
    except ValueError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from None


def _serve(factory: str, host: str, port: int, workers: int, log_level: str, max_connections: int) -> None:
    import uvicorn

    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http=GUARDED_HTTP,  # httptools with header size, header/body read time and connection limits
        limit_concurrency=max_connections,
        access_log=False,
        proxy_headers=False,  # nothing here uses forwarded client addresses; saves a middleware per request
        log_level=log_level,
        backlog=4096,
        timeout_graceful_shutdown=10,
    )


@app.command()
def gateway(
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    host: Annotated[str | None, typer.Option(help="listen address (default: settings)")] = None,
    port: Annotated[int | None, typer.Option(help="listen port (default: settings)")] = None,
) -> None:
    """Run the gateway alone (the broker, indexer and mocks run elsewhere)."""
    settings = load_settings()
    with _shared_quota(settings, workers):
        _serve(
            "ndxp_sim.gateway.main:gateway_app",
            host or settings.host,
            port or settings.port,
            workers,
            settings.log_level,
            settings.max_connections,
        )


@contextlib.contextmanager
def _shared_quota(settings: Settings, workers: int) -> Iterator[None]:
    """Several local workers count each consumer's quota in one SQLite file, made here for this run
    (the workers read it from the environment); Redis (quota.backend) shares it across replicas too."""
    quota = settings.quota
    if workers <= 1 or quota.backend != "local" or quota.shared_file is not None:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="ndxp-quota-") as directory:
        path = Path(directory) / "quota.db"
        os.environ[SHARED_QUOTA_VARIABLE] = str(path)
        typer.echo(
            f"quota: the {workers} workers share their count in {path}; replicas need quota.backend redis",
            err=True,
        )
        try:
            yield
        finally:
            os.environ.pop(SHARED_QUOTA_VARIABLE, None)


@app.command()
def mocks(
    host: Annotated[str | None, typer.Option(help="listen address")] = None,
    port: Annotated[int | None, typer.Option(help="listen port")] = None,
) -> None:
    """Run the mock backends of the national services."""
    settings = load_settings()
    _serve(
        "ndxp_sim.mock_services.main:mock_app",
        host or settings.mocks.host,
        port or settings.mocks.port,
        1,
        settings.log_level,
        settings.max_connections,
    )


@app.command()
def indexer() -> None:
    """Run an indexer: Kafka topic → exchange store (several may run as one consumer group)."""
    from ndxp_sim.gateway.indexer import run_indexer

    run_indexer(load_settings())


@app.command()
def up(
    workers: Annotated[int, typer.Option(help="gateway worker processes")] = 1,
    no_indexer: Annotated[bool, typer.Option("--no-indexer", help="do not start an indexer")] = False,
    port: Annotated[int | None, typer.Option(help="gateway port (default: settings, NDXP_PORT)")] = None,
) -> None:
    """Embedded mode: broker (unless NDXP_KAFKA__BOOTSTRAP_SERVERS is set), mocks, gateway, indexer."""
    from ndxp_sim.gateway.embedded import run_embedded

    _use_install_secrets()
    settings = load_settings()
    if port:
        settings = settings.model_copy(update={"port": port})
    sys.exit(run_embedded(settings, workers=workers, indexer=not no_indexer))


def _use_install_secrets() -> None:
    """This install's own JWT secret, subject key and callback key instead of the shipped fake ones:
    generated once into an owner-only file that the processes `up` starts read (NDXP_SECRETS_FILE)."""
    path = Path(os.environ.get(SECRETS_FILE_VARIABLE) or DEFAULT_SECRETS_FILE).absolute()
    created = ensure_secrets_file(path)
    os.environ[SECRETS_FILE_VARIABLE] = str(path)
    typer.echo(
        f"secrets: {path} ({'generated now' if created else 'kept'}, owner-only); "
        f"`export {SECRETS_FILE_VARIABLE}={path}` for `ndxp-sim logs search --subject`",
        err=True,
    )


@app.command("check-config")
def check_config() -> None:
    """Validate the configuration and print what it sets up."""
    settings = load_settings()
    typer.echo(f"config file: {settings.config_file or 'built-in default'}")
    typer.echo(f"consumers: {', '.join(c.id for c in settings.consumers)}")
    for key in settings.services:
        typer.echo(f"service {key}: backend {settings.backend_url(key)}")
    typer.echo("ok")


@app.command("hash-secret")
def hash_secret_command(secret: Annotated[str, typer.Argument(help="the consumer secret to hash")]) -> None:
    """Print the hash to put in a consumer's secret_hash."""
    from ndxp_sim.gateway.auth import hash_secret

    typer.echo(hash_secret(secret))


def _add_logs() -> None:
    try:
        from ndxp_sim.gateway.cli_logs import app as logs_app
    except ImportError:  # pragma: no cover - the log CLI ships with the pipeline
        return
    app.add_typer(logs_app, name="logs", help="Search, show, trace and tail the exchange log.")


_add_logs()


COMMANDS_ENTRY_POINT_GROUP = "ndxp_sim.commands"  # each entry: a function that adds commands to `app`


def _add_plugged_commands() -> None:
    """Commands of upper layers (`contract-test` from ndxp_sim.testing), which the gateway may not import."""
    for entry in entry_points(group=COMMANDS_ENTRY_POINT_GROUP):
        entry.load()(app)


_add_plugged_commands()


def main() -> None:
    app()
