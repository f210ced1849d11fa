"""The whole simulator in one background thread for browser tests: mocks, gateway (on a real socket),
the exchange log on a real tansu broker, and the indexer filling the store the console reads."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn

from ndxp_sim.adapters.upstream import HttpxUpstream
from ndxp_sim.core.settings import Settings
from ndxp_sim.gateway.app import create_app
from ndxp_sim.gateway.indexer import Indexer
from ndxp_sim.mock_services.app import create_mock_app

_START_TIMEOUT_S = 60.0


@dataclass
class Stack:
    """A running simulator; `base_url` is the gateway's, over real loopback HTTP."""

    settings: Settings
    base_url: str = ""
    server: uvicorn.Server | None = None
    error: BaseException | None = None


async def _run(stack: Stack, sock: socket.socket) -> None:
    settings = stack.settings
    mock_app = create_mock_app(settings)
    async with mock_app.router.lifespan_context(mock_app):
        upstream = HttpxUpstream(httpx.AsyncClient(transport=httpx.ASGITransport(app=mock_app)))
        gateway = create_app(settings, upstream=upstream)  # the real KafkaSink, to the test's broker
        indexer = Indexer(settings, poll_timeout_ms=100)
        await indexer.start()
        config = uvicorn.Config(gateway, log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
        stack.server = uvicorn.Server(config)
        try:
            await stack.server.serve(sockets=[sock])
        finally:
            await indexer.stop()


def _thread_main(stack: Stack, sock: socket.socket) -> None:
    try:
        asyncio.run(_run(stack, sock))
    except BaseException as exc:  # reported to the test thread, which waits for the server to answer
        stack.error = exc


@contextmanager
def running_stack(settings: Settings) -> Iterator[Stack]:
    """Serve the gateway on a port bound here and handed to uvicorn while held (no race for it)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    stack = Stack(settings, base_url=f"http://127.0.0.1:{sock.getsockname()[1]}")
    thread = threading.Thread(target=_thread_main, args=(stack, sock), name="console-stack", daemon=True)
    thread.start()
    try:
        _wait_until_serving(stack)
        yield stack
    finally:
        if stack.server is not None:
            stack.server.should_exit = True
        thread.join(timeout=30)
        sock.close()
        assert not thread.is_alive(), "the simulator thread did not stop"


def _wait_until_serving(stack: Stack) -> None:
    deadline = time.monotonic() + _START_TIMEOUT_S
    while time.monotonic() < deadline:
        if stack.error is not None:
            raise RuntimeError("the simulator failed to start") from stack.error
        try:
            if httpx.get(f"{stack.base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the simulator did not start in time")


def wait_for(check: Any, timeout_s: float = 20.0, what: str = "condition") -> Any:
    """Poll `check()` until it returns something truthy; that value, or AssertionError."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} not met within {timeout_s} s"
        time.sleep(0.1)
