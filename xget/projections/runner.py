"""Runs PostgreSQL projections: tail the event store, write each batch and its checkpoint in
one transaction, announce progress. One runner per projection is active (advisory lock).

A runner may own a group of projections: each batch is applied to all of them in the same
transaction, so readers never see one ahead of the other (a task COMPLETED while its execution
still reads RUNNING, or the reverse)."""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import Sequence

import asyncpg

from xget.aio import sleep_or_stop, until_first
from xget.bootstrap import PROJECTIONS_CHANNEL
from xget.eventstore.postgres import PostgresEventStore
from xget.events import RecordedEvent
from xget.observability.metrics import PROJECTION_APPLIED, PROJECTION_LAG
from xget.outages import OUTAGES, take_locks, unlock
from xget.projections.base import Projection

log = logging.getLogger(__name__)


def projection_lock_key(name: str) -> int:
    """Advisory-lock key owning a projection (the live runner holds it while it runs)."""
    return 0x58470000 + (zlib.crc32(name.encode()) & 0xFFFF)


async def apply_batch(conn: asyncpg.Connection, store: PostgresEventStore,
                      projections: Projection | Sequence[Projection], batch_size: int) -> int | None:
    """Apply the next batch after the checkpoint(s) in one transaction; returns the new
    checkpoint, or None when there was nothing to do.

    The checkpoint rows are locked first (in name order, so two runners never deadlock), so a
    rebuild's switch (which locks its row too) never interleaves with a batch. Projections of a
    group may stand at different positions (one was just rebuilt): the batch starts at the lowest
    and each projection gets only the events after its own checkpoint, so none sees an event
    twice. When a projection of the batch ``announces`` (tasks does), each step of a task's life
    is logged after the commit, once for all read models."""
    group = [projections] if not isinstance(projections, Sequence) else list(projections)
    names = sorted(p.name for p in group)
    async with conn.transaction():
        rows = {r["name"]: r for r in await conn.fetch(
            "SELECT name, position, generation FROM checkpoints WHERE name = ANY($1::text[]) "
            "ORDER BY name FOR UPDATE", names)}
        missing = set(names) - rows.keys()
        if missing:
            raise LookupError(f"no checkpoint for projection(s) {', '.join(sorted(missing))}")
        events = await store.read_all(min(r["position"] for r in rows.values()), batch_size, conn=conn)
        if not events:
            for name in names:
                PROJECTION_LAG.labels(name).set(0)
            return None
        position = events[-1].position
        for projection in group:
            row = rows[projection.name]
            unseen = [e for e in events if e.position > row["position"]]
            if unseen:
                await projection.apply(conn, unseen, row["generation"])
                PROJECTION_APPLIED.labels(projection.name).inc(len(unseen))
        # One round trip moves every checkpoint still behind and announces each move (a
        # projection already past this batch keeps its position and said so when it got there).
        await conn.execute(_MOVE_CHECKPOINTS, names, position, PROJECTIONS_CHANNEL)
        head = position if len(events) < batch_size else await conn.fetchval("SELECT position FROM event_head")
    for name, row in rows.items():
        PROJECTION_LAG.labels(name).set(max(0, head - max(position, row["position"])))
    if any(getattr(p, "announces", False) for p in group):
        _announce(events)
    return position


_MOVE_CHECKPOINTS = """
WITH moved AS (
    UPDATE checkpoints SET position = $2, updated_at = now()
    WHERE name = ANY($1::text[]) AND position < $2
    RETURNING name
)
SELECT pg_notify($3, name || ':' || $2::text) FROM moved
"""


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
    """Keeps one projection, or a group applied together, up to date until stopped."""

    def __init__(self, store: PostgresEventStore, *projections: Projection, batch_size: int = 1000) -> None:
        if not projections:
            raise ValueError("a projection runner needs at least one projection")
        self._store = store
        self._group = sorted(projections, key=lambda p: p.name)
        self._name = "+".join(p.name for p in self._group)
        self._batch_size = batch_size
        self.position = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Project until ``stop`` is set; stands by while another runner owns a projection of the
        group, and waits out database outages (reconnecting and taking its locks again)."""
        while not stop.is_set():
            try:
                await self._run_locked(stop)
            except OUTAGES as exc:
                log.warning("projection %s: %s (%s); retrying in 1s", self._name, type(exc).__name__, exc)
                await sleep_or_stop(stop, 1.0)
            except Exception:  # noqa: BLE001 - nothing restarts the projector: log, back off, retry
                log.exception("projection %s: unexpected error; retrying in 5s", self._name)
                await sleep_or_stop(stop, 5.0)

    async def _run_locked(self, stop: asyncio.Event) -> None:
        keys = [projection_lock_key(p.name) for p in self._group]
        async with self._store.pool.acquire() as conn:
            if not await take_locks(conn, keys, stop, f"projection {self._name}"):
                return
            log.info("projection %s running", self._name)
            try:
                while not stop.is_set():
                    token = self._store.change_token()
                    position = await apply_batch(conn, self._store, self._group, self._batch_size)
                    if position is not None:
                        self.position = position
                        continue
                    await until_first(stop, self._store.wait_for_new(token))
            finally:
                for key in reversed(keys):
                    await unlock(conn, key)
