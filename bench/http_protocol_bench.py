"""What uvicorn's HTTP layer costs per request, stock httptools against the gateway's own protocol.

    python -m bench.http_protocol_bench [--requests 50000] [--rounds 5] [--wrk SECONDS]

In-process on a fake transport (no sockets, a trivial app), so the figures are the Python work of the
server alone: `send` is one answer shaped like the proxy's (start + one body, six headers with uvicorn's
date and server) on a fresh request cycle; `request` is a whole keep-alive request through the protocol
(parse, scope, ASGI task, answer, timers). Best of the rounds, µs per request.

With --wrk, also on real sockets: the same trivial app behind a uvicorn process per protocol, `wrk -c64`
for SECONDS a round, the server's CPU (user + system, kernel socket work included) per request; median
of the rounds. The gateway's own work is absent, so the HTTP layer's share is what moves.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import uvloop
from uvicorn.config import Config
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState

from bench import load
from bench.procs import Process, wait_port
from bench.servers import REPO, base_env
from ndxp_sim.gateway.cli import GUARDED_HTTP
from ndxp_sim.gateway.http_protocol import GuardedHttpToolsProtocol
from ndxp_sim.gateway.logpipe.broker import free_port

REQUEST = (
    b"GET /csdl/v1/TraCuu?x=1 HTTP/1.1\r\nhost: 127.0.0.1:8080\r\n"
    b"authorization: Bearer fake-token-0123456789abcdef\r\naccept: */*\r\n\r\n"
)
BODY = b'{"ok":true,"data":{"hoTen":"NGUYEN VAN A"}}'
HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode()),
    (b"x-request-id", b"0193a5c2-7f1e-7c3b-9a41-2f5d6e7a8b9c"),
    (b"x-ndxp-exchange-id", b"0193a5c2-7f1e-7c3b-9a41-2f5d6e7a8b9c"),
]
START = {"type": "http.response.start", "status": 200, "headers": HEADERS}
END = {"type": "http.response.body", "body": BODY}


class FakeTransport:
    """Just enough of an asyncio transport for uvicorn: counts what is written."""

    def __init__(self) -> None:
        self.written = 0
        self.answers = 0  # writes that end with the body

    def write(self, data: bytes) -> None:
        self.written += len(data)
        self.answers += data.endswith(BODY)

    def writelines(self, data: list[bytes]) -> None:
        for part in data:
            self.write(part)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8080)}.get(name, default)

    def is_closing(self) -> bool:
        return False

    def can_write_eof(self) -> bool:
        return True

    def close(self) -> None: ...
    def write_eof(self) -> None: ...
    def pause_reading(self) -> None: ...
    def resume_reading(self) -> None: ...


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send(START)
    await send(END)


def _connection(protocol_class: type[HttpToolsProtocol]) -> tuple[HttpToolsProtocol, FakeTransport]:
    config = Config(app, access_log=False, log_level="warning")
    config.load()
    state = ServerState()
    state.default_headers = [(b"date", b"Mon, 07 Dec 2026 08:00:00 GMT"), *config.encoded_headers]
    protocol = protocol_class(config, state, {}, asyncio.get_running_loop())
    transport = FakeTransport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    return protocol, transport


async def _request_us(protocol_class: type[HttpToolsProtocol], requests: int) -> float:
    protocol, transport = _connection(protocol_class)
    started = time.perf_counter()
    for _ in range(requests):
        protocol.data_received(REQUEST)
        await asyncio.sleep(0)  # the app's task runs, whole, when this coroutine yields
    assert transport.answers == requests, "some answers were not written in the loop turn"
    elapsed = time.perf_counter() - started
    protocol.connection_lost(None)
    return elapsed / requests * 1e6


async def _send_us(make_cycle: Callable[[], RequestResponseCycle], requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        cycle = make_cycle()
        for message in (START, END):
            with contextlib.suppress(StopIteration):  # a send that never waits ends at its first step
                cycle.send(message).send(None)  # type: ignore[arg-type]
    # Building the cycle is on uvicorn's request side: take it out of the send figure.
    build_started = time.perf_counter()
    for _ in range(requests):
        make_cycle()
    build = time.perf_counter() - build_started
    return (build_started - started - build) / requests * 1e6


async def _cycle_maker(protocol_class: type[HttpToolsProtocol]) -> Callable[[], RequestResponseCycle]:
    """New cycles as `protocol_class` makes them: its cycle class, its view of the transport."""
    protocol, transport = _connection(protocol_class)
    protocol.data_received(REQUEST)
    await asyncio.sleep(0)
    made = protocol.cycle
    cycle_class, cycle_transport = type(made), made.transport
    flow = FlowControl(transport)  # type: ignore[arg-type]
    state = protocol.server_state

    def make() -> RequestResponseCycle:
        cycle = cycle_class(
            scope=dict(made.scope),  # type: ignore[arg-type]
            transport=cycle_transport,
            flow=flow,
            logger=protocol.logger,
            access_logger=protocol.access_logger,
            access_log=False,
            default_headers=state.default_headers,
            message_event=asyncio.Event(),
            expect_100_continue=False,
            keep_alive=True,
            on_response=lambda: None,
        )
        return cycle

    return make


def _over_sockets(http: str, seconds: float, workdir: Path) -> tuple[float, float]:
    """(requests/s, server CPU µs per request) of the trivial app under wrk, served with `http`."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "bench.http_protocol_bench:app", "--port", str(port)]
    argv += ["--http", http, "--loop", "uvloop", "--no-access-log", "--log-level", "warning"]
    server = Process("server", argv, env=base_env(), cwd=REPO, log=workdir / "server.log")
    try:
        wait_port(port, 30, server)
        target = load.Target(f"http://127.0.0.1:{port}/csdl/v1/TraCuu?x=1")
        script = load.wrk_script(target, workdir / "request.lua")
        cpu_before = server.cpu_s()
        result = load.run_wrk(target, connections=64, threads=1, duration_s=seconds, script=script)
        cpu = server.cpu_s() - cpu_before
    finally:
        server.stop()
    return result.rps, cpu / result.requests * 1e6


def over_sockets(seconds: float, rounds: int) -> None:
    protocols = {"stock": "httptools", "gateway": GUARDED_HTTP}
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in protocols}
    with tempfile.TemporaryDirectory(prefix="ndxp-http-bench-") as workdir:
        for _ in range(rounds):
            for name, http in protocols.items():
                figures[name].append(_over_sockets(http, seconds, Path(workdir)))
    for name, runs in figures.items():
        rps, cpu = statistics.median(r for r, _ in runs), statistics.median(c for _, c in runs)
        print(f"{name:8} wrk -c64: {rps:7.0f} req/s, server CPU {cpu:5.1f} µs/request (median of {rounds})")


async def main(requests: int, rounds: int) -> None:
    classes = {"stock": HttpToolsProtocol, "gateway": GuardedHttpToolsProtocol}
    makers = {name: await _cycle_maker(protocol_class) for name, protocol_class in classes.items()}
    send: dict[str, list[float]] = {name: [] for name in classes}
    whole: dict[str, list[float]] = {name: [] for name in classes}
    for _ in range(rounds):  # alternating, so that a busy moment of the machine hits both
        for name, protocol_class in classes.items():
            send[name].append(await _send_us(makers[name], requests))
            whole[name].append(await _request_us(protocol_class, requests))
    for name in classes:
        print(f"{name:8} send {min(send[name]):6.2f} µs   request {min(whole[name]):6.2f} µs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--wrk", type=float, metavar="SECONDS", help="also measure on sockets under wrk")
    args = parser.parse_args()
    uvloop.run(main(args.requests, args.rounds))
    if args.wrk:
        over_sockets(args.wrk, args.rounds)
