"""The outbox relay: publishes every stored event to Kafka in global order (``xget relay``).

At least once: the checkpoint moves only after Kafka acknowledged the batch, so a crash between
the two re-sends events under their original ``event_id`` and subscribers drop them on it.
One relay is active at a time (a PostgreSQL advisory lock); others wait as hot standbys. The
lock lives on one connection, so the relay checks it before publishing each batch and moves the
checkpoint only on that connection while it still holds the lock: a relay whose lock connection
died stops publishing and queues up for the lock again instead of racing the relay that took over.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg
import msgspec
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from xget.aio import sleep_or_stop, until_first
from xget.events import Metadata
from xget.eventstore.postgres import PostgresEventStore
from xget.outbox.envelope import RESULT_EVENT_TYPES, envelope_value
from xget.outbox.topics import MAX_MESSAGE_BYTES, ensure_topics
from xget.observability.metrics import RELAY_LAG, RELAY_PUBLISHED
from xget.outages import OUTAGES, take_locks, unlock
from xget.settings import Settings

log = logging.getLogger(__name__)
_metadata_decoder = msgspec.json.Decoder(Metadata)

CHECKPOINT = "relay"
_LOCK_KEY = 0x58474552  # single active relay
_LOCK_TIMEOUT = 30.0  # seconds for a statement on the lock connection


def _holds_lock(key: str) -> str:
    """SQL: whether this session holds the advisory lock ``key`` (a bigint shows as classid, objid)."""
    return (f"EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted "
            f"AND classid = ({key}::bigint >> 32)::oid AND objid = ({key}::bigint & 4294967295)::oid "
            "AND objsubid = 1)")


_CHECK_LOCK = f"SELECT {_holds_lock('$1')}"
_SAVE_CHECKPOINT = (
    f"UPDATE checkpoints SET position = $2, updated_at = now() WHERE name = $1 AND {_holds_lock('$3')}"
)
RAW_COLUMNS = (
    "position, stream_id, version, event_id::text, type, schema_version, occurred_at, metadata::text, "
    "data::text, routing_key"
)


class LockLost(RuntimeError):
    """The relay no longer holds the single-active lock: another relay may be publishing."""


class Relay:
    """Tails the event store from its checkpoint and produces each event to its topic."""

    def __init__(self, settings: Settings, store: PostgresEventStore, batch_size: int = 2000,
                 on_progress: Callable[[int, int], None] | None = None) -> None:
        self._settings = settings
        self._store = store
        self._batch_size = batch_size
        self._on_progress = on_progress
        self.position = 0

    def producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._settings.kafka_bootstrap_servers,
            enable_idempotence=True,  # retries never duplicate or reorder within a partition
            acks="all",
            linger_ms=2,
            max_batch_size=1024 * 1024,
            max_request_size=MAX_MESSAGE_BYTES,
            request_timeout_ms=30000,
        )

    async def _load_checkpoint(self, lock_conn: asyncpg.Connection) -> int:
        await lock_conn.execute(
            "INSERT INTO checkpoints (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING", CHECKPOINT,
            timeout=_LOCK_TIMEOUT,
        )
        return await lock_conn.fetchval("SELECT position FROM checkpoints WHERE name = $1", CHECKPOINT,
                                        timeout=_LOCK_TIMEOUT)

    async def _check_lock(self, lock_conn: asyncpg.Connection) -> None:
        """Raise :class:`LockLost` unless ``lock_conn`` still holds the lock (a dead connection
        raises its own outage error: the lock died with it)."""
        if not await lock_conn.fetchval(_CHECK_LOCK, _LOCK_KEY, timeout=_LOCK_TIMEOUT):
            raise LockLost("the relay lock is no longer held")

    async def _save_checkpoint(self, lock_conn: asyncpg.Connection, position: int) -> None:
        """Move the checkpoint on the lock's own connection, only while it holds the lock: a relay
        that lost it can never move the checkpoint of the one that took over (backwards)."""
        status = await lock_conn.execute(_SAVE_CHECKPOINT, CHECKPOINT, position, _LOCK_KEY, timeout=_LOCK_TIMEOUT)
        if status != "UPDATE 1":
            raise LockLost("the relay lock is no longer held; checkpoint not moved")

    async def publish_batch(self, producer: AIOKafkaProducer, rows: list[asyncpg.Record]) -> None:
        """Send ``rows`` and wait until Kafka acknowledged every one of them."""
        tasks_topic = self._settings.kafka_topic_tasks
        results_topic = self._settings.kafka_topic_results
        futures = []
        for row in rows:
            type_name = row[4]
            metadata = row[7]
            headers = [
                ("type", type_name.encode()),
                ("schema_version", str(row[5]).encode()),
                ("event_id", row[3].encode()),
            ]
            correlation = _correlation_id(metadata)
            if correlation:
                headers.append(("correlation_id", correlation.encode()))
            topic = results_topic if type_name in RESULT_EVENT_TYPES else tasks_topic
            futures.append(await producer.send(topic, envelope_value(row), key=row[9].encode(), headers=headers))
        await asyncio.gather(*futures)

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Relay until ``stop`` is set. Kafka or PostgreSQL outages are waited out: the relay
        reconnects, takes its lock again and resumes at the checkpoint."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await ensure_topics(self._settings)
                await self._run_locked(stop)
            except (KafkaError, LockLost, *OUTAGES) as exc:
                log.warning("relay: %s (%s); resuming from the checkpoint in 1s", type(exc).__name__, exc)
                await sleep_or_stop(stop, 1.0)
            except Exception:  # noqa: BLE001 - nothing restarts the relay: log, back off, resume
                log.exception("relay: unexpected error; resuming from the checkpoint in 5s")
                await sleep_or_stop(stop, 5.0)

    async def _run_locked(self, stop: asyncio.Event) -> None:
        # The lock lives with its connection: if the database drops it, the lock is gone too. The
        # relay notices before its next batch (or when saving the checkpoint) and the outer loop
        # takes a connection and the lock again, standing by if another relay took over.
        async with self._store.pool.acquire() as lock_conn:
            if not await take_locks(lock_conn, [_LOCK_KEY], stop, "the relay"):
                return
            try:
                await self._relay(stop, lock_conn)
            finally:
                await unlock(lock_conn, _LOCK_KEY)

    async def _relay(self, stop: asyncio.Event, lock_conn: asyncpg.Connection) -> None:
        producer = self.producer()
        await producer.start()
        try:
            self.position = await self._load_checkpoint(lock_conn)
            log.info("relay resuming after position %d", self.position)
            while not stop.is_set():
                token = self._store.change_token()
                rows = await self._store.read_all_raw(self.position, self._batch_size, columns=RAW_COLUMNS)
                if not rows:
                    RELAY_LAG.set(0)
                    await until_first(stop, self._store.wait_for_new(token))
                    continue
                await self._check_lock(lock_conn)  # never publish for a relay that took over
                await self.publish_batch(producer, rows)
                self.position = rows[-1][0]
                await self._save_checkpoint(lock_conn, self.position)
                RELAY_PUBLISHED.inc(len(rows))
                head = self.position if len(rows) < self._batch_size else await self._store.head()
                RELAY_LAG.set(max(0, head - self.position))
                if self._on_progress:
                    self._on_progress(self.position, len(rows))
        finally:
            await producer.stop()


def _correlation_id(metadata_json: str) -> str | None:
    return _metadata_decoder.decode(metadata_json).correlation_id

