"""Projection rebuild benchmark: the tasks read model rebuilt from 1,000,000 events.

    .venv/bin/python bench/rebuild.py [--events 1000000] [--batch-size 5000] [--reuse]

Seeds 100,000 task streams of 10 events each, the life of a task that ran once: TaskCreated,
TaskUpdated, TaskStarted, ExecutionStarted, four ResultsCollected pages (two small items each),
ExecutionCompleted, TaskUpdated. They are appended with the event store's own ``append_many``
(1,000 streams per transaction). Then ``xget.projections.rebuild.rebuild`` rebuilds ``tasks``
into a new generation and switches to it, as ``xget projections rebuild tasks`` does.

Baselines in the same run, over the same events and batch size:
- raw read: ``read_all_raw``, the rows fetched and not decoded (the ceiling of any reader);
- decoded read: ``read_all``, rows fetched and decoded into events (what the rebuild starts from);
- fold only: the decoded events folded into task states in memory, no writes.

``--reuse`` keeps the benchmark database when it already holds the events (no re-seeding).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # noqa: E402

from bench.common import BENCH_DB, Timer, bench_settings, report  # noqa: E402
from xget.bootstrap import open_container  # noqa: E402
from xget.events import (  # noqa: E402
    ExecutionCompleted,
    ExecutionStarted,
    Metadata,
    NewEvent,
    ResultsCollected,
    TaskCreated,
    TaskStarted,
    TaskUpdated,
)
from xget.eventstore.port import NO_STREAM  # noqa: E402
from xget.projections.registry import POSTGRES_PROJECTIONS  # noqa: E402
from xget.projections.rebuild import rebuild  # noqa: E402
from xget.settings import Settings  # noqa: E402

EVENTS_PER_TASK = 10
USERS = 100
STREAMS_PER_TRANSACTION = 1000


def task_life(rng: random.Random, index: int, at: datetime) -> tuple[str, int, list[NewEvent]]:
    """One task's stream of EVENTS_PER_TASK events."""
    task_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    execution = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    user = f"user-{index % USERS:03d}"
    params = {"username": "elonmusk", "limit": 200}
    meta = Metadata(user_id=user, correlation_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)))
    events = [
        TaskCreated(task_id=task_id, task_name=f"tweets #{index}", task_type="USER_TWEETS", parameters=params,
                    user_id=user, describe="seeded by bench/rebuild.py"),
        TaskUpdated(task_id=task_id, task_name=f"tweets of elonmusk #{index}"),
        TaskStarted(task_id=task_id, execution_id=execution, task_type="USER_TWEETS", parameters=params,
                    user_id=user),
        ExecutionStarted(task_id=task_id, execution_id=execution, account_id="acc-1", proxy_id="proxy-1",
                         worker_id="worker-1"),
    ]
    for page in range(1, 5):
        items = [{"id": str(10**18 + index * 10 + page * 2 + k), "text": f"tweet {k} of page {page}",
                  "author": "elonmusk", "created_at": "2026-11-01T12:00:00Z", "likes": 10 * k}
                 for k in range(2)]
        events.append(ResultsCollected(task_id=task_id, execution_id=execution, page=page, item_type="tweet",
                                       items=items, cursor=f"cursor-{page}", total=2 * page, user_id=user))
    events.append(ExecutionCompleted(task_id=task_id, execution_id=execution, result_count=8, pages=4,
                                     duration=12.5))
    events.append(TaskUpdated(task_id=task_id, describe="ran once"))
    assert len(events) == EVENTS_PER_TASK
    return (f"task-{task_id}", NO_STREAM,
            [NewEvent(event=e, metadata=meta, occurred_at=at + timedelta(seconds=i)) for i, e in enumerate(events)])


async def seed(store, events: int) -> float:
    """Append ``events`` events (events / EVENTS_PER_TASK task streams); returns the seconds taken."""
    rng = random.Random(11)
    tasks = events // EVENTS_PER_TASK
    start = datetime.now(timezone.utc) - timedelta(days=30)
    with Timer() as t:
        for first in range(0, tasks, STREAMS_PER_TRANSACTION):
            count = min(STREAMS_PER_TRANSACTION, tasks - first)
            await store.append_many([task_life(rng, i, start + timedelta(seconds=i)) for i in range(first, first + count)])
            done = first + count
            if done % 20_000 == 0 or done == tasks:
                print(f"  seeded {done * EVENTS_PER_TASK:,} events ({done * EVENTS_PER_TASK / t_elapsed(t):,.0f}/s)",
                      flush=True)
    return t.seconds


def t_elapsed(timer: Timer) -> float:
    import time

    return time.perf_counter() - timer.start


async def reusable(base: Settings, events: int) -> bool:
    """Whether the benchmark database already holds exactly ``events`` events."""
    try:
        conn = await asyncpg.connect(base.dsn_for(BENCH_DB))
    except (OSError, asyncpg.PostgresError):
        return False
    try:
        if not await conn.fetchval("SELECT to_regclass('events') IS NOT NULL"):
            return False
        return await conn.fetchval("SELECT coalesce(max(position), 0) FROM events") == events
    finally:
        await conn.close()


async def read_rates(store, head: int, batch_size: int) -> tuple[float, float, float]:
    """Seconds to read every event raw, decoded, and decoded + folded in memory."""
    with Timer() as raw:
        position = 0
        while position < head:
            rows = await store.read_all_raw(position, batch_size)
            position = rows[-1][0]
    projection = POSTGRES_PROJECTIONS["tasks"]
    with Timer() as decoded:
        position = 0
        while position < head:
            batch = await store.read_all(position, batch_size)
            position = batch[-1].position
    states: dict[str, object] = {}
    with Timer() as folded:
        position = 0
        while position < head:
            batch = await store.read_all(position, batch_size)
            for recorded in batch:
                key = projection.key(recorded.event)
                state = states.get(key)
                if state is None:
                    state = states[key] = projection.new_state(key)
                projection.fold(state, recorded)
            position = batch[-1].position
    return raw.seconds, decoded.seconds, folded.seconds


async def main(args: argparse.Namespace) -> None:
    base = Settings.from_env()
    if args.reuse and await reusable(base, args.events):
        settings = Settings.from_env({**os.environ, "POSTGRES_DB": BENCH_DB})
        print(f"reusing the {args.events:,} events in database {BENCH_DB}", flush=True)
        seed_s = None
    else:
        settings = await bench_settings()
        seed_s = 0.0
    async with open_container(settings) as container:
        store = container.event_store
        if seed_s is not None:
            print(f"seeding {args.events:,} events ...", flush=True)
            seed_s = await seed(store, args.events)
            async with container.pool.acquire() as conn:
                await conn.execute("VACUUM ANALYZE events")
        head = await store.head()
        raw_s, decoded_s, folded_s = await read_rates(store, head, args.batch_size)
        projection = POSTGRES_PROJECTIONS["tasks"]
        runs = []
        for _ in range(args.repeat):
            with Timer() as t:
                generation, position = await rebuild(store, projection, args.batch_size)
            runs.append(t.seconds)
            print(f"  rebuild: generation {generation} live at position {position:,} in {t.seconds:.1f}s "
                  f"({head / t.seconds:,.0f} events/s)", flush=True)
        tasks = await container.pool.fetchval("SELECT count(*) FROM tasks")
        counted = await container.pool.fetchval("SELECT coalesce(sum(n), 0) FROM task_counts")
        statuses = await container.pool.fetch("SELECT status, count(*) AS n FROM tasks GROUP BY status ORDER BY 1")
    assert tasks == head // EVENTS_PER_TASK == counted, (tasks, counted)
    best = min(runs)
    by_status = ", ".join(f"{r['status']} {r['n']:,}" for r in statuses)
    rows = []
    if seed_s:
        rows.append(("seeding (append_many)", f"{head / seed_s:>9,.0f} events/s  ({seed_s:.0f}s, "
                                              f"{STREAMS_PER_TRANSACTION} streams of {EVENTS_PER_TASK} per transaction)"))
    rows += [
        ("rebuild tasks", f"{head / best:>9,.0f} events/s  ({best:.1f}s; best of {len(runs)}: "
                          f"{', '.join(f'{s:.1f}s' for s in runs)})  target >= 20,000: "
                          f"{'met' if head / best >= 20_000 else 'NOT met'}"),
        ("baseline: raw read", f"{head / raw_s:>9,.0f} events/s  (read_all_raw: fetched, not decoded)"),
        ("baseline: decoded read", f"{head / decoded_s:>9,.0f} events/s  (read_all: fetched and decoded)"),
        ("baseline: fold in memory", f"{head / folded_s:>9,.0f} events/s  (decoded and folded, nothing written)"),
        ("rebuild vs raw read", f"{raw_s / best:.2f}x"),
        ("result", f"{tasks:,} tasks ({by_status})"),
    ]
    report(f"projection rebuild, tasks, {head:,} events, batch size {args.batch_size:,}", rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="events seeded (a multiple of 10)")
    parser.add_argument("--batch-size", type=int, default=5000, help="events per rebuild batch (the CLI's default)")
    parser.add_argument("--repeat", type=int, default=2, help="rebuilds measured (the best is reported)")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it holds the events already")
    asyncio.run(main(parser.parse_args()))
