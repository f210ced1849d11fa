"""Starting the servers under test on loopback: backend, gateway, bare proxy, nginx, broker."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import urllib.request
from base64 import b64encode
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import Process, wait_port
from ndxp_sim.gateway.cli import GUARDED_HTTP
from ndxp_sim.gateway.logpipe.broker import free_port

REPO = Path(__file__).resolve().parent.parent
UVICORN_FLAGS = [
    "--loop",
    "uvloop",
    "--no-access-log",
    "--no-proxy-headers",
    "--log-level",
    "warning",
    "--backlog",
    "4096",
    "--timeout-graceful-shutdown",
    "10",
]  # the same server settings as `ndxp-sim gateway` (gateway/cli.py); the protocol is given per server
CONSUMER = ("000.00.00.H91", "demo-secret-H91")  # the shipped default config's fake demo consumer
UNLIMITED_TIERS = '{"Bronze": 1000, "Silver": 2000, "Gold": 0, "Unlimited": 0}'


@dataclass
class Server:
    """A running server: its process (None for the shared backend alias) and where it listens."""

    name: str
    port: int
    process: Process
    workers: int = 1
    stats_dir: Path | None = None
    topic: str | None = None
    token: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def base_env() -> dict[str, str]:
    """This environment without NDXP_ settings (the benchmark sets its own), with the repo importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NDXP_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _uvicorn(
    app: str, port: int, workers: int, *, factory: bool = False, http: str = "httptools"
) -> list[str]:
    argv = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--workers", str(workers), "--http", http, *UVICORN_FLAGS]
    return [*argv, "--factory"] if factory else argv


def start_backend(workdir: Path) -> Server:
    port = free_port()
    process = Process(
        "backend",
        _uvicorn("bench.backend:app", port, 1),
        env=base_env(),
        cwd=REPO,
        log=workdir / "backend.log",
    )
    wait_port(port, 30, process)
    return Server("backend", port, process)


def start_gateway(
    workdir: Path,
    name: str,
    backend: Server,
    *,
    workers: int,
    bootstrap: str | None,
    factory: str = "app",
) -> Server:
    """The gateway with logging to `bootstrap` (None: logging off); consumer quota unlimited. `factory`:
    the `bench.gateway_app` factory to serve (`app_first_services`: 3 services instead of 24)."""
    port = free_port()
    stats_dir = workdir / f"stats-{name}"
    stats_dir.mkdir()
    topic = f"bench.{name}"
    env = base_env() | {
        "NDXP_PORT": str(port),
        "NDXP_SERVICES__CSDL_DKDN__BASE_URL": f"{backend.base}/csdl_dkdn",
        "NDXP_SERVICES__CSDL_DAN_CU__BASE_URL": f"{backend.base}/csdl_dan_cu",
        "NDXP_TIERS": UNLIMITED_TIERS,
        "NDXP_LOG__ENABLED": "true" if bootstrap else "false",
        "NDXP_LOG__SPOOL_DIR": str(workdir / f"spool-{name}"),
        "NDXP_KAFKA__TOPIC": topic,
        "NDXP_STORE__URL": f"sqlite+aiosqlite:///{workdir / 'exchanges.db'}",
        "NDXP_MOCKS__CACHE_DIR": str(workdir / "cache"),
        "BENCH_STATS_DIR": str(stats_dir),
    }
    if bootstrap:
        env["NDXP_KAFKA__BOOTSTRAP_SERVERS"] = bootstrap
    # The gateway's own protocol, as `ndxp-sim gateway` runs it; the bare proxy keeps stock httptools.
    argv = _uvicorn(f"bench.gateway_app:{factory}", port, workers, factory=True, http=GUARDED_HTTP)
    process = Process(name, argv, env=env, cwd=REPO, log=workdir / f"{name}.log")
    wait_port(port, 60, process)
    server = Server(name, port, process, workers, stats_dir, topic if bootstrap else None)
    server.token = fetch_token(server.base)
    return server


def start_bare(workdir: Path, name: str, backend: Server, *, workers: int, bootstrap: str) -> Server:
    port = free_port()
    stats_dir = workdir / f"stats-{name}"
    stats_dir.mkdir()
    topic = f"bench.{name}"
    env = base_env() | {
        "BENCH_UPSTREAM": backend.base,
        "BENCH_KAFKA": bootstrap or "",
        "BENCH_TOPIC": topic,
        "BENCH_STATS_DIR": str(stats_dir),
    }
    argv = _uvicorn("bench.bare_proxy:app", port, workers)
    process = Process(name, argv, env=env, cwd=REPO, log=workdir / f"{name}.log")
    wait_port(port, 30, process)
    return Server(name, port, process, workers, stats_dir, topic)


NGINX_CONF = """worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    upstream backend {{
        server 127.0.0.1:{backend_port};
        keepalive 128;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def start_nginx(workdir: Path, backend: Server, binary: str) -> Server:
    """nginx in front of the backend (1 worker, keepalive upstream, no access log); stop with SIGQUIT."""
    port = free_port()
    directory = workdir / "nginx"
    directory.mkdir()
    conf = directory / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=directory, port=port, backend_port=backend.port))
    process = Process(
        "nginx",
        [binary, "-p", str(directory), "-c", str(conf)],
        env=base_env(),
        cwd=directory,
        log=workdir / "nginx.log",
    )
    wait_port(port, 15, process)
    return Server("nginx", port, process)


def stop(server: Server) -> None:
    """Graceful stop: SIGQUIT for nginx, SIGTERM (the gateway drains its exchange log) for the rest."""
    sig = signal.SIGQUIT if server.name == "nginx" else signal.SIGTERM
    server.process.stop(sig, timeout_s=60)


def fetch_token(base: str) -> str:
    """A bearer token for the demo consumer (client-credentials grant)."""
    basic = b64encode(f"{CONSUMER[0]}:{CONSUMER[1]}".encode()).decode()
    request = urllib.request.Request(
        f"{base}/token",
        data=b"grant_type=client_credentials",
        headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(json.loads(response.read())["access_token"])


def implemented_services(base: str) -> list[str]:
    """The keys of the services a gateway serves, from its metaservice."""
    with urllib.request.urlopen(f"{base}/_meta/services", timeout=30) as response:
        listed = json.loads(response.read())["services"]
    return [service["key"] for service in listed if service["implemented"]]


def read_stats(server: Server) -> list[dict[str, int]]:
    """The counters each worker wrote at shutdown."""
    if server.stats_dir is None:
        return []
    return [json.loads(p.read_text()) for p in sorted(server.stats_dir.glob("*.json"))]
