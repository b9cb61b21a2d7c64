"""The event store on PostgreSQL through asyncpg (see migrations/0001_event_store.sql)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from xget.events import Metadata, NewEvent, RecordedEvent, decode_event, encode_event
from xget.eventstore.notifier import Notifier
from xget.eventstore.port import ConcurrencyConflict

EVENTS_CHANNEL = "xget_events"

_APPEND = "SELECT xget_append($1, $2, $3::uuid[], $4, $5, $6, $7::json[], $8::jsonb[], $9)"
_COLUMNS = "position, stream_id, version, event_id::text, type, schema_version, occurred_at, metadata::text, data::text"

_metadata_decoder = msgspec.json.Decoder(Metadata)
_encode = msgspec.json.encode


def _row_to_event(row: asyncpg.Record) -> RecordedEvent:
    position, stream_id, version, event_id, type_name, schema_version, occurred_at, metadata, data = row
    return RecordedEvent(
        position=position,
        stream_id=stream_id,
        version=version,
        event_id=event_id,
        type=type_name,
        schema_version=schema_version,
        occurred_at=occurred_at,
        metadata=_metadata_decoder.decode(metadata),
        event=decode_event(type_name, schema_version, data),
    )


def _append_args(stream_id: str, expected: int | None, events: Sequence[NewEvent]) -> tuple[Any, ...]:
    ids: list[str] = []
    types: list[str] = []
    versions: list[int] = []
    keys: list[str] = []
    data: list[str] = []
    metadata: list[str] = []
    times: list[datetime] = []
    for new in events:
        cls = type(new.event)
        ids.append(new.event_id)
        types.append(cls.type_name())
        versions.append(cls.schema_version)
        keys.append(new.event.task_id)
        data.append(encode_event(new.event).decode())
        metadata.append(_encode(new.metadata).decode())
        times.append(new.occurred_at)
    return (stream_id, expected, ids, types, versions, keys, data, metadata, times)


def _conflict(stream_id: str, expected: int | None, exc: asyncpg.PostgresError) -> ConcurrencyConflict:
    detail = getattr(exc, "detail", None) or "-1"
    return ConcurrencyConflict(stream_id, expected, int(detail))


class PostgresEventStore:
    """Implements :class:`xget.eventstore.port.EventStore` on an asyncpg pool.

    Appends are one round trip each (the ``xget_append`` function). Positions are gap-free and
    commit in order, so ``read_all(after)`` never misses an event that commits later.
    """

    def __init__(self, pool: asyncpg.Pool, notifier: Notifier | None = None, poll_interval: float = 0.5) -> None:
        self._pool = pool
        self._notifier = notifier
        self._poll_interval = poll_interval

    @property
    def pool(self) -> asyncpg.Pool:
        """The connection pool the store uses (shared with the projections' queries)."""
        return self._pool

    async def append(self, stream_id: str, expected_version: int | None, events: Sequence[NewEvent]) -> int:
        """Append ``events`` to ``stream_id`` if it is at ``expected_version``; returns the last position."""
        if not events:
            raise ValueError("append needs at least one event")
        try:
            return await self._pool.fetchval(_APPEND, *_append_args(stream_id, expected_version, events))
        except asyncpg.UniqueViolationError as exc:
            # Only possible with a duplicate event id: a retried append that already succeeded.
            raise ConcurrencyConflict(stream_id, expected_version, -1) from exc
        except asyncpg.PostgresError as exc:
            if exc.sqlstate == "XG001":
                raise _conflict(stream_id, expected_version, exc) from None
            raise

    async def append_many(self, requests: Sequence[tuple[str, int | None, Sequence[NewEvent]]]) -> int:
        """Append to several streams in one transaction: all or none."""
        if not requests:
            raise ValueError("append_many needs at least one stream")
        last = 0
        async with self._pool.acquire() as conn, conn.transaction():
            for stream_id, expected, events in requests:
                try:
                    last = await conn.fetchval(_APPEND, *_append_args(stream_id, expected, events))
                except asyncpg.PostgresError as exc:
                    if exc.sqlstate == "XG001":
                        raise _conflict(stream_id, expected, exc) from None
                    raise
        return last

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        """Events of ``stream_id`` with a version above ``after_version``, in order."""
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version",
            stream_id,
            after_version,
        )
        return [_row_to_event(r) for r in rows]

    async def first_event_ids(self, stream_ids: Sequence[str]) -> dict[str, str]:
        """The event id of the first event (version 1) of each of ``stream_ids`` that exists, in
        one query."""
        rows = await self._pool.fetch("SELECT stream_id, event_id::text AS event_id FROM events "
                                      "WHERE stream_id = ANY($1::text[]) AND version = 1", list(stream_ids))
        return {r["stream_id"]: r["event_id"] for r in rows}

    async def stream_version(self, stream_id: str) -> int:
        """Current version of ``stream_id`` (0 when it does not exist)."""
        return await self._pool.fetchval(
            "SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", stream_id
        )

    async def read_all(self, after_position: int, limit: int = 1000,
                       conn: asyncpg.Connection | None = None) -> list[RecordedEvent]:
        """Up to ``limit`` events after ``after_position``. Positions are gap-free, so a range suffices."""
        rows = await self.read_all_raw(after_position, limit, conn=conn)
        return [_row_to_event(r) for r in rows]

    async def read_all_raw(self, after_position: int, limit: int = 1000, routing_key: str | None = None,
                           columns: str = _COLUMNS, conn: asyncpg.Connection | None = None) -> list[asyncpg.Record]:
        """Undecoded rows after ``after_position`` (for the relay, which forwards JSON as it is);
        on ``conn`` when given, so a projection reads inside its own transaction."""
        db = conn if conn is not None else self._pool
        if routing_key is None:
            return await db.fetch(
                f"SELECT {columns} FROM events WHERE position > $1 AND position <= $1 + $2 ORDER BY position",
                after_position,
                limit,
            )
        return await db.fetch(
            f"SELECT {columns} FROM events WHERE routing_key = $3 AND position > $1 ORDER BY position LIMIT $2",
            after_position,
            limit,
            routing_key,
        )

    async def head(self) -> int:
        """Position of the last committed event."""
        return await self._pool.fetchval("SELECT coalesce(max(position), 0) FROM events")

    def change_token(self) -> int:
        """Take before reading; pass to :meth:`wait_for_new` so no commit slips in between."""
        return self._notifier.seq(EVENTS_CHANNEL) if self._notifier is not None else 0

    async def wait_for_new(self, token: int | None = None, timeout: float | None = None) -> None:
        """Sleep until an append commits after ``token`` was taken, or the poll interval passes."""
        timeout = self._poll_interval if timeout is None else timeout
        if self._notifier is None:
            await asyncio.sleep(timeout)
        else:
            await self._notifier.wait(EVENTS_CHANNEL, timeout, since=token)

    async def subscribe(self, after_position: int, batch_size: int = 1000) -> AsyncIterator[list[RecordedEvent]]:
        """Yield batches of events after ``after_position`` as they commit, forever."""
        position = after_position
        while True:
            token = self.change_token()
            batch = await self.read_all(position, batch_size)
            if batch:
                position = batch[-1].position
                yield batch
                continue
            await self.wait_for_new(token)
