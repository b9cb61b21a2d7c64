"""The ``results`` read model: ResultsCollected pages into MongoDB documents.

Its checkpoint is the PostgreSQL ``checkpoints`` row ``results``: a batch writes its documents
(idempotently) while holding that row, then moves the checkpoint and commits. A crash in between
replays the batch, which merges into the same documents: no loss, no duplicate.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from xget.events import RecordedEvent, ResultsCollected, TaskDeleted
from xget.results.documents import documents
from xget.results.store import ResultStore


class ResultsProjection:
    """Implements :class:`xget.projections.base.Projection` on a :class:`ResultStore`."""

    name = "results"
    grace_seconds = 2.0
    """After a rebuild's switch, the old generation is dropped this much later (readers resolve the
    generation per request from PostgreSQL, then query MongoDB)."""

    def __init__(self, store: ResultStore) -> None:
        self.store = store

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], generation: int) -> None:
        """Write the batch's documents, collection by collection, in event order."""
        pending: dict[str, list[dict]] = {}
        for recorded in events:
            event = recorded.event
            if isinstance(event, ResultsCollected) and event.items:
                name = self.store.collection_name(generation, event.task_id)
                pending.setdefault(name, []).extend(documents(recorded))
            elif isinstance(event, TaskDeleted):
                await self._flush(pending)
                await self.store.drop_task(generation, event.task_id)
        await self._flush(pending)

    async def _flush(self, pending: dict[str, list[dict]]) -> None:
        for name, docs in pending.items():
            await self.store.write(name, docs)
        pending.clear()

    async def create_generation(self, conn: asyncpg.Connection, generation: int) -> None:
        """Start ``generation`` empty (collections are created as tasks get results)."""
        await self.store.drop_generation(generation)

    async def activate(self, conn: asyncpg.Connection, generation: int) -> None:
        """Nothing to switch: readers follow the checkpoint row's generation."""

    async def drop_generation(self, conn: asyncpg.Connection, generation: int) -> None:
        """Drop ``generation``'s collections."""
        await self.store.drop_generation(generation)

    async def exists(self, conn: asyncpg.Connection, generation: int) -> bool:
        """Collections appear on first write; an empty generation is a valid one."""
        return True
