"""The event store's invariants on the real PostgreSQL."""

from __future__ import annotations

import asyncio
import random

import pytest

from xget.bootstrap import Container
from xget.events import Metadata, NewEvent, TaskCreated, TaskUpdated, new_id
from xget.eventstore.port import NO_STREAM, ConcurrencyConflict


def created(task_id: str, name: str = "t") -> NewEvent:
    return NewEvent(
        event=TaskCreated(task_id=task_id, task_name=name, task_type="USER_INFO",
                          parameters={"username": "x"}, user_id="u1"),
        metadata=Metadata(correlation_id="corr-1", user_id="u1"),
    )


def renamed(task_id: str, name: str) -> NewEvent:
    return NewEvent(event=TaskUpdated(task_id=task_id, task_name=name))


async def test_appended_events_read_back_in_version_order_with_metadata(container: Container) -> None:
    store = container.event_store
    task = new_id()
    await store.append(f"task-{task}", NO_STREAM, [created(task)])
    await store.append(f"task-{task}", 1, [renamed(task, "a"), renamed(task, "b")])
    events = await store.read_stream(f"task-{task}")
    assert [e.version for e in events] == [1, 2, 3]
    assert [e.type for e in events] == ["TaskCreated", "TaskUpdated", "TaskUpdated"]
    assert events[2].event == TaskUpdated(task_id=task, task_name="b")
    assert events[0].metadata.correlation_id == "corr-1"
    assert events[0].metadata.user_id == "u1"
    assert events[0].schema_version == 1
    assert events[1].position == events[0].position + 1


async def test_stale_expected_version_raises_conflict_and_writes_nothing(container: Container) -> None:
    store = container.event_store
    task = new_id()
    await store.append(f"task-{task}", NO_STREAM, [created(task)])
    head = await store.head()
    with pytest.raises(ConcurrencyConflict) as info:
        await store.append(f"task-{task}", NO_STREAM, [renamed(task, "late")])
    assert info.value.actual == 1 and info.value.expected == 0
    assert len(await store.read_stream(f"task-{task}")) == 1
    assert await store.head() == head


async def test_two_concurrent_appends_with_same_expected_version_exactly_one_succeeds(container: Container) -> None:
    store = container.event_store
    for _ in range(20):
        task = new_id()
        await store.append(f"task-{task}", NO_STREAM, [created(task)])
        results = await asyncio.gather(
            store.append(f"task-{task}", 1, [renamed(task, "left")]),
            store.append(f"task-{task}", 1, [renamed(task, "right")]),
            return_exceptions=True,
        )
        conflicts = [r for r in results if isinstance(r, ConcurrencyConflict)]
        assert len(conflicts) == 1, results
        assert [e.version for e in await store.read_stream(f"task-{task}")] == [1, 2]


async def test_append_many_is_all_or_nothing(container: Container) -> None:
    store = container.event_store
    existing = new_id()
    await store.append(f"task-{existing}", NO_STREAM, [created(existing)])
    fresh = new_id()
    head = await store.head()
    with pytest.raises(ConcurrencyConflict):
        await store.append_many([
            (f"task-{fresh}", NO_STREAM, [created(fresh)]),
            (f"task-{existing}", NO_STREAM, [created(existing)]),
        ])
    assert await store.read_stream(f"task-{fresh}") == []
    assert await store.head() == head


async def test_a_duplicate_event_id_is_rejected(container: Container) -> None:
    store = container.event_store
    task = new_id()
    event = created(task)
    await store.append(f"task-{task}", None, [event])
    with pytest.raises(ConcurrencyConflict):
        await store.append(f"task-{task}", None, [event])


async def test_positions_are_gap_free_even_after_failed_appends(container: Container) -> None:
    store = container.event_store
    start = await store.head()
    task = new_id()
    await store.append(f"task-{task}", NO_STREAM, [created(task)])
    with pytest.raises(ConcurrencyConflict):
        await store.append(f"task-{task}", NO_STREAM, [created(task)])
    await store.append(f"task-{task}", 1, [renamed(task, "x")])
    events = await store.read_all(start, 100)
    assert [e.position for e in events] == [start + 1, start + 2]


async def test_tailing_reader_sees_every_event_once_in_order_under_concurrent_writers(container: Container) -> None:
    """Many writers for several seconds while a reader tails the global position: the reader
    sees every committed event exactly once, in strictly increasing, gap-free position order."""
    store = container.event_store
    start = await store.head()
    stop = asyncio.Event()
    written: set[str] = set()

    async def writer(n: int) -> None:
        rng = random.Random(n)
        while not stop.is_set():
            task = new_id()
            batch = [created(task)] + [renamed(task, str(i)) for i in range(rng.randint(0, 9))]
            await store.append(f"task-{task}", NO_STREAM, batch)
            written.update(e.event_id for e in batch)

    seen: list[tuple[int, str]] = []

    async def reader() -> None:
        async for batch in store.subscribe(start, batch_size=257):
            seen.extend((e.position, e.event_id) for e in batch)

    reading = asyncio.create_task(reader())
    writers = [asyncio.create_task(writer(n)) for n in range(8)]
    await asyncio.sleep(4)
    stop.set()
    await asyncio.gather(*writers)
    final_head = await store.head()
    for _ in range(300):
        if seen and seen[-1][0] >= final_head:
            break
        await asyncio.sleep(0.1)
    reading.cancel()

    positions = [p for p, _ in seen]
    assert positions == list(range(start + 1, final_head + 1)), "reader skipped, repeated or reordered"
    ids = [i for _, i in seen]
    assert len(ids) == len(set(ids))
    assert written <= set(ids)
    assert len(written) > 1000  # enough concurrency to matter
