"""Creating and switching the generations of the PostgreSQL projections' tables."""

from __future__ import annotations

import asyncpg

from xget.projections.base import PostgresProjection, table_name
from xget.projections.registry import POSTGRES_PROJECTIONS

_LOCK_KEY = 0x58475052  # projection schema changes


async def create_generation(conn: asyncpg.Connection, projection: PostgresProjection, generation: int) -> None:
    """(Re)create the tables of ``generation``, dropping leftovers of an aborted rebuild."""
    for table in projection.tables:
        await conn.execute(f"DROP TABLE IF EXISTS {table_name(table, generation)}")
    await conn.execute(projection.ddl(generation))


async def point_views(conn: asyncpg.Connection, projection: PostgresProjection, generation: int) -> None:
    """Make the views the API reads select from ``generation`` (inside the caller's transaction)."""
    for table in projection.tables:
        await conn.execute(f"DROP VIEW IF EXISTS {table}")
        await conn.execute(f"CREATE VIEW {table} AS SELECT * FROM {table_name(table, generation)}")


async def drop_generation(conn: asyncpg.Connection, projection: PostgresProjection, generation: int) -> None:
    """Drop the tables of a generation nobody reads any more."""
    for table in projection.tables:
        await conn.execute(f"DROP TABLE IF EXISTS {table_name(table, generation)}")


async def ensure_projection_schema(conn: asyncpg.Connection) -> None:
    """Give every projection a checkpoint row, the tables of its current generation and views.

    Idempotent and safe to run from every process at start (an advisory lock orders them).
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK_KEY)
        for name, projection in POSTGRES_PROJECTIONS.items():
            generation = await conn.fetchval(
                "INSERT INTO checkpoints (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name "
                "RETURNING generation",
                name,
            )
            exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL",
                                         table_name(projection.tables[0], generation))
            if not exists:
                await create_generation(conn, projection, generation)
                await point_views(conn, projection, generation)
