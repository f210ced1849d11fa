"""The simulator inside the test process: gateway and mocks served by uvicorn in background threads.

Each server gets a socket bound before its settings are built, so there is no window in which another
process can take the port. Uvicorn is told to leave logging and signals alone: they belong to pytest.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from ndxp_sim.testing.settings import SimulatorStartError, build_settings, merged, simulator_values
from ndxp_sim.testing.simulator import Simulator

_STOP_TIMEOUT_S = 10.0


def bind(host: str, port: int, what: str) -> socket.socket:
    """A listening TCP socket on host:port (0: any free port), or SimulatorStartError naming the port."""
    try:
        return socket.create_server((host, port), backlog=512)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SimulatorStartError(f"{what} port {host}:{port} is already in use") from None
        raise SimulatorStartError(f"cannot listen for the {what} on {host}:{port}: {exc}") from None


class _Problems(logging.Handler):
    """Collects what uvicorn reports while a server starts, to say why it did not."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class ServerThread:
    """One ASGI app served on an already bound socket from a daemon thread with its own event loop."""

    def __init__(self, name: str, app: Any, sock: socket.socket) -> None:
        self.name = name
        self.sock = sock
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            access_log=False,
            lifespan="on",
            ws="none",
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, name=f"ndxp-sim-{name}", daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            self.server.run(sockets=[self.sock])
        except BaseException as exc:  # reported by start(); a thread has nobody else to tell
            self.error = exc

    def start(self, timeout_s: float) -> None:
        problems = _Problems()
        uvicorn_log = logging.getLogger("uvicorn.error")
        uvicorn_log.addHandler(problems)
        try:
            self.thread.start()
            deadline = time.monotonic() + timeout_s
            while not self.server.started:
                if not self.thread.is_alive() or time.monotonic() > deadline:
                    self.stop()
                    reason = "; ".join(problems.messages) or (
                        repr(self.error) if self.error else f"not serving within {timeout_s:.0f} s"
                    )
                    raise SimulatorStartError(f"the {self.name} did not start: {reason}")
                time.sleep(0.02)
        finally:
            uvicorn_log.removeHandler(problems)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(_STOP_TIMEOUT_S)
        if self.thread.is_alive():  # requests still open after the graceful period: cut them
            self.server.force_exit = True
            self.thread.join(_STOP_TIMEOUT_S)
        self.sock.close()


@contextmanager
def run_in_process(
    state_dir: Path, overrides: dict[str, Any], *, start_timeout_s: float = 60.0
) -> Iterator[Simulator]:
    """Mocks and gateway with the exchange log off, served until the block ends."""
    from ndxp_sim.gateway.app import create_app
    from ndxp_sim.mock_services.app import create_mock_app

    values = simulator_values(state_dir, overrides, exchange_log=False)
    wanted = build_settings(values)  # reports bad overrides before any port is taken
    with ExitStack() as stack:
        mock_sock = stack.enter_context(bind(wanted.mocks.host, wanted.mocks.port, "mock server"))
        gateway_sock = stack.enter_context(bind(wanted.host, wanted.port, "gateway"))
        settings = build_settings(
            merged(
                values,
                {"port": gateway_sock.getsockname()[1], "mocks": {"port": mock_sock.getsockname()[1]}},
            )
        )
        for name, app, sock in (
            ("mock server", create_mock_app(settings), mock_sock),
            ("gateway", create_app(settings), gateway_sock),
        ):
            server = ServerThread(name, app, sock)
            server.start(start_timeout_s)
            stack.callback(server.stop)
        simulator = Simulator.connect(
            f"http://{settings.host}:{settings.port}", settings.mock_base_url, settings, exchange_log=False
        )
        simulator.state_dir = state_dir
        stack.callback(simulator.close)
        yield simulator
