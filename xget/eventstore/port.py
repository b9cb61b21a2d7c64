"""The event store port: what commands, projections and the relay need from the system of record."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

from xget.events import NewEvent, RecordedEvent

ANY_VERSION: int | None = None
"""Expected version that skips the concurrency check."""

NO_STREAM = 0
"""Expected version of a stream that must not exist yet."""


class ConcurrencyConflict(Exception):
    """The stream moved on since it was read: the expected version is stale. Nothing was written."""

    def __init__(self, stream_id: str, expected: int | None, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, expected {expected}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class AppendRequest(Protocol):
    """One stream's part of an atomic multi-stream append."""

    stream_id: str
    expected_version: int | None
    events: Sequence[NewEvent]


class EventStore(Protocol):
    """Append-only log of events in streams, with a global gap-free position."""

    async def append(self, stream_id: str, expected_version: int | None, events: Sequence[NewEvent]) -> int:
        """Append to one stream if it is at ``expected_version``; returns the last global position."""
        ...

    async def append_many(self, requests: Sequence[tuple[str, int | None, Sequence[NewEvent]]]) -> int:
        """Append to several streams atomically: all or none. Returns the last global position."""
        ...

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        """Events of one stream in version order."""
        ...

    async def first_event_ids(self, stream_ids: Sequence[str]) -> dict[str, str]:
        """The event id of the first event (version 1) of each of ``stream_ids`` that exists."""
        ...

    async def read_all(self, after_position: int, limit: int = 1000) -> list[RecordedEvent]:
        """Up to ``limit`` events with a position above ``after_position``, in position order."""
        ...

    async def head(self) -> int:
        """The position of the last committed event (0 when empty)."""
        ...

    def subscribe(self, after_position: int, batch_size: int = 1000) -> AsyncIterator[list[RecordedEvent]]:
        """Tail the store: batches of new events, forever, waking up on commit."""
        ...
