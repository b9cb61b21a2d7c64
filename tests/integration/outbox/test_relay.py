"""The outbox relay on the real PostgreSQL and Kafka: every event reaches Kafka, in order per
task, even when the relay is killed with SIGKILL mid-stream."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

import asyncpg
import msgspec
from aiokafka import AIOKafkaConsumer

from tests.processes import XgetProcess
from xget.bootstrap import Container
from xget.events import NewEvent, TaskCreated, TaskUpdated, new_id
from xget.eventstore.port import NO_STREAM
from xget.outbox.relay import _LOCK_KEY, Relay
from xget.settings import Settings


async def relay_checkpoint(container: Container) -> int:
    return await container.pool.fetchval("SELECT coalesce(max(position), 0) FROM checkpoints WHERE name = 'relay'")


async def consume_all(settings: Settings, wanted: set[str], timeout: float = 90) -> list[dict]:
    """Every message of both topics from the beginning, until all ``wanted`` event ids arrived."""
    consumer = AIOKafkaConsumer(settings.kafka_topic_tasks, settings.kafka_topic_results,
                                bootstrap_servers=settings.kafka_bootstrap_servers, auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    messages: list[dict] = []
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    try:
        while not wanted <= seen and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for records in batch.values():
                for record in records:
                    value = msgspec.json.decode(record.value)
                    value["_key"] = record.key.decode()
                    value["_headers"] = {k: v.decode() for k, v in record.headers}
                    messages.append(value)
                    seen.add(value["event_id"])
    finally:
        await consumer.stop()
    return messages


async def test_relay_killed_mid_stream_loses_nothing_and_duplicates_only_as_repeated_event_ids(
    container: Container, settings: Settings
) -> None:
    store = container.event_store
    start = await store.head()
    stop_writing = asyncio.Event()

    async def writer() -> None:
        while not stop_writing.is_set():
            task = new_id()
            await store.append(f"task-{task}", NO_STREAM, [
                NewEvent(event=TaskCreated(task_id=task, task_name="n", task_type="USER_INFO",
                                           parameters={"username": "a"}, user_id="u")),
                *[NewEvent(event=TaskUpdated(task_id=task, task_name=str(i))) for i in range(4)],
            ])
            await asyncio.sleep(0.002)

    writing = asyncio.create_task(writer())
    relay = XgetProcess(settings, "relay")
    try:
        for _ in range(600):  # the relay is mid-stream: it published some, not all
            if await relay_checkpoint(container) > start + 500:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("relay made no progress:\n" + relay.output())
        relay.kill()
        killed_at = await relay_checkpoint(container)
        await asyncio.sleep(1)  # events keep arriving while no relay runs
        relay = XgetProcess(settings, "relay", name="relay-restarted")
        await asyncio.sleep(2)
        stop_writing.set()
        await writing
        head = await store.head()
        for _ in range(600):
            if await relay_checkpoint(container) >= head:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("restarted relay did not catch up:\n" + relay.output())
    finally:
        stop_writing.set()
        relay.stop()
    assert head - start > killed_at - start > 0

    ours = await store.read_all(start, head - start)
    wanted = {e.event_id for e in ours}
    messages = [m for m in await consume_all(settings, wanted) if m["event_id"] in wanted]

    assert {m["event_id"] for m in messages} == wanted, "an event never reached Kafka"
    by_id: dict[str, list[dict]] = defaultdict(list)
    for m in messages:
        by_id[m["event_id"]].append(m)
    for copies in by_id.values():  # a duplicate is the same event again, byte for byte
        assert len({msgspec.json.encode(c) for c in copies}) == 1
    versions: dict[str, list[int]] = defaultdict(list)
    for m in messages:
        versions[m["_key"]].append(m["version"])
    for key, seq in versions.items():  # per task, first deliveries come in version order
        first_seen = list(dict.fromkeys(seq))
        assert first_seen == sorted(first_seen), (key, seq)
    sample = messages[0]
    assert sample["_headers"]["type"] == sample["type"]
    assert sample["_headers"]["event_id"] == sample["event_id"]
    assert sample["_headers"]["schema_version"] == "1"


async def lock_holder(container: Container) -> int | None:
    """The backend holding the relay lock in the test database, if any."""
    return await container.pool.fetchval(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = $1 "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", _LOCK_KEY)


async def append_tasks(container: Container, count: int) -> None:
    for _ in range(count):
        task = new_id()
        await container.event_store.append(f"task-{task}", NO_STREAM, [NewEvent(
            event=TaskCreated(task_id=task, task_name="n", task_type="USER_INFO", parameters={"username": "a"},
                              user_id="u"))])


async def eventually(condition, what: str, timeout: float = 30) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(what)
        await asyncio.sleep(0.05)


async def test_a_relay_whose_lock_connection_dies_stops_publishing_until_it_holds_the_lock_again(
    container: Container, settings: Settings
) -> None:
    relay = Relay(settings, container.event_store, batch_size=50)
    published: list[int] = []
    publish = relay.publish_batch

    async def counting(producer, rows):  # noqa: ANN001, ANN202
        published.append(len(rows))
        await publish(producer, rows)

    relay.publish_batch = counting  # type: ignore[method-assign]
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    standby = await asyncpg.connect(settings.postgres_dsn)  # plays a standby relay taking over
    try:
        await append_tasks(container, 5)
        await eventually(lambda: _caught_up(container), "relay made no progress")
        holder = await lock_holder(container)
        assert holder is not None

        # Only the lock connection dies; the relay's pool connections stay up.
        assert await container.pool.fetchval("SELECT pg_terminate_backend($1)", holder)

        async def taken_over() -> bool:
            return await standby.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK_KEY)

        await eventually(taken_over, "the lock was never released")
        published.clear()
        checkpoint = await relay_checkpoint(container)
        await append_tasks(container, 20)
        await asyncio.sleep(3)  # the relay notices at its next batch, then stands by
        assert published == [], "the relay kept publishing without its lock"
        assert await relay_checkpoint(container) == checkpoint

        # The other relay goes away: this one takes the lock again and catches up.
        await standby.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
        await eventually(lambda: _caught_up(container), "relay did not recover its lock")
        assert published and await lock_holder(container) not in (None, holder)
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
        await standby.close()


async def _caught_up(container: Container) -> bool:
    return await relay_checkpoint(container) >= await container.event_store.head()
