"""KafkaSink: exchange records to Kafka off the request path, via a durable spool when Kafka cannot take them.

Flow: `submit()` appends the Exchange to a deque (O(1), never awaits, never raises). One background
task lets a short queue grow for `kafka.linger_ms`, turns up to `batch_size` exchanges into records
(masking, orjson), appends them to one aiokafka batch per partition (`create_batch()`; the partition is
crc32 of the exchange id, the producer's own partitioner rule) and hands each over with `send_batch()`
without awaiting delivery: one future and one done-callback per batch, not per record, settle its
records. A batch whose delivery fails goes to the spool, as does everything submitted while the broker
is away and whatever exceeds `log.queue_max` in memory. A broker that dies refuses nothing (sends wait
for the request timeout), so the oldest unacknowledged batch decides: not acknowledged within
`log.ack_timeout_s` (1 s) means the broker is down, and everything in flight, being built or queued
goes to the spool at once. While the spool holds records, the task probes the broker every
`probe_interval_s`; once it answers, the spool is replayed in order before new records are sent, and
segments are deleted once acknowledged.

Guarantee: at-least-once. A record leaves memory only into Kafka (acknowledged, acks=all) or into
the fsynced spool; `stop()` drains memory the same way. Only a hard kill (SIGKILL, power loss)
loses what was still in memory: records submitted in the last moments (the batches being built and
those awaiting acknowledgement: milliseconds' worth while the broker answers, at most about
`ack_timeout_s` of traffic in the moment after it dies; README.md has the measured numbers).
Replays can repeat a record whose acknowledgement was lost; the indexer deduplicates by
`exchange_id`, the message key.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
import zlib
from collections import deque
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import UnknownError

from ndxp_sim.core.tasks import spawn
from ndxp_sim.gateway.exchange import Exchange
from ndxp_sim.gateway.logpipe.client_log import quiet_client_library
from ndxp_sim.gateway.logpipe.masking import Masker
from ndxp_sim.gateway.logpipe.record import to_record
from ndxp_sim.gateway.logpipe.spool import Spool

if TYPE_CHECKING:
    from ndxp_sim.core.settings import ServiceSettings, Settings

log = logging.getLogger("ndxp.logpipe")

# tansu (the embedded broker) auto-creates a topic with 4 partitions when a client first asks for it, as the
# gateway's producer may after a broker restart, before anyone creates it: the same count on every path keeps
# producers and indexers agreeing on the layout (a producer spreading over 4 while the indexer reads 3 loses
# a quarter of the records from the store).
TOPIC_PARTITIONS = 4
_TOPIC_EXISTS = 36  # Kafka error code TOPIC_ALREADY_EXISTS
_REPLAY_CHUNK = 1000

_YIELD_EVERY = 32  # records serialised between two turns of the event loop
# ... and in a pump this short: light traffic, where a request waiting ~0.8 ms behind 32 records is the
# tail latency (one connection: p99 2.1 ms against 0.3 without logging). Under load pumps are long, and
# 32 a turn is what keeps the sink level with the requests completing in that turn.
_SHORT_PUMP, _YIELD_EVERY_IN_SHORT = 64, 8


class _Batch:
    """Records bound for one partition: the producer's batch and their payloads (to spool if it fails)."""

    __slots__ = ("builder", "partition", "payloads")

    def __init__(self, builder: Any, partition: int) -> None:
        self.builder = builder
        self.partition = partition
        self.payloads: list[bytes] = []


def _append(
    producer: AIOKafkaProducer, filling: dict[int, _Batch], partition: int, key: bytes, payload: bytes
) -> tuple[_Batch | None, _Batch | None]:
    """Append a record to its partition's batch in `filling`, or, when that is full, to a new one:
    (the batch found full, to send now; the batch started), each None when there is none."""
    batch = filling.get(partition)
    if batch is not None and batch.builder.append(key=key, value=payload, timestamp=None) is not None:
        batch.payloads.append(payload)
        return None, None
    started = filling[partition] = _Batch(producer.create_batch(), partition)
    started.builder.append(key=key, value=payload, timestamp=None)  # an empty batch takes any record
    started.payloads.append(payload)
    return batch, started


class KafkaSink:
    """The exchange-log producer; implements `gateway.exchange.ExchangeSink`."""

    def __init__(
        self,
        settings: Settings,
        *,
        bootstrap_servers: str | None = None,
        delivery_timeout_s: float = 10.0,
        ack_timeout_s: float | None = None,
        probe_interval_s: float = 2.0,
        stop_timeout_s: float = 15.0,
        # Exchanges waiting for their turn hold their bodies, and under saturation the queue settles near
        # one pump's worth: ~300 queued with 256 against ~2000 with 2000 (RSS 140 against 156 MB at 9k/s).
        batch_size: int = 256,
        spool_owner: str | None = None,
    ) -> None:
        self._settings = settings
        self._kafka = settings.kafka
        self._bootstrap = bootstrap_servers or settings.kafka_bootstrap
        self._topic = settings.kafka.topic
        self._queue_max = settings.log.queue_max
        self._delivery_timeout_s = delivery_timeout_s
        self._ack_timeout_s = ack_timeout_s or settings.log.ack_timeout_s
        self._probe_interval_s = probe_interval_s
        self._stop_timeout_s = stop_timeout_s
        self._batch_size = batch_size
        self._masker = Masker(settings.log.subject_key.get_secret_value())
        self._spool = Spool(settings.log.spool_dir, owner=spool_owner)
        self._policies: dict[str | None, ServiceSettings] = {}
        self._idempotence = settings.kafka.enable_idempotence

        self._linger_s = settings.kafka.linger_ms / 1000

        self._queue: deque[Exchange] = deque()
        # started by `_pump`, oldest first: records taken from the queue, not yet handed to the producer
        self._open: list[_Batch] = []
        # batches sent, not yet acknowledged (payloads, future, loop time sent); spooled if the broker fails
        self._inflight: dict[int, tuple[list[bytes], asyncio.Future[Any], float]] = {}
        self._undelivered: list[bytes] = []  # delivery failed; waiting for the spool
        self._sequence = itertools.count()
        self._wake = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None
        self._online = False
        self._offline_since: float | None = None
        self._next_probe = 0.0
        self._broker_error: str | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._counts = dict.fromkeys(("submitted", "produced", "spooled", "replayed", "failed"), 0)

    # ExchangeSink

    def submit(self, exchange: Exchange) -> None:
        self._queue.append(exchange)
        self._counts["submitted"] += 1
        if not self._wake.is_set():
            self._wake.set()

    async def start(self) -> None:
        """Open the spool (adopting dead workers' segments), connect if the broker is up, start the task."""
        quiet_client_library()
        await asyncio.to_thread(self._spool.open)
        if not await self._connect():
            self._went_offline(f"cannot reach {self._bootstrap}")
        self._task = spawn(self._run(), name="ndxp-logpipe")

    async def stop(self) -> None:
        """Drain: every record in memory ends up in Kafka or in the spool before this returns."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        deadline = time.monotonic() + self._stop_timeout_s
        while self._online and self._queue and time.monotonic() < deadline:
            await self._pump()
        if self._online and self._producer is not None:
            try:
                await asyncio.wait_for(self._producer.flush(), max(deadline - time.monotonic(), 0.1))
            except TimeoutError:
                log.warning(
                    "Kafka did not acknowledge %d records before shutdown; spooling them",
                    self._inflight_records(),
                )
            await asyncio.sleep(0)  # let the delivery callbacks of the flushed batches run
        self._take_inflight()
        await self._spool_undelivered()
        await self._spool_oldest(len(self._queue))
        await self._close_producer()
        await asyncio.to_thread(self._spool.close)

    def stats(self) -> dict[str, int]:
        in_memory = (
            len(self._queue) + self._open_records() + self._inflight_records() + len(self._undelivered)
        )
        pending = in_memory + self._spool.backlog
        return {
            **self._counts,
            "pending": pending,
            "queued": len(self._queue),
            "spool_backlog": self._spool.backlog,
            "failed": self._counts["failed"] + self._spool.corrupt,
            "broker_up": int(self._online),
        }

    def ready(self) -> tuple[bool, str]:
        if self._online and self._ack_overdue_in() > 0:
            return True, f"kafka {self._bootstrap} topic {self._topic}"
        if self._online:
            return False, f"kafka {self._bootstrap} has not acknowledged for {self._ack_timeout_s:g} s"
        since = time.strftime("%H:%M:%S", time.localtime(self._offline_since or time.time()))
        return False, (
            f"kafka {self._bootstrap} unreachable since {since}; "
            f"{self._spool.backlog} records spooled in {self._spool.directory}"
        )

    @property
    def spool_directory(self) -> Path:
        """This process's spool directory (under `log.spool_dir`)."""
        return self._spool.directory

    # the background task

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._step()
            except Exception:
                # A bug here must not end the log pipeline: records stay queued and the next step retries.
                log.exception("exchange log pipeline step failed; retrying")
                await self._sleep(self._probe_interval_s)

    async def _step(self) -> None:
        if self._broker_error is not None:
            await self._go_offline(self._broker_error)
        elif self._online and self._ack_overdue_in() <= 0:
            # A dead broker refuses nothing: sends just wait for the 10 s request timeout while records
            # pile up in memory. The oldest unacknowledged record tells within ack_timeout_s.
            await self._go_offline(f"no acknowledgement for {self._ack_timeout_s:g} s")
        await self._spool_undelivered()
        if not self._online:
            await self._spool_oldest(len(self._queue))
            wait = self._next_probe - time.monotonic()
            if wait > 0 or not await self._connect_while_spooling():
                if wait <= 0:
                    self._next_probe = time.monotonic() + self._probe_interval_s
                await self._sleep(max(wait, 0) or self._probe_interval_s)
                return
            self._came_back()
        await self._spool_oldest(len(self._queue) - self._queue_max)
        if self._spool.backlog:
            await self._replay()
        elif self._queue:
            await self._linger()
            await self._pump()
        else:
            await self._sleep(self._ack_overdue_in() if self._inflight else None)

    def _ack_overdue_in(self) -> float:
        """Seconds until the oldest in-flight batch is overdue (infinite when none is in flight)."""
        if not self._inflight:
            return float("inf")
        sent_at = next(iter(self._inflight.values()))[2]
        return sent_at + self._ack_timeout_s - asyncio.get_running_loop().time()

    async def _sleep(self, seconds: float | None) -> None:
        """Until `submit()` or a delivery callback wakes us (or `seconds` pass)."""
        self._wake.clear()
        if self._queue or self._undelivered or self._stopping:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _linger(self) -> None:
        """Give a short queue `kafka.linger_ms` to grow, so that batches are not a record or two each."""
        if self._linger_s and len(self._queue) < self._batch_size and not self._stopping:
            await asyncio.sleep(self._linger_s)

    async def _pump(self) -> None:
        """Hand up to `batch_size` queued records to the producer as one batch per partition;
        acknowledgements arrive per batch in `_delivered`."""
        producer = self._producer
        assert producer is not None
        try:
            failure = await self._fill_and_send(producer)
        except BaseException:
            self._spill_open()  # a bug or a cancellation: records taken from the queue go to the spool
            raise
        if failure is not None:
            await self._go_offline(failure)

    async def _fill_and_send(self, producer: AIOKafkaProducer) -> str | None:
        """Serialise queued records into batches, sending each when full and the rest at the end; the
        reason the producer failed, or None. Every record taken from the queue is in `_open` until its
        batch is in `_inflight`, so that a failure at any await spools it."""
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(loop.time() + self._ack_timeout_s) as send_deadline:
                try:
                    all_partitions, available = await self._partitions(producer)
                except Exception as exc:
                    return _describe(exc)
                send_deadline.reschedule(None)
                filling: dict[int, _Batch] = {}
                count = min(len(self._queue), self._batch_size)
                every = _YIELD_EVERY_IN_SHORT if count < _SHORT_PUMP else _YIELD_EVERY
                for done in range(count):
                    if done % every == every - 1:
                        # Serialising is CPU work: without this a large batch would hold the event loop
                        # (and every request on it) for tens of milliseconds.
                        await asyncio.sleep(0)
                        if not self._queue:
                            break
                    exchange = self._queue.popleft()
                    payload = self._serialise(exchange)
                    if payload is None:
                        continue
                    key = exchange.exchange_id.encode()
                    partition = partition_by_crc32(key, all_partitions, available)
                    full = self._add(producer, filling, partition, key, payload)
                    if full is not None and (failure := await self._send_open(producer, full, send_deadline)):
                        return failure
                while self._open:
                    if failure := await self._send_open(producer, self._open[0], send_deadline):
                        return failure
        except TimeoutError:
            return f"the producer took nothing for {self._ack_timeout_s:g} s"
        return None

    def _add(
        self,
        producer: AIOKafkaProducer,
        filling: dict[int, _Batch],
        partition: int,
        key: bytes,
        payload: bytes,
    ) -> _Batch | None:
        """Append a record to its partition's batch, a started batch joining `_open`; the batch it found
        full (to send now), if any."""
        full, started = _append(producer, filling, partition, key, payload)
        if started is not None:
            self._open.append(started)
        return full

    async def _send_open(
        self, producer: AIOKafkaProducer, batch: _Batch, send_deadline: asyncio.Timeout
    ) -> str | None:
        """Send an open batch, moving it to `_inflight`; the reason it stays open if the producer fails."""
        try:
            future = await self._hand_over(producer, batch, send_deadline)
        except Exception as exc:  # the producer is closing or refuses the batch
            return _describe(exc)
        self._open.remove(batch)
        sequence = next(self._sequence)
        self._inflight[sequence] = (batch.payloads, future, asyncio.get_running_loop().time())
        future.add_done_callback(partial(self._delivered, sequence))
        return None

    async def _hand_over(
        self, producer: AIOKafkaProducer, batch: _Batch, send_deadline: asyncio.Timeout
    ) -> asyncio.Future[Any]:
        """`send_batch()`, which waits while the partition's previous batch is unsent (while the broker
        takes nothing), under the blocked-send deadline; the batch's delivery future."""
        batch.builder.close()  # complete as it is: the producer's send() may not add to it, nor linger on it
        send_deadline.reschedule(asyncio.get_running_loop().time() + self._ack_timeout_s)
        future: asyncio.Future[Any] = await producer.send_batch(
            batch.builder, self._topic, partition=batch.partition
        )
        send_deadline.reschedule(None)
        return future

    async def _partitions(self, producer: AIOKafkaProducer) -> tuple[list[int], list[int]]:
        """The topic's partitions, all and available: `partition_by_crc32`'s arguments, as the producer's
        own partitioner gets them (the layout of every record since the topic was created)."""
        all_partitions = list(await producer.partitions_for(self._topic))
        return all_partitions, list(producer.client.cluster.available_partitions_for_topic(self._topic))

    def _delivered(self, sequence: int, future: asyncio.Future[Any]) -> None:
        succeeded = _succeeded(future)  # retrieves a failure, so asyncio does not report it as unseen
        entry = self._inflight.pop(sequence, None)
        if entry is None:
            return  # already settled when the producer was torn down
        if succeeded:
            self._counts["produced"] += len(entry[0])
            return
        self._undelivered.extend(entry[0])
        if self._online and self._broker_error is None:
            self._broker_error = _describe(future.exception()) if not future.cancelled() else "send cancelled"
        self._wake.set()

    async def _replay(self) -> None:
        """Send spooled records oldest first, deleting each segment once all of it is acknowledged."""
        await asyncio.to_thread(self._seal_and_adopt)
        for segment in self._spool.segments():
            lines = await asyncio.to_thread(self._spool.read, segment)
            for start in range(0, len(lines), _REPLAY_CHUNK):
                if self._stopping:
                    return
                chunk = lines[start : start + _REPLAY_CHUNK]
                if not await self._send_and_wait(chunk):
                    return
                await asyncio.to_thread(self._spool.acknowledge, segment, len(chunk))
                self._counts["replayed"] += len(chunk)
                await self._spool_oldest(len(self._queue) - self._queue_max)
            await asyncio.to_thread(self._spool.remove, segment)

    def _seal_and_adopt(self) -> None:
        self._spool.seal()
        self._spool.adopt_orphans()

    async def _send_and_wait(self, lines: list[bytes]) -> bool:
        """Send spooled records as batches per partition and wait until all are acknowledged; False (and
        offline) when the broker fails."""
        producer = self._producer
        assert producer is not None
        futures: list[asyncio.Future[Any]] = []
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(loop.time() + self._ack_timeout_s) as send_deadline:
                all_partitions, available = await self._partitions(producer)
                send_deadline.reschedule(None)
                filling: dict[int, _Batch] = {}
                for index, line in enumerate(lines):
                    if index % _YIELD_EVERY == _YIELD_EVERY - 1:
                        await asyncio.sleep(0)  # parsing the keys is CPU work too
                    key = self._spooled_key(line)
                    if key is None:
                        continue
                    partition = partition_by_crc32(key, all_partitions, available)
                    full, _started = _append(producer, filling, partition, key, line)
                    if full is not None:
                        futures.append(await self._hand_over(producer, full, send_deadline))
                for batch in filling.values():
                    futures.append(await self._hand_over(producer, batch, send_deadline))
        except TimeoutError:
            await self._go_offline(f"the producer took nothing for {self._ack_timeout_s:g} s")
            return False
        except Exception as exc:  # the producer is closing or refuses the batch
            await self._go_offline(_describe(exc))
            return False
        pending: set[asyncio.Future[Any]] = set(futures)
        while pending:
            # A chunk may take a while under load, but the broker must show progress every ack_timeout_s.
            done, pending = await asyncio.wait(pending, timeout=self._ack_timeout_s)
            if not done:
                await self._go_offline(f"no acknowledgement for {self._ack_timeout_s:g} s")
                return False
            errors = [f for f in done if not _succeeded(f)]
            if errors:
                error = errors[0]
                await self._go_offline(
                    "send cancelled" if error.cancelled() else _describe(error.exception())
                )
                return False
        return True

    # records and the spool

    def _spooled_key(self, line: bytes) -> bytes | None:
        """A spooled record's message key, its exchange id; None (counted as failed) if it is unreadable."""
        try:
            key: bytes = orjson.loads(line)["exchange_id"].encode()
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            self._counts["failed"] += 1
            log.error("unreadable record in the spool; skipped: %.80r", line)
            return None
        return key

    def _serialise(self, exchange: Exchange) -> bytes | None:
        """The record as JSON; None (counted as failed) only for an exchange no record can be built of."""
        service = self._policies.get(exchange.service_key)
        if service is None:
            service = self._policies[exchange.service_key] = self._settings.service(
                exchange.service_key or ""
            )
        try:
            record = to_record(exchange, service.body_policy, service.body_cap_bytes, self._masker)
            return orjson.dumps(record)
        except Exception:
            # Never lose the record to a masking bug: log it without bodies instead.
            log.exception("masking failed for exchange %s; logging it without bodies", exchange.exchange_id)
        try:
            return orjson.dumps(to_record(exchange, "off", 0, self._masker))
        except Exception:
            log.exception("cannot build a record of exchange %s; dropped", exchange.exchange_id)
            self._counts["failed"] += 1
            return None

    async def _spool_oldest(self, count: int) -> None:
        """Move the `count` oldest queued exchanges to the spool."""
        if count <= 0:
            return
        built = [self._serialise(self._queue.popleft()) for _ in range(min(count, len(self._queue)))]
        lines = [line for line in built if line is not None]
        await self._append_to_spool(lines)

    async def _spool_undelivered(self) -> None:
        if self._undelivered:
            lines, self._undelivered = self._undelivered, []
            await self._append_to_spool(lines)

    async def _append_to_spool(self, lines: list[bytes]) -> None:
        try:
            await asyncio.to_thread(self._spool.append, lines)
        except OSError as exc:
            # Disk full or unwritable: keep the records in memory and retry on the next step.
            log.error(
                "cannot write the spool %s (%s); keeping %d records in memory",
                self._spool.directory,
                exc,
                len(lines),
            )
            self._undelivered[:0] = lines
            await asyncio.sleep(self._probe_interval_s)
            return
        self._counts["spooled"] += len(lines)

    def _take_inflight(self) -> None:
        """Settle in-flight batches now: acknowledged ones count as produced, the rest (oldest first, then
        the batches never sent) go to the undelivered list; their callbacks, if they still run, then find
        nothing to do."""
        for key in sorted(self._inflight):
            payloads, future, _sent_at = self._inflight[key]
            if _succeeded(future):
                self._counts["produced"] += len(payloads)
            else:
                self._undelivered.extend(payloads)
        self._inflight.clear()
        self._spill_open()

    def _spill_open(self) -> None:
        for batch in self._open:
            self._undelivered.extend(batch.payloads)
        self._open.clear()

    def _open_records(self) -> int:
        return sum(len(batch.payloads) for batch in self._open)

    def _inflight_records(self) -> int:
        return sum(len(payloads) for payloads, _future, _sent_at in self._inflight.values())

    # broker connection

    async def _connect_while_spooling(self) -> bool:
        """`_connect()`, spooling what arrives meanwhile: a probe can take a while, and records must not
        wait for it in memory."""
        probe = spawn(self._connect(), name="ndxp-logpipe-probe")
        while not probe.done():
            await self._spool_oldest(len(self._queue))
            self._wake.clear()
            woken = spawn(self._wake.wait(), name="ndxp-logpipe-wake")
            await asyncio.wait({probe, woken}, return_when=asyncio.FIRST_COMPLETED)
            woken.cancel()
        return bool(probe.result())

    async def _connect(self) -> bool:
        """Make sure the topic exists and start a fresh producer; False when the broker is not reachable."""
        try:
            await self._ensure_topic()
            self._producer = await self._start_producer()
        except Exception as exc:
            log.debug("Kafka %s not reachable: %s", self._bootstrap, _describe(exc))
            return False
        self._online = True
        self._broker_error = None
        return True

    async def _start_producer(self) -> AIOKafkaProducer:
        producer = self._new_producer(self._idempotence)
        try:
            await producer.start()
        except UnknownError:
            await producer.stop()
            if not self._idempotence:
                raise
            # tansu (the embedded broker) rejects InitProducerId; delivery stays at-least-once without it.
            log.info(
                "Kafka %s does not support idempotent producers; producing without idempotence",
                self._bootstrap,
            )
            self._idempotence = False
            producer = self._new_producer(False)
            await producer.start()
        except BaseException:
            await producer.stop()
            raise
        return producer

    def _new_producer(self, idempotence: bool) -> AIOKafkaProducer:
        kafka = self._kafka
        timeout_ms = int(self._delivery_timeout_s * 1000)
        return AIOKafkaProducer(
            bootstrap_servers=self._bootstrap,
            client_id=f"ndxp-gateway-{self._settings.instance}",
            acks=kafka.acks,
            enable_idempotence=idempotence,
            compression_type=kafka.compression_type,
            max_batch_size=kafka.max_batch_size,
            request_timeout_ms=timeout_ms,
            metadata_max_age_ms=30_000,
            # No linger or partitioner: the sink builds, partitions and closes every batch itself
            # (`send_batch`), so the producer's own would never be used.
        )

    async def _ensure_topic(self) -> None:
        await ensure_topic(self._bootstrap, self._topic)

    async def _go_offline(self, reason: str) -> None:
        """Spool everything the producer had not delivered and abort it."""
        self._broker_error = None
        if self._online:
            self._went_offline(reason)
        self._online = False
        producer, self._producer = self._producer, None
        self._take_inflight()
        await self._spool_undelivered()
        if producer is not None:
            await _abort(producer)

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await self._close(producer)

    async def _close(self, producer: AIOKafkaProducer) -> None:
        try:
            # Unsent batches expire after delivery_timeout_s, so stop() returns within about that long.
            await asyncio.wait_for(producer.stop(), self._delivery_timeout_s + 5)
        except Exception as exc:
            log.debug("closing the Kafka producer: %s", _describe(exc))

    def _went_offline(self, reason: str) -> None:
        self._online = False
        self._offline_since = time.time()
        log.warning(
            "Kafka broker %s unavailable (%s): exchange records go to the spool %s until it is back",
            self._bootstrap,
            reason,
            self._spool.directory,
        )

    def _came_back(self) -> None:
        log.warning(
            "Kafka broker %s is back after %.0f s: replaying %d spooled records",
            self._bootstrap,
            time.time() - (self._offline_since or time.time()),
            self._spool.backlog,
        )
        self._offline_since = None


async def ensure_topic(bootstrap: str, topic: str) -> None:
    """Create the exchange topic with its partitions unless it exists (a broker may also auto-create it on
    the first record, with its own partition count)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await admin.start()
    try:
        if topic in await admin.list_topics():
            return
        response = await admin.create_topics([NewTopic(topic, TOPIC_PARTITIONS, 1)])
        for _topic, code, *_rest in getattr(response, "topic_errors", []):
            if code not in (0, _TOPIC_EXISTS):
                raise RuntimeError(f"cannot create topic {topic}: Kafka error {code}")
    finally:
        await admin.close()


def partition_by_crc32(key: bytes, all_partitions: list[int], available: list[int]) -> int:
    """Same key, same partition, like aiokafka's default — but crc32 in C instead of murmur2 in Python."""
    candidates = available or all_partitions
    return candidates[zlib.crc32(key) % len(candidates)]


async def _abort(producer: AIOKafkaProducer) -> None:
    """Stop a producer given up on at once. Its records are spooled already: a graceful stop would wait
    up to delivery_timeout_s and then still send its queued batches to a broker that comes back, a second
    copy of each. aiokafka has no public abort, hence its sender task by name; the batches it leaves
    behind are never sent (their records' futures stay pending and were settled by us already)."""
    sender = getattr(producer, "_sender", None)
    if sender is not None:
        with contextlib.suppress(Exception):
            await sender.close()  # cancels the task that sends (and retries) batches
    try:
        await asyncio.wait_for(producer.stop(), 5)
    except Exception as exc:
        log.debug("aborting the Kafka producer: %s", _describe(exc))


def _succeeded(future: asyncio.Future[Any]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "unknown error"
    text = str(exc)
    return text if text.startswith(type(exc).__name__) else f"{type(exc).__name__}: {text}"
