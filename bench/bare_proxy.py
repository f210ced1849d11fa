"""The bare proxy reference (bench/README.md): raw ASGI + aiohttp + one aiokafka record per request.

It does none of the gateway's work (no auth, ACL, quota, validation, adapter, masking, metrics): it is
the practical ceiling for a Python proxy on the machine, and the gateway is measured against it.
Configured by environment: BENCH_UPSTREAM (backend base URL), BENCH_KAFKA (bootstrap servers; unset =
no record), BENCH_TOPIC, BENCH_STATS_DIR (each worker writes its counters there at shutdown).
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from aiokafka import AIOKafkaProducer

_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"transfer-encoding", b"host", b"content-length"})


class BareProxy:
    def __init__(self) -> None:
        self.upstream = os.environ.get("BENCH_UPSTREAM", "http://127.0.0.1:8001").rstrip("/")
        self.bootstrap = os.environ.get("BENCH_KAFKA") or None
        self.topic = os.environ.get("BENCH_TOPIC", "bench.bare")
        self.stats_dir = os.environ.get("BENCH_STATS_DIR")
        self.session: aiohttp.ClientSession | None = None
        self.producer: AIOKafkaProducer | None = None
        self.counts = {"served": 0, "acked": 0, "failed": 0}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await self._proxy(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=512))
                if self.bootstrap:
                    self.producer = AIOKafkaProducer(
                        bootstrap_servers=self.bootstrap,
                        linger_ms=10,
                        max_batch_size=262_144,
                        compression_type="lz4",
                        acks=1,
                    )
                    await self.producer.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.producer is not None:
                    await self.producer.stop()  # flushes what is batched
                if self.session is not None:
                    await self.session.close()
                if self.stats_dir:
                    path = Path(self.stats_dir) / f"bare-{os.getpid()}.json"
                    path.write_bytes(orjson.dumps(self.counts))
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _proxy(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        started = time.time()
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode(): v.decode() for k, v in scope["headers"] if k not in _HOP_BY_HOP}
        url = self.upstream + scope["path"]
        if scope["query_string"]:
            url += "?" + scope["query_string"].decode()
        assert self.session is not None
        async with self.session.request(scope["method"], url, headers=headers, data=body or None) as response:
            payload = await response.read()
            status = response.status
            content_type = response.headers.get("content-type", "application/json")
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
        self.counts["served"] += 1
        if self.producer is not None:
            exchange_id = str(uuid.uuid4())
            record = {
                "exchange_id": exchange_id,
                "ts_request_in": started,
                "ts_response_out": time.time(),
                "duration_ms": (time.time() - started) * 1000,
                "client": scope["client"][0] if scope.get("client") else None,
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "request_headers": headers,
                "request_body": body.decode("utf-8", "replace"),
                "response_body": payload.decode("utf-8", "replace"),
            }
            future = await self.producer.send(self.topic, orjson.dumps(record), key=exchange_id.encode())
            future.add_done_callback(self._delivered)

    def _delivered(self, future: Any) -> None:
        if future.cancelled() or future.exception() is not None:
            self.counts["failed"] += 1
        else:
            self.counts["acked"] += 1


app = BareProxy()
