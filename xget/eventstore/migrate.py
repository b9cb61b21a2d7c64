"""Versioned SQL migrations, applied in file-name order at start of every process.

Files live in ``xget/migrations/NNNN_name.sql``. Each runs once, in its own transaction, and is
recorded with its checksum; a changed file that was already applied is an error, not a silent
re-run. An advisory lock makes concurrent starts (API, workers, relay) apply each file once.
"""

from __future__ import annotations

import hashlib
import logging
from importlib import resources

import asyncpg

log = logging.getLogger(__name__)

_LOCK_KEY = 0x58474554  # "XGET": one advisory lock for schema changes


class MigrationError(RuntimeError):
    """The database schema does not match the migrations shipped with this code."""


def _migration_files() -> list[tuple[str, str]]:
    root = resources.files("xget.migrations")
    files = sorted(p for p in root.iterdir() if p.name.endswith(".sql"))
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


async def migrate(conn: asyncpg.Connection) -> list[str]:
    """Apply pending migrations; returns the names applied now."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done = {r["name"]: r["checksum"] for r in await conn.fetch("SELECT name, checksum FROM schema_migrations")}
        for name, sql in _migration_files():
            checksum = hashlib.sha256(sql.encode()).hexdigest()
            if name in done:
                if done[name] != checksum:
                    raise MigrationError(f"migration {name} changed after it was applied; add a new file instead")
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", name, checksum)
            log.info("applied migration %s", name)
            applied_now.append(name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now
