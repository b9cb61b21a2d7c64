"""Fixtures of the results-view tests: a ResultStore of each layout on the real MongoDB-wire
server, and helpers appending the events a worker would."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import msgspec
import pytest

from tests.integration.workers.fake_x import tweet, user
from xget.bootstrap import Container
from xget.events import NewEvent, RecordedEvent, ResultsCollected
from xget.results.projection import ResultsProjection
from xget.results.store import ResultStore


@pytest.fixture(params=["per_task", "shared"])
async def store(request: pytest.FixtureRequest, container: Container) -> AsyncIterator[ResultStore]:
    """A result store of each layout, on generations no other test uses."""
    base = await ResultStore.open(await container.mongo(), container.settings.mongodb_database, request.param)
    yield base


def tweets(start: int, count: int, likes: int = 0) -> list[dict]:
    author = user()
    return [msgspec.to_builtins(tweet(n, author)) | {"like_count": likes + n} for n in range(start, start + count)]


async def collected(container: Container, task_id: str, execution_id: str, pages: list[list[dict]],
                    user_id: str = "owner", item_type: str = "tweet") -> list[RecordedEvent]:
    """Append ResultsCollected pages for an execution, as a worker would; returns them recorded."""
    store = container.event_store
    start = await store.stream_version(f"execution-{execution_id}")
    total = 0
    for number, items in enumerate(pages, start=start + 1):
        total += len(items)
        await store.append(f"execution-{execution_id}", number - 1, [NewEvent(event=ResultsCollected(
            task_id=task_id, execution_id=execution_id, page=number, item_type=item_type, items=items,
            cursor=f"c{number}", total=total, user_id=user_id))])
    return await store.read_stream(f"execution-{execution_id}", start)


def new_ids() -> tuple[str, str]:
    return str(uuid.uuid4()), str(uuid.uuid4())


async def apply(projection: ResultsProjection, container: Container, events: list[RecordedEvent],
                generation: int) -> None:
    async with container.pool.acquire() as conn:
        await projection.apply(conn, events, generation)
