"""Giving every read model the storage of its current generation at start."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from xget.projections.base import Projection
from xget.projections.registry import POSTGRES_PROJECTIONS

_LOCK_KEY = 0x58475052  # projection schema changes


async def ensure_projection(conn: asyncpg.Connection, projection: Projection) -> int:
    """Give ``projection`` a checkpoint row and the storage of its current generation, with
    readers pointed at it; returns that generation. Idempotent; an advisory lock orders the
    processes that all do this at start."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        # A consumer with outside effects (the alerts) sets starts_at_head: its first checkpoint is
        # the current head, so a fresh start does not act on the whole history.
        start = "(SELECT position FROM event_head)" if getattr(projection, "starts_at_head", False) else "0"
        generation = await conn.fetchval(
            f"INSERT INTO checkpoints (name, position) VALUES ($1, {start}) "
            "ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING generation",
            projection.name,
        )
        if not await projection.exists(conn, generation):
            await projection.create_generation(conn, generation)
            await projection.activate(conn, generation)
        return generation


async def ensure_projection_schema(conn: asyncpg.Connection,
                                   projections: Iterable[Projection] = POSTGRES_PROJECTIONS.values()) -> None:
    """:func:`ensure_projection` for every PostgreSQL read model."""
    for projection in projections:
        await ensure_projection(conn, projection)
