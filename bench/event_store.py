"""Event store benchmark: appends with 8 concurrent writers (10 events per call), read-all, and
the outbox relay into Kafka, each beside a same-run baseline.

    .venv/bin/python bench/event_store.py [--seconds 10]

Baselines: appends vs plain INSERTs of the same rows with no version check and no ordering lock
(the cost of the guarantees); read-all vs fetching the rows without decoding them; the relay vs
producing the same messages straight from memory (the cost of reading and checkpointing).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiokafka import AIOKafkaProducer  # noqa: E402

from bench.common import Timer, bench_settings, percentile, report  # noqa: E402
from xget.bootstrap import open_container  # noqa: E402
from xget.events import NewEvent, TaskCreated, TaskUpdated, encode_event  # noqa: E402
from xget.eventstore.port import NO_STREAM  # noqa: E402
from xget.outbox.envelope import envelope_value  # noqa: E402
from xget.outbox.relay import RAW_COLUMNS, Relay  # noqa: E402
from xget.outbox.topics import ensure_topics  # noqa: E402

WRITERS = 8
EVENTS_PER_CALL = 10


def batch_for(task_id: str) -> list[NewEvent]:
    created = TaskCreated(task_id=task_id, task_name="bench", task_type="USER_TWEETS",
                          parameters={"username": "elonmusk", "limit": 50}, user_id="bench")
    return [NewEvent(event=created)] + [
        NewEvent(event=TaskUpdated(task_id=task_id, describe=f"update {i}")) for i in range(EVENTS_PER_CALL - 1)
    ]


async def bench_appends(store, seconds: float) -> tuple[int, float, list[float]]:
    latencies: list[float] = []
    appended = 0
    deadline = time.perf_counter() + seconds

    async def writer() -> None:
        nonlocal appended
        while time.perf_counter() < deadline:
            task = str(uuid.uuid4())
            started = time.perf_counter()
            await store.append(f"task-{task}", NO_STREAM, batch_for(task))
            latencies.append(time.perf_counter() - started)
            appended += EVENTS_PER_CALL

    with Timer() as t:
        await asyncio.gather(*(writer() for _ in range(WRITERS)))
    return appended, t.seconds, latencies


async def bench_plain_inserts(pool, seconds: float) -> tuple[int, float]:
    await pool.execute("CREATE TABLE IF NOT EXISTS plain_events (LIKE events INCLUDING DEFAULTS)")
    await pool.execute("CREATE SEQUENCE IF NOT EXISTS plain_seq")
    inserted = 0
    deadline = time.perf_counter() + seconds

    async def writer() -> None:
        nonlocal inserted
        while time.perf_counter() < deadline:
            task = str(uuid.uuid4())
            rows = [(f"task-{task}", i + 1, str(uuid.uuid4()), type(e.event).type_name(), 1, task,
                     encode_event(e.event).decode(), "{}", datetime.now(timezone.utc))
                    for i, e in enumerate(batch_for(task))]
            await pool.executemany(
                "INSERT INTO plain_events (position, stream_id, version, event_id, type, schema_version, "
                "routing_key, data, metadata, occurred_at) "
                "VALUES (nextval('plain_seq'), $1, $2, $3::uuid, $4, $5, $6, $7::json, $8::jsonb, $9)", rows)
            inserted += len(rows)

    with Timer() as t:
        await asyncio.gather(*(writer() for _ in range(WRITERS)))
    return inserted, t.seconds


async def bench_read_all(store, head: int) -> tuple[float, float]:
    with Timer() as decoded:
        position = 0
        while position < head:
            batch = await store.read_all(position, 5000)
            position = batch[-1].position
    with Timer() as raw:
        position = 0
        while position < head:
            rows = await store.read_all_raw(position, 5000)
            position = rows[-1][0]
    return decoded.seconds, raw.seconds


async def bench_relay(settings, store, head: int) -> tuple[float, float]:
    await ensure_topics(settings)
    relay = Relay(settings, store, batch_size=5000)
    stop = asyncio.Event()

    def progress(position: int, _count: int) -> None:
        if position >= head:
            stop.set()

    relay._on_progress = progress  # noqa: SLF001 - the benchmark watches the relay's checkpoint
    with Timer() as relayed:
        await relay.run(stop)
    # Baseline: the same messages from memory, no database in the loop.
    rows = []
    position = 0
    while position < head:
        chunk = await store.read_all_raw(position, 5000, columns=RAW_COLUMNS)
        rows.extend(chunk)
        position = chunk[-1][0]
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=True,
                                acks="all", linger_ms=2, max_batch_size=1024 * 1024)
    await producer.start()
    try:
        with Timer() as direct:
            futures = [await producer.send(settings.kafka_topic_results, envelope_value(r), key=r[9].encode())
                       for r in rows]
            await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return relayed.seconds, direct.seconds


async def main(seconds: float) -> None:
    settings = await bench_settings(XGET_POSTGRES_POOL_SIZE=WRITERS + 4)
    async with open_container(settings) as container:
        store = container.event_store
        appended, elapsed, latencies = await bench_appends(store, seconds)
        plain, plain_elapsed = await bench_plain_inserts(container.pool, seconds)
        head = await store.head()
        decoded_s, raw_s = await bench_read_all(store, head)
        relay_s, direct_s = await bench_relay(settings, store, head)
    append_rate = appended / elapsed
    report(f"event store, {WRITERS} writers x {EVENTS_PER_CALL} events per append, {seconds:.0f}s", [
        ("appended events/s", f"{append_rate:,.0f}  (target >= 5,000)"),
        ("append p50 / p99", f"{percentile(latencies, 50) * 1000:.2f} ms / {percentile(latencies, 99) * 1000:.2f} ms"),
        ("baseline: plain INSERTs/s", f"{plain / plain_elapsed:,.0f}  (no version check, no ordering lock)"),
        ("append vs baseline", f"{append_rate / (plain / plain_elapsed):.2f}x"),
        (f"read-all events/s ({head:,} events)", f"{head / decoded_s:,.0f}  decoded to events (target >= 50,000)"),
        ("baseline: raw rows/s", f"{head / raw_s:,.0f}  fetched, not decoded"),
        ("relay events/s into Kafka", f"{head / relay_s:,.0f}  read + produce + acks + checkpoint (target >= 10,000)"),
        ("baseline: produce from memory/s", f"{head / direct_s:,.0f}  same messages, no database"),
    ])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each append phase")
    asyncio.run(main(parser.parse_args().seconds))
