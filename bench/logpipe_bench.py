"""Exchange-log producer benchmark: the request-path cost of `submit()` and the sink's background throughput.

    python -m bench.logpipe_bench                          # embedded tansu broker, 100,000 records
    python -m bench.logpipe_bench --records 300000 --bootstrap 127.0.0.1:9092 --policy metadata

Phases, each on its own topic:
1. submit(): time a tight loop of submit() calls (what a request pays), then how long the sink
   takes to get every record acknowledged (records/s through masking, orjson, aiokafka).
2. record building alone: to_record() + orjson.dumps() per exchange, in-process.
3. outage: the broker is stopped, records go to the spool (records/s to disk, fsync per batch), the
   broker comes back and the spool is replayed (records/s).
Every phase counts the topic by reading it back (tansu's end offsets are not record counts).
Exchanges carry a ~1 KB JSON request and a ~1.5 KB SOAP response full of synthetic identities.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import orjson

import ndxp_sim.adapters.upstream  # noqa: F401  (the gateway's import order: adapters before settings)
from bench.topic import count_records
from ndxp_sim.core.settings import BodyPolicy, Settings
from ndxp_sim.gateway.exchange import Exchange, sortable_uuid
from ndxp_sim.gateway.logpipe.broker import EmbeddedBroker
from ndxp_sim.gateway.logpipe.masking import Masker
from ndxp_sim.gateway.logpipe.record import to_record
from ndxp_sim.gateway.logpipe.sink import KafkaSink

REQUEST = orjson.dumps(
    {
        "SoDinhDanh": "079203001234",
        "HoVaTen": "NGUYEN VAN THU",
        "NgayThangNamSinh": "2003-04-15",
        "MaYeuCau": "YC-000001",
        "MaCanBo": "CB01",
        "LyDo": "Tra cứu phục vụ giải quyết thủ tục hành chính " * 12,
    }
)
RESPONSE = (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
    '<soap:Body><CongdanCollection xmlns="http://dancuquocgia.bca"><CongDan>'
    "<SoDinhDanh>079203001234</SoDinhDanh><SoCMND>271234567</SoCMND>"
    "<HoVaTen><Ho>Nguyễn</Ho><ChuDem>Văn</ChuDem><Ten>Thử</Ten></HoVaTen>"
    "<NgayThangNamSinh><Nam>2003</Nam><NgayThangNam>20030415</NgayThangNam></NgayThangNamSinh>"
    + "<ThuongTru><MaTinhThanh>79</MaTinhThanh><ChiTiet>Số 1 đường Thử Nghiệm</ChiTiet></ThuongTru>" * 8
    + "</CongDan></CongdanCollection></soap:Body></soap:Envelope>"
).encode()


def exchange() -> Exchange:
    now = time.time()
    return Exchange(
        exchange_id=sortable_uuid(), request_id="bench", instance="bench", method="POST",
        path="/apiCSDLDanCu/1.0/traCuuCongDan", t_request_in=now, t_backend_out=now, t_backend_in=now + 0.002,
        t_response_out=now + 0.003, consumer_id="000.00.00.H91", service_key="csdl_dan_cu", service_number=1,
        operation="traCuuCongDan", status=200, backend_protocol="soap", backend_status=200,
        request_bytes=len(REQUEST), response_bytes=len(RESPONSE), correlation={"MaYeuCau": "YC-000001"},
        request_body=REQUEST, request_content_type="application/json",
        response_body=RESPONSE, response_content_type="text/xml",
    )  # fmt: skip


def settings_for(bootstrap: str, spool: Path, policy: BodyPolicy) -> Settings:
    return Settings(
        kafka={"bootstrap_servers": bootstrap, "topic": f"bench.logpipe.{uuid.uuid4().hex[:8]}"},
        log={"spool_dir": spool, "queue_max": 10_000_000},
        services={"csdl_dan_cu": {"body_policy": policy}},
    )


async def wait_until(condition, timeout_s: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.005)
    return True


async def throughput(bootstrap: str, spool: Path, policy: BodyPolicy, records: int) -> None:
    settings = settings_for(bootstrap, spool, policy)
    sink = KafkaSink(settings)
    await sink.start()
    exchanges = [exchange() for _ in range(records)]
    costs = []
    started = time.perf_counter()
    for chunk in range(0, records, 1000):  # chunks, yielding between them like a serving event loop
        t0 = time.perf_counter_ns()
        for item in exchanges[chunk : chunk + 1000]:
            sink.submit(item)
        costs.append((time.perf_counter_ns() - t0) / len(exchanges[chunk : chunk + 1000]))
        await asyncio.sleep(0)
    done = await wait_until(lambda: sink.stats()["produced"] >= records, 300)
    elapsed = time.perf_counter() - started
    await sink.stop()
    read, keys = await asyncio.to_thread(count_records, bootstrap, settings.kafka.topic)
    print(f"submit() per call: median {statistics.median(costs):.0f} ns, max chunk mean {max(costs):.0f} ns")
    print(
        f"background: {records:,} records acknowledged in {elapsed:.2f} s"
        f" = {records / elapsed:,.0f} records/s (policy {policy}){'' if done else ' [TIMED OUT]'}"
    )
    print(f"read back: {read:,} records, {keys:,} distinct ids; sink stats {sink.stats()}")


def record_cost(policy: BodyPolicy, count: int = 5000) -> None:
    masker = Masker("bench-key")
    items = [exchange() for _ in range(count)]
    t0 = time.perf_counter()
    size = 0
    for item in items:
        size += len(orjson.dumps(to_record(item, policy, 8192, masker)))
    per = (time.perf_counter() - t0) / count * 1e6
    print(f"to_record + orjson ({policy}): {per:.1f} µs per exchange, {size / count:,.0f} B per record")


async def outage(broker: EmbeddedBroker, spool: Path, policy: BodyPolicy, records: int) -> None:
    settings = settings_for(broker.bootstrap_servers, spool, policy)
    sink = KafkaSink(settings, probe_interval_s=0.2)
    await sink.start()
    await broker.stop()
    started = time.perf_counter()
    for _ in range(records):
        sink.submit(exchange())
    await wait_until(lambda: sink.stats()["spool_backlog"] >= records, 300)
    spooled_s = time.perf_counter() - started
    await broker.start()
    started = time.perf_counter()
    done = await wait_until(lambda: sink.stats()["replayed"] >= records, 300)
    replay_s = time.perf_counter() - started
    await sink.stop()
    read, keys = await asyncio.to_thread(count_records, broker.bootstrap_servers, settings.kafka.topic)
    print(
        f"outage: {records:,} records spooled at {records / spooled_s:,.0f} records/s (incl. record building)"
    )
    print(
        f"replay: {records / replay_s:,.0f} records/s incl. reconnect probe{'' if done else ' [TIMED OUT]'};"
        f" read back {read:,} records, {keys:,} distinct ids"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--bootstrap", help="an external broker; default: start the embedded tansu")
    parser.add_argument("--policy", default="masked", choices=["off", "metadata", "masked", "full"])
    args = parser.parse_args()
    broker = None if args.bootstrap else EmbeddedBroker()
    if broker is not None:
        await broker.start()
    bootstrap = args.bootstrap or broker.bootstrap_servers  # type: ignore[union-attr]
    try:
        with tempfile.TemporaryDirectory() as spool:
            record_cost(args.policy)
            await throughput(bootstrap, Path(spool) / "a", args.policy, args.records)
            if broker is not None:
                await outage(broker, Path(spool) / "b", args.policy, min(args.records, 50_000))
    finally:
        if broker is not None:
            await broker.stop()


if __name__ == "__main__":
    asyncio.run(main())
