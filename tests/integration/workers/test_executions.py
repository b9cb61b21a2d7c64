"""Executions on the real event store: completion, stop, crash and resume, zombies, deadlines,
retries and failures."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta, timezone

from tests.integration.workers.conftest import Rig, make_pool
from xget.commands.types import StopTask
from xget.events import NewEvent, TaskCreated, TaskStarted
from xget.workers.execution import Execution, LostOwnership

FINAL = {"ExecutionCompleted", "ExecutionFailed", "ExecutionStopped"}


async def outcome_of(rig: Rig, task_id: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        finals = [e.type for e in await rig.task_events(task_id) if e.type in FINAL]
        if finals:
            assert len(finals) == 1, finals
            return finals[0]
        await asyncio.sleep(0.02)
    raise AssertionError("no final event")


def item_ids(pages: list) -> list[str]:
    return [item["id"] for page in pages for item in page.event.items]


async def test_an_execution_collects_exactly_the_limit_and_completes(rig: Rig) -> None:
    task_id, execution_id = await rig.start_task(limit=50)
    await rig.pool.offer(execution_id)
    assert await outcome_of(rig, task_id) == "ExecutionCompleted"
    pages = await rig.pages(execution_id)
    ids = item_ids(pages)
    assert ids == [t.id for t in rig.world.tweets[:50]]
    assert [p.event.page for p in pages] == [1, 2, 3]
    assert pages[-1].event.total == 50 and pages[0].event.account_id == "acct-1"
    events = await rig.task_events(task_id)
    started = next(e.event for e in events if e.type == "ExecutionStarted")
    assert (started.account_id, started.proxy_id, started.attempt) == ("acct-1", "px-1", 1)
    final = events[-1].event
    assert final.result_count == 50 and final.pages == 3 and final.duration >= 0
    assert rig.world.sessions[-1].closed


async def test_stop_ends_a_running_execution_within_two_seconds_keeping_its_results(rig: Rig) -> None:
    rig.world.delay = 0.2
    task_id, execution_id = await rig.start_task(limit=200)
    await rig.pool.offer(execution_id)
    while len(await rig.pages(execution_id)) < 2:
        await asyncio.sleep(0.02)
    asked = time.monotonic()
    await rig.commands.execute(StopTask(task_id=task_id))
    assert await outcome_of(rig, task_id) == "ExecutionStopped"
    assert time.monotonic() - asked < 2
    pages = await rig.pages(execution_id)
    final = (await rig.task_events(task_id))[-1].event
    assert final.result_count == len(item_ids(pages)) == pages[-1].event.total >= 40


async def test_stop_reaches_an_execution_waiting_on_a_rate_limit(rig: Rig) -> None:
    rig.world.wait_forever = True
    task_id, execution_id = await rig.start_task(limit=100, user_id="42", username=None)
    await rig.pool.offer(execution_id)
    while not any(e.type == "ExecutionWaiting" for e in await rig.task_events(task_id)):
        await asyncio.sleep(0.02)
    asked = time.monotonic()
    await rig.commands.execute(StopTask(task_id=task_id))
    assert await outcome_of(rig, task_id) == "ExecutionStopped"
    assert time.monotonic() - asked < 2


async def test_a_crashed_execution_resumes_elsewhere_without_duplicates_or_gaps(rig: Rig) -> None:
    rig.world.delay = 0.05
    task_id, execution_id = await rig.start_task(limit=150)
    first_pool, first_jobs = make_pool(rig.container, rig.world, "crashing-worker", lease=1.0)
    job = await first_jobs.claim(execution_id)
    assert job is not None
    stop = asyncio.Event()
    running = asyncio.create_task(Execution(first_pool.ctx, job, stop).run())
    while len(await rig.pages(execution_id)) < 3:
        await asyncio.sleep(0.01)
    running.cancel()  # the process dies: no final event, no hand-back, the lease just expires
    await asyncio.gather(running, return_exceptions=True)
    assert await rig.jobs.claim(execution_id) is None  # the lease is still alive
    await asyncio.sleep(1.2)
    second = await rig.jobs.claim(execution_id)
    assert second is not None and second.claims == 2
    rig.pool._start(second)  # noqa: SLF001 - run the claimed job in the test's pool
    assert await outcome_of(rig, task_id) == "ExecutionCompleted"
    pages = await rig.pages(execution_id)
    assert [p.event.page for p in pages] == list(range(1, len(pages) + 1))
    assert item_ids(pages) == [t.id for t in rig.world.tweets[:150]]
    starts = [e.event for e in await rig.task_events(task_id) if e.type == "ExecutionStarted"]
    assert [s.attempt for s in starts] == [1, 2] and starts[1].resumed_from_page >= 3


async def test_a_zombie_worker_cannot_write_a_page_twice(rig: Rig) -> None:
    rig.world.delay = 0.05
    task_id, execution_id = await rig.start_task(limit=200)
    job = await rig.jobs.claim(execution_id)
    assert job is not None
    a = Execution(rig.pool.ctx, job, asyncio.Event())
    b = Execution(rig.pool.ctx, job, asyncio.Event())
    results = await asyncio.gather(a.run(), b.run(), return_exceptions=True)
    assert sum(isinstance(r, LostOwnership) for r in results) == 1, results
    ids = item_ids(await rig.pages(execution_id))
    assert len(ids) == len(set(ids)) == 200


async def test_a_passed_deadline_fails_the_execution_with_a_timeout(rig: Rig) -> None:
    store = rig.container.event_store
    task_id, execution_id = str(uuid.uuid4()), str(uuid.uuid4())
    params = {"username": "alice", "limit": 200, "deadline_seconds": 10}
    long_ago = datetime.now(timezone.utc) - timedelta(seconds=9.7)
    await store.append(f"task-{task_id}", 0, [
        NewEvent(event=TaskCreated(task_id=task_id, task_name="t", task_type="USER_TWEETS", parameters=params,
                                   user_id="u"), occurred_at=long_ago),
        NewEvent(event=TaskStarted(task_id=task_id, execution_id=execution_id, task_type="USER_TWEETS",
                                   parameters=params, user_id="u"), occurred_at=long_ago),
    ])
    rig.world.delay = 0.2
    await rig.jobs.record(execution_id, task_id, 0)
    await rig.pool.offer(execution_id)
    assert await outcome_of(rig, task_id) == "ExecutionFailed"
    final = (await rig.task_events(task_id))[-1].event
    assert final.error_class == "timeout" and "deadline of 10s" in final.error_message
    assert final.result_count == len(item_ids(await rig.pages(execution_id)))


async def test_transient_page_errors_are_retried(rig: Rig) -> None:
    rig.world.transient = {20: 2, 40: 1}
    task_id, execution_id = await rig.start_task(limit=60)
    await rig.pool.offer(execution_id)
    assert await outcome_of(rig, task_id) == "ExecutionCompleted"
    assert item_ids(await rig.pages(execution_id)) == [t.id for t in rig.world.tweets[:60]]


async def test_a_missing_target_fails_at_once_with_a_clear_message(rig: Rig) -> None:
    task_id, execution_id = await rig.start_task(limit=10, username="ghost")
    await rig.pool.offer(execution_id)
    assert await outcome_of(rig, task_id) == "ExecutionFailed"
    final = (await rig.task_events(task_id))[-1].event
    assert final.error_class == "target_not_found" and "@ghost" in final.error_message
    assert rig.world.fetches == 0


async def test_an_execution_stopped_before_a_worker_claimed_it_is_skipped(rig: Rig) -> None:
    task_id, execution_id = await rig.start_task(limit=10)
    await rig.commands.execute(StopTask(task_id=task_id))
    await rig.pool.offer(execution_id)
    while rig.pool.running:
        await asyncio.sleep(0.01)
    types = [e.type for e in await rig.task_events(task_id)]
    assert "ExecutionStarted" not in types and types.count("ExecutionStopped") == 1
    assert await rig.pages(execution_id) == []


async def test_a_redelivered_start_of_a_finished_execution_does_nothing(rig: Rig) -> None:
    task_id, execution_id = await rig.start_task(limit=10)
    await rig.pool.offer(execution_id)
    await outcome_of(rig, task_id)
    before = await rig.task_events(task_id)
    await rig.jobs.record(execution_id, task_id, 0)  # the same TaskStarted delivered again
    job = await rig.jobs.claim(execution_id)
    assert job is None  # finished jobs are never claimed again
    assert await rig.task_events(task_id) == before
