"""Rebuilding a PostgreSQL projection from the event store while the old one keeps serving.

1. Build generation N+1 from position 0 in fresh tables, in batches (the live runner keeps
   writing generation N meanwhile; readers see N).
2. Switch in one transaction: lock the checkpoint row (the live runner waits), apply what was
   appended since, point the views at N+1 and move the checkpoint to it. Readers see N until
   that commit and N+1 after it, never a mix; the live runner carries on with N+1.
3. Drop generation N.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

from xget.bootstrap import PROJECTIONS_CHANNEL
from xget.eventstore.postgres import PostgresEventStore
from xget.outages import unlock
from xget.projections.base import Projection

log = logging.getLogger(__name__)

class RebuildInProgress(RuntimeError):
    """Another rebuild of the same projection is running (both would build the same generation)."""


Progress = Callable[[int, int], None]
"""Called with (position reached, head position) after every batch."""


async def rebuild(store: PostgresEventStore, projection: Projection, batch_size: int = 5000,
                  progress: Progress | None = None) -> tuple[int, int]:
    """Rebuild ``projection``; returns (new generation, position it was switched at)."""
    pool = store.pool
    async with pool.acquire() as conn:
        # One rebuild per projection at a time; the lock is the session's, so a crashed rebuild
        # frees it with its connection.
        key = await conn.fetchval("SELECT hashtext('rebuild:' || $1)::bigint", projection.name)
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
            raise RebuildInProgress(f"a rebuild of {projection.name} is already running")
        try:
            return await _rebuild(conn, store, projection, batch_size, progress)
        finally:
            await unlock(conn, key)


async def _rebuild(conn: asyncpg.Connection, store: PostgresEventStore, projection: Projection, batch_size: int,
                   progress: Progress | None) -> tuple[int, int]:
    """Build the next generation and switch to it (the caller holds the rebuild lock)."""
    old = await conn.fetchval("SELECT generation FROM checkpoints WHERE name = $1", projection.name)
    new = old + 1
    await projection.create_generation(conn, new)
    position = 0
    head = await store.head()
    # Catch up outside the switch transaction, so the live runner is blocked only briefly.
    while True:
        async with conn.transaction():
            events = await store.read_all(position, batch_size, conn=conn)
            if events:
                await projection.apply(conn, events, new)
        if not events:
            break
        position = events[-1].position
        if position >= head:
            head = await store.head()
        if progress:
            progress(position, max(head, position))
    async with conn.transaction():
        await conn.fetchrow("SELECT 1 FROM checkpoints WHERE name = $1 FOR UPDATE", projection.name)
        while events := await store.read_all(position, batch_size, conn=conn):
            await projection.apply(conn, events, new)
            position = events[-1].position
        await projection.activate(conn, new)
        await conn.execute(
            "UPDATE checkpoints SET generation = $2, position = $3, updated_at = now() WHERE name = $1",
            projection.name, new, position,
        )
        await conn.execute("SELECT pg_notify($1, $2)", PROJECTIONS_CHANNEL, f"{projection.name}:{position}")
    if progress:
        progress(position, position)
    # Readers of a store outside this transaction (MongoDB) may still hold the old generation
    # for a moment; PostgreSQL readers moved atomically with the views.
    await asyncio.sleep(getattr(projection, "grace_seconds", 0.0))
    await projection.drop_generation(conn, old)
    log.info("projection %s rebuilt as generation %d at position %d", projection.name, new, position)
    return new, position
