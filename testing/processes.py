"""The simulator with its exchange log, as real processes: tansu broker, mocks, gateway and indexer.

Children get a config file holding every setting and an environment with no NDXP_* variable of the
caller's. A port picked free can still be taken before the child binds it; such a start is retried on
another port. A port the caller configured is checked and reported instead.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from ndxp_sim.gateway.logpipe.broker import BrokerUnavailableError, EmbeddedBroker, free_port
from ndxp_sim.testing.in_process import bind
from ndxp_sim.testing.settings import (
    SimulatorStartError,
    build_settings,
    merged,
    simulator_values,
    write_config_file,
)
from ndxp_sim.testing.simulator import Simulator

_PORT_ATTEMPTS = 3
_STOP_TIMEOUT_S = 15.0
_PORT_TAKEN = "address already in use"


def child_environment(config_file: Path) -> dict[str, str]:
    """The caller's environment without its NDXP_* variables, plus the one config file."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith("NDXP_")}
    return {**clean, "NDXP_CONFIG_FILE": str(config_file), "PYTHONUNBUFFERED": "1"}


class _Child:
    """One `python -m ndxp_sim.gateway <part>` process with its output in `<state_dir>/<part>.log`."""

    def __init__(self, name: str, args: list[str], state_dir: Path, env: dict[str, str]) -> None:
        self.name = name
        self.log_path = state_dir / f"{args[0]}.log"
        with self.log_path.open("ab") as sink:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ndxp_sim.gateway", *args],
                cwd=state_dir,  # never the caller's folder: its own `gateway` package must not shadow ours
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    def output(self, limit: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-limit:].strip() or "no output"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def wait_healthy(self, url: str, deadline: float) -> bool:
        """True once `url` answers 200, False if the process exited first; raises at the deadline."""
        with httpx.Client(timeout=1.0) as client:
            while self.process.poll() is None:
                try:
                    if client.get(url).status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SimulatorStartError(
                        f"the {self.name} did not answer {url} in time; its output:\n{self.output()}"
                    )
                time.sleep(0.1)
        return False


class _Launcher:
    """Starts the parts one after another, each seeing the ports of those started before it."""

    def __init__(self, state_dir: Path, values: dict[str, Any], stack: ExitStack, deadline: float) -> None:
        self.state_dir = state_dir
        self.values = values
        self.stack = stack
        self.deadline = deadline
        self.config_file = state_dir / "settings.yaml"

    def settings_with(self, update: dict[str, Any]) -> None:
        self.values = merged(self.values, update)
        write_config_file(build_settings(self.values), self.config_file)

    def server(
        self,
        name: str,
        command: str,
        host: str,
        configured_port: int,
        port_update: Callable[[int], dict[str, Any]],
    ) -> int:
        """Start a listening part; returns its port. `port_update(port)` is the settings change for it."""
        if configured_port:
            bind(host, configured_port, name).close()  # say "in use" rather than let the child die on it
        for _ in range(_PORT_ATTEMPTS):
            port = configured_port or free_port(host)
            self.settings_with(port_update(port))
            child = self.start(name, [command])
            if child.wait_healthy(f"http://{host}:{port}/health", self.deadline):
                return port
            output = child.output()
            if configured_port or _PORT_TAKEN not in output.lower():
                raise SimulatorStartError(f"the {name} exited while starting; its output:\n{output}")
        raise SimulatorStartError(f"the {name} found no free port in {_PORT_ATTEMPTS} attempts")

    def start(self, name: str, args: list[str]) -> _Child:
        child = _Child(name, args, self.state_dir, child_environment(self.config_file))
        self.stack.callback(child.stop)
        return child


def _start_broker(state_dir: Path, port: int, stack: ExitStack) -> str:
    last_problem = ""
    for _ in range(1 if port else _PORT_ATTEMPTS):  # a picked port can be taken before tansu binds it
        broker = EmbeddedBroker("127.0.0.1", port, log_file=state_dir / "broker.log")
        try:
            broker.start_sync()
        except BrokerUnavailableError as exc:
            last_problem = str(exc)
            continue
        stack.callback(broker.stop_sync)
        return broker.bootstrap_servers
    raise SimulatorStartError(f"the embedded Kafka broker could not start: {last_problem}")


@contextmanager
def run_processes(
    state_dir: Path, overrides: dict[str, Any], *, start_timeout_s: float = 120.0
) -> Iterator[Simulator]:
    """Broker (unless kafka.bootstrap_servers is given), mocks, gateway and indexer, until the block ends."""
    values = simulator_values(state_dir, overrides, exchange_log=True)
    wanted = build_settings(values)
    deadline = time.monotonic() + start_timeout_s
    with ExitStack() as stack:
        bootstrap = wanted.kafka.bootstrap_servers or _start_broker(
            state_dir, wanted.kafka.embedded_port, stack
        )
        launcher = _Launcher(
            state_dir, merged(values, {"kafka": {"bootstrap_servers": bootstrap}}), stack, deadline
        )
        launcher.server(
            "mock server", "mocks", wanted.mocks.host, wanted.mocks.port, lambda p: {"mocks": {"port": p}}
        )
        launcher.server("gateway", "gateway", wanted.host, wanted.port, lambda p: {"port": p})
        indexer = launcher.start("indexer", ["indexer"])
        settings = build_settings(launcher.values)
        simulator = Simulator.connect(
            f"http://{settings.host}:{settings.port}", settings.mock_base_url, settings, exchange_log=True
        )
        simulator.state_dir = state_dir
        stack.callback(simulator.close)
        if indexer.process.poll() is not None:
            raise SimulatorStartError(f"the indexer exited while starting; its output:\n{indexer.output()}")
        yield simulator
