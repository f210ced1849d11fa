"""A real `redis-server` on a free loopback port for tests, stopped by its PID."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.local_http import free_port

_ATTEMPTS = 5  # another process may take the free port before redis-server binds it: try another


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def _ready(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server(workdir: Path, port: int | None = None) -> Iterator[RedisServer]:
    """redis-server without persistence on `port` (default: a free one; tried again elsewhere if taken);
    `scripts/test` installs the Debian package when it is missing."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    server: RedisServer | None = None
    for _ in range(1 if port else _ATTEMPTS):
        port = port or free_port()
        log = (workdir / f"redis-{port}.log").open("wb")
        argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process = subprocess.Popen(argv, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline and not _ready(port):
            time.sleep(0.05)
        if process.poll() is None and _ready(port):
            server = RedisServer(process, port)
            break
        process.kill()
        process.wait()
        port = None
    assert server is not None, f"redis-server did not start; see {workdir}"
    try:
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
