"""Runs a PostgreSQL projection: tail the event store, write each batch and its checkpoint in
one transaction, announce progress. One runner per projection is active (advisory lock)."""

from __future__ import annotations

import asyncio
import logging
import zlib

import asyncpg

from xget.aio import sleep_or_stop, until_first
from xget.bootstrap import PROJECTIONS_CHANNEL
from xget.eventstore.postgres import PostgresEventStore
from xget.events import RecordedEvent
from xget.observability.metrics import PROJECTION_APPLIED, PROJECTION_LAG
from xget.outages import OUTAGES, unlock
from xget.projections.base import Projection

log = logging.getLogger(__name__)


def projection_lock_key(name: str) -> int:
    """Advisory-lock key owning a projection (the live runner holds it while it runs)."""
    return 0x58470000 + (zlib.crc32(name.encode()) & 0xFFFF)


async def apply_batch(conn: asyncpg.Connection, store: PostgresEventStore, projection: Projection,
                      batch_size: int, announce: bool = False) -> int | None:
    """Apply the next batch after the checkpoint in one transaction; returns the new checkpoint,
    or None when there was nothing to do. The checkpoint row is locked first, so a rebuild's
    switch (which locks it too) never interleaves with a batch. With ``announce``, each step of a
    task's life is logged (the live tasks projection does it once for all read models)."""
    async with conn.transaction():
        row = await conn.fetchrow(
            "SELECT position, generation FROM checkpoints WHERE name = $1 FOR UPDATE", projection.name
        )
        events = await store.read_all(row["position"], batch_size, conn=conn)
        if not events:
            PROJECTION_LAG.labels(projection.name).set(0)
            return None
        await projection.apply(conn, events, row["generation"])
        position = events[-1].position
        await conn.execute(
            "UPDATE checkpoints SET position = $2, updated_at = now() WHERE name = $1", projection.name, position
        )
        await conn.execute("SELECT pg_notify($1, $2)", PROJECTIONS_CHANNEL, f"{projection.name}:{position}")
        head = position if len(events) < batch_size else await conn.fetchval("SELECT position FROM event_head")
    PROJECTION_APPLIED.labels(projection.name).inc(len(events))
    PROJECTION_LAG.labels(projection.name).set(max(0, head - position))
    if announce:
        _announce(events)
    return position


_LIFECYCLE = frozenset({"TaskCreated", "TaskUpdated", "TaskDeleted", "TaskStarted", "TaskStopped", "ExecutionStarted",
                        "ExecutionCompleted", "ExecutionFailed", "ExecutionStopped"})


def _announce(events: list[RecordedEvent]) -> None:
    # One line per step of a task's life, with the correlation id of the request that caused it,
    # so a single filter on that id reads the task's story across API, worker and projector.
    for recorded in events:
        if recorded.type in _LIFECYCLE:
            log.info("%s applied", recorded.type, extra={
                "event": recorded.type, "task_id": recorded.event.task_id, "position": recorded.position,
                "execution_id": getattr(recorded.event, "execution_id", None),
                "correlation_id": recorded.metadata.correlation_id, "event_id": recorded.event_id})


class ProjectionRunner:
    """Keeps one projection up to date until stopped."""

    def __init__(self, store: PostgresEventStore, projection: Projection, batch_size: int = 1000) -> None:
        self._store = store
        self._projection = projection
        self._batch_size = batch_size
        self.position = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Project until ``stop`` is set; stands by while another runner owns the projection, and
        waits out database outages (reconnecting and taking its lock again)."""
        while not stop.is_set():
            try:
                await self._run_locked(stop)
            except OUTAGES as exc:
                log.warning("projection %s: %s (%s); retrying in 1s", self._projection.name,
                            type(exc).__name__, exc)
                await sleep_or_stop(stop, 1.0)
            except Exception:  # noqa: BLE001 - nothing restarts the projector: log, back off, retry
                log.exception("projection %s: unexpected error; retrying in 5s", self._projection.name)
                await sleep_or_stop(stop, 5.0)

    async def _run_locked(self, stop: asyncio.Event) -> None:
        name = self._projection.name
        async with self._store.pool.acquire() as conn:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", projection_lock_key(name)):
                log.info("projection %s is run elsewhere; standing by", name)
                if await sleep_or_stop(stop, 2.0):
                    return
            log.info("projection %s running", name)
            try:
                while not stop.is_set():
                    token = self._store.change_token()
                    position = await apply_batch(conn, self._store, self._projection, self._batch_size,
                                                 announce=self._projection.name == "tasks")
                    if position is not None:
                        self.position = position
                        continue
                    await until_first(stop, self._store.wait_for_new(token))
            finally:
                await unlock(conn, projection_lock_key(name))
