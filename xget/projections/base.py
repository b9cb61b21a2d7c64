"""The projection contract and the folding helper the PostgreSQL read models share.

A PostgreSQL projection owns tables named ``<table>_g<generation>`` and a view ``<table>`` that
the API reads. Rebuilding builds generation N+1 beside N while N keeps serving, then swaps the
views and the checkpoint in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import asyncpg

from xget.events import Event, RecordedEvent


class Projection(Protocol):
    """What the runner and the rebuild need from a read model.

    Its checkpoint row (``checkpoints.name``) is locked by every batch and by a rebuild's switch,
    so they never interleave; a PostgreSQL read model writes inside that transaction, a MongoDB
    one writes idempotently before it commits.
    """

    name: str

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], generation: int) -> None:
        """Apply a batch of events (any types, in position order) while the caller's transaction
        holds the checkpoint row."""
        ...

    async def create_generation(self, conn: asyncpg.Connection, generation: int) -> None:
        """Create empty storage for ``generation`` (dropping leftovers of an aborted rebuild)."""
        ...

    async def activate(self, conn: asyncpg.Connection, generation: int) -> None:
        """Make readers use ``generation`` (inside the switch transaction)."""
        ...

    async def drop_generation(self, conn: asyncpg.Connection, generation: int) -> None:
        """Drop the storage of a generation nobody reads any more."""
        ...

    async def exists(self, conn: asyncpg.Connection, generation: int) -> bool:
        """Whether ``generation``'s storage exists."""
        ...


def table_name(table: str, generation: int) -> str:
    """Physical name of ``table`` in ``generation``."""
    return f"{table}_g{generation}"


class PostgresTables:
    """Generations of PostgreSQL tables behind views of the plain names the API reads."""

    tables: tuple[str, ...]

    def ddl(self, generation: int) -> str:
        """CREATE statements of this projection's tables for ``generation``."""
        raise NotImplementedError

    async def create_generation(self, conn: asyncpg.Connection, generation: int) -> None:
        """(Re)create the tables of ``generation``."""
        for table in self.tables:
            await conn.execute(f"DROP TABLE IF EXISTS {table_name(table, generation)}")
        await conn.execute(self.ddl(generation))

    async def activate(self, conn: asyncpg.Connection, generation: int) -> None:
        """Point the views at ``generation``; readers switch when the transaction commits."""
        for table in self.tables:
            await conn.execute(f"DROP VIEW IF EXISTS {table}")
            await conn.execute(f"CREATE VIEW {table} AS SELECT * FROM {table_name(table, generation)}")

    async def drop_generation(self, conn: asyncpg.Connection, generation: int) -> None:
        """Drop the tables of ``generation``."""
        for table in self.tables:
            await conn.execute(f"DROP TABLE IF EXISTS {table_name(table, generation)}")

    async def exists(self, conn: asyncpg.Connection, generation: int) -> bool:
        """Whether the tables of ``generation`` exist."""
        return await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table_name(self.tables[0], generation))


class FoldingProjection(PostgresTables):
    """A projection whose rows are states folded from events, keyed by one id column.

    Per batch: read the affected rows once, fold every event in memory, write each changed row
    once (upsert) and delete the removed ones. Replays are cheap because a row is written once
    per batch however many of its events the batch holds.
    """

    name: str
    tables: tuple[str, ...]
    table: str
    key_column: str = "id"
    columns: tuple[str, ...]

    def key(self, event: Event) -> str | None:
        """Row key an event affects, or None when it does not concern this projection."""
        raise NotImplementedError

    def new_state(self, key: str) -> Any:
        """State of a row that does not exist yet."""
        raise NotImplementedError

    def state_from_row(self, row: asyncpg.Record) -> Any:
        """State from a stored row."""
        raise NotImplementedError

    def row_from_state(self, state: Any) -> tuple[Any, ...] | None:
        """Row values in ``columns`` order, or None to delete the row."""
        raise NotImplementedError

    def fold(self, state: Any, recorded: RecordedEvent) -> None:
        """Apply one event to a state."""
        raise NotImplementedError

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], generation: int) -> None:
        """Fold a batch into the rows of ``generation``."""
        affected: dict[str, list[RecordedEvent]] = {}
        for recorded in events:
            key = self.key(recorded.event)
            if key is not None:
                affected.setdefault(key, []).append(recorded)
        if not affected:
            return
        table = table_name(self.table, generation)
        rows = await conn.fetch(
            f"SELECT {', '.join(self.columns)} FROM {table} WHERE {self.key_column} = ANY($1::text[])",
            list(affected),
        )
        states = {r[self.key_column]: self.state_from_row(r) for r in rows}
        upserts: list[tuple[Any, ...]] = []
        deletes: list[str] = []
        changes: list[tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]] = []
        for key, recorded_events in affected.items():
            old = states.get(key)
            before = self.row_from_state(old) if old is not None else None
            state = old or self.new_state(key)
            for recorded in recorded_events:
                self.fold(state, recorded)
            row = self.row_from_state(state)
            if row is None:
                deletes.append(key)
            else:
                upserts.append(row)
            if before != row:
                changes.append((before, row))
        if upserts:
            cols = ", ".join(self.columns)
            params = ", ".join(f"${i}" for i in range(1, len(self.columns) + 1))
            updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in self.columns if c != self.key_column)
            await conn.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({params}) "
                f"ON CONFLICT ({self.key_column}) DO UPDATE SET {updates}",
                upserts,
            )
        if deletes:
            await conn.execute(f"DELETE FROM {table} WHERE {self.key_column} = ANY($1::text[])", deletes)
        if changes:
            await self.after_write(conn, generation, changes)

    async def after_write(self, conn: asyncpg.Connection, generation: int,
                          changes: list[tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]]) -> None:
        """Hook for derived tables: (row before, row after) of every row the batch changed."""
