"""The indexer: consumes exchange records from Kafka into the exchange store, idempotently.

Offsets are committed only after the records are committed to the database, so a crash or a
database outage re-delivers records instead of losing them; the store ignores ones it already has.
Several indexers may run at once: they share the topic's partitions as one consumer group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from ndxp_sim.core.settings import Settings
from ndxp_sim.core.tasks import spawn
from ndxp_sim.gateway.logpipe.client_log import quiet_client_library
from ndxp_sim.gateway.store import InvalidRecordError, PreparedRecord, Store, decode, prepare

log = logging.getLogger(__name__)

_BACKOFF_START_S = 0.5
_BACKOFF_MAX_S = 30.0
_KAFKA_BACKOFF_MAX_S = 5.0  # a broker that comes back is noticed within this long
_START_TIMEOUT_S = 20.0
# An idle consumer asks for metadata this often: aiokafka alone never says it lost the broker.
_PROBE_EVERY_S = 1.0
# Faults that say nothing about the records: keep the batch and try again.
_TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError, OSError, TimeoutError)


@dataclass(slots=True)
class IndexerCounters:
    consumed: int = 0
    inserted: int = 0
    duplicates: int = 0
    bad: int = 0


class Indexer:
    """Kafka topic → exchange store, in consumer group `settings.kafka.group_id`."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: Store | None = None,
        poll_timeout_ms: int = 500,
        max_records: int = 1000,
        retention_every_s: float = 600.0,
        drain_s: float = 20.0,
    ) -> None:
        self._settings = settings
        self._store = store or Store(settings.store.url)
        self._owns_store = store is None
        self._poll_timeout_ms = poll_timeout_ms
        self._max_records = max_records
        self._retention_every_s = retention_every_s
        self._drain_s = drain_s
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.counters = IndexerCounters()

    def stats(self) -> dict[str, int]:
        return asdict(self.counters)

    async def start(self) -> None:
        """Run in the background until `stop()`."""
        self._task = spawn(self.run(), name="indexer")

    async def stop(self) -> None:
        self.request_stop()
        if self._task is not None:
            await self._task
            self._task = None

    def request_stop(self) -> None:
        """Ask `run()` to index what the topic still holds and return; safe from a signal handler."""
        self._stopping.set()

    async def run(self) -> None:
        """Index until `request_stop()`."""
        if self._owns_store:
            await self._store.start()
        retention = spawn(self._retention_loop(), name="indexer-retention")
        try:
            await self._consume_until_stopped()
        finally:
            retention.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retention
            if self._owns_store:
                await self._store.stop()

    async def _consume_until_stopped(self) -> None:
        """One line when the broker goes, one when it is back, and growing pauses between reconnections."""
        quiet_client_library()
        servers, backoff, outage = self._settings.kafka_bootstrap, _BACKOFF_START_S, False
        while not self._stopping.is_set():
            consumer = self._consumer(servers)
            try:
                # start() waits for the group coordinator as long as it takes, and succeeds without a
                # broker once metadata is cached: bound the one, probe the other.
                await asyncio.wait_for(consumer.start(), _START_TIMEOUT_S)
                await consumer.topics()
                if outage:
                    log.warning("Kafka broker at %s is back; indexing resumes", servers)
                    outage, backoff = False, _BACKOFF_START_S
                await self._poll(consumer)
            except (KafkaError, TimeoutError) as exc:
                if not outage:
                    reason = str(exc) or type(exc).__name__
                    log.warning("Kafka broker at %s unreachable (%s); retrying with backoff", servers, reason)
                    outage = True
                await self._pause(backoff)
                backoff = min(backoff * 2, _KAFKA_BACKOFF_MAX_S)
            finally:
                await _close(consumer)

    async def _poll(self, consumer: AIOKafkaConsumer) -> None:
        """Index batches until stopped; KafkaError once the broker stops answering metadata requests.

        Asked to stop, it first consumes what the topic still holds (until a poll comes back empty, at
        most `drain_s`): `ndxp-sim up` stops the gateway first, and the embedded broker forgets
        everything when it stops next."""
        loop = asyncio.get_running_loop()
        next_probe = loop.time() + _PROBE_EVERY_S
        drain_until: float | None = None
        while drain_until is None or loop.time() < drain_until:
            if drain_until is None and self._stopping.is_set():
                drain_until = loop.time() + self._drain_s
            batches = await consumer.getmany(timeout_ms=self._poll_timeout_ms, max_records=self._max_records)
            if batches:
                await self._index(consumer, batches)
                next_probe = loop.time() + _PROBE_EVERY_S
            elif self._stopping.is_set():
                return  # caught up
            elif loop.time() >= next_probe:
                await consumer.topics()
                next_probe = loop.time() + _PROBE_EVERY_S

    def _consumer(self, servers: str) -> AIOKafkaConsumer:
        kafka = self._settings.kafka
        return AIOKafkaConsumer(
            kafka.topic,
            bootstrap_servers=servers,
            group_id=kafka.group_id,
            client_id=f"{self._settings.instance}-indexer",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # An embedded broker restart recreates the topic: notice it within seconds, not minutes.
            metadata_max_age_ms=5000,
        )

    async def _index(
        self, consumer: AIOKafkaConsumer, batches: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]
    ) -> None:
        prepared = []
        for messages in batches.values():
            for message in messages:
                self.counters.consumed += 1
                try:
                    prepared.append(prepare(decode(message.value or b"")))
                except InvalidRecordError as exc:
                    self.counters.bad += 1
                    where = f"{message.topic}[{message.partition}]@{message.offset}"
                    log.warning("skipping bad record %s: %s", where, exc)
        inserted = await self._write(prepared)
        if inserted is None:
            return  # stopping before the database took the batch: leave the offsets for the next run
        self.counters.inserted += inserted
        self.counters.duplicates += len(prepared) - inserted
        offsets = {tp: messages[-1].offset + 1 for tp, messages in batches.items()}
        try:
            await consumer.commit(offsets)
        except (CommitFailedError, IllegalStateError) as exc:
            # The group rebalanced: the new owner re-delivers these records and the store ignores them.
            log.info("offset commit skipped after a rebalance: %s", exc)

    async def _write(self, prepared: Sequence[PreparedRecord]) -> int | None:
        """Store the batch, waiting out database outages; None if asked to stop before it succeeded."""
        backoff, outage = _BACKOFF_START_S, False
        while True:
            try:
                inserted = await self._write_isolating_refused(prepared)
            except _TRANSIENT_DB_ERRORS as exc:
                if not outage:
                    log.warning("exchange store unavailable (%s); retrying with backoff", exc)
                    outage = True
                if await self._pause(backoff):
                    return None
                backoff = min(backoff * 2, _BACKOFF_MAX_S)
            else:
                if outage:
                    log.warning("exchange store is back; indexing resumes")
                return inserted

    async def _write_isolating_refused(self, prepared: Sequence[PreparedRecord]) -> int:
        try:
            return await self._store.upsert_prepared(prepared)
        except _TRANSIENT_DB_ERRORS:
            raise
        except SQLAlchemyError:
            if len(prepared) == 1:
                raise
        # The database refused something in the batch (e.g. a NUL character in a text field on
        # PostgreSQL): write one at a time so only the refused records are skipped.
        inserted = 0
        for record in prepared:
            try:
                inserted += await self._store.upsert_prepared([record])
            except _TRANSIENT_DB_ERRORS:
                raise
            except SQLAlchemyError as exc:
                self.counters.bad += 1
                log.warning("store refused record %s: %s", record.row["exchange_id"], exc)
        return inserted

    async def _retention_loop(self) -> None:
        keep = timedelta(days=self._settings.store.retention_days)
        while not self._stopping.is_set():
            try:
                deleted = await self._store.delete_older_than(datetime.now(UTC) - keep)
            except SQLAlchemyError as exc:
                log.warning("retention delete failed (%s); retrying later", exc)
            else:
                if deleted:
                    log.info("retention: deleted %d exchanges older than %s", deleted, keep)
            if await self._pause(self._retention_every_s):
                return

    async def _pause(self, seconds: float) -> bool:
        """Sleep unless asked to stop; True when stopping."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()


async def _close(consumer: AIOKafkaConsumer) -> None:
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        # Not our cancellation: aiokafka re-raises its own fetch task's when the broker is already gone.
    except KafkaError as exc:
        log.info("Kafka consumer closed uncleanly: %s", exc)


def run_indexer(settings: Settings) -> None:
    """Run one indexer in the foreground until SIGINT or SIGTERM (`ndxp-sim indexer`)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> None:
    indexer = Indexer(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, indexer.request_stop)
    store = make_url(settings.store.url).render_as_string(hide_password=True)
    log.info("indexing %s from %s into %s", settings.kafka.topic, settings.kafka_bootstrap, store)
    await indexer.run()
    log.info("indexer stopped: %s", indexer.stats())
