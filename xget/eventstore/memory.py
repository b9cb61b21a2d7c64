"""An in-memory event store with the same contract as the PostgreSQL one, for unit tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from xget.events import NewEvent, RecordedEvent
from xget.eventstore.port import ConcurrencyConflict


class InMemoryEventStore:
    """Implements :class:`xget.eventstore.port.EventStore` in a list; single event loop only."""

    def __init__(self) -> None:
        self.events: list[RecordedEvent] = []
        self._versions: dict[str, int] = {}
        self._changed = asyncio.Event()

    def _check(self, stream_id: str, expected: int | None) -> int:
        current = self._versions.get(stream_id, 0)
        if expected is not None and current != expected:
            raise ConcurrencyConflict(stream_id, expected, current)
        return current

    def _write(self, stream_id: str, current: int, events: Sequence[NewEvent]) -> int:
        if not events:
            raise ValueError("append needs at least one event")
        for offset, new in enumerate(events, start=1):
            self.events.append(
                RecordedEvent(
                    position=len(self.events) + 1,
                    stream_id=stream_id,
                    version=current + offset,
                    event_id=new.event_id,
                    type=type(new.event).type_name(),
                    schema_version=type(new.event).schema_version,
                    occurred_at=new.occurred_at,
                    metadata=new.metadata,
                    event=new.event,
                )
            )
        self._versions[stream_id] = current + len(events)
        self._changed.set()
        self._changed = asyncio.Event()
        return len(self.events)

    async def append(self, stream_id: str, expected_version: int | None, events: Sequence[NewEvent]) -> int:
        """Append if ``stream_id`` is at ``expected_version``."""
        return self._write(stream_id, self._check(stream_id, expected_version), events)

    async def append_many(self, requests: Sequence[tuple[str, int | None, Sequence[NewEvent]]]) -> int:
        """All or none: every expected version is checked before anything is written."""
        currents = [self._check(stream_id, expected) for stream_id, expected, _ in requests]
        last = 0
        for (stream_id, _, events), current in zip(requests, currents):
            last = self._write(stream_id, current, events)
        return last

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[RecordedEvent]:
        """Events of one stream in version order."""
        return [e for e in self.events if e.stream_id == stream_id and e.version > after_version]

    async def first_event_ids(self, stream_ids: Sequence[str]) -> dict[str, str]:
        """The event id of the first event of each of ``stream_ids`` that exists."""
        wanted = set(stream_ids)
        return {e.stream_id: e.event_id for e in self.events if e.version == 1 and e.stream_id in wanted}

    async def stream_version(self, stream_id: str) -> int:
        """Current version of ``stream_id``."""
        return self._versions.get(stream_id, 0)

    async def read_all(self, after_position: int, limit: int = 1000) -> list[RecordedEvent]:
        """Events after ``after_position``."""
        return self.events[after_position : after_position + limit]

    async def head(self) -> int:
        """Position of the last event."""
        return len(self.events)

    async def subscribe(self, after_position: int, batch_size: int = 1000) -> AsyncIterator[list[RecordedEvent]]:
        """Batches of new events, forever."""
        position = after_position
        while True:
            changed = self._changed
            batch = await self.read_all(position, batch_size)
            if batch:
                position = batch[-1].position
                yield batch
            else:
                await changed.wait()
