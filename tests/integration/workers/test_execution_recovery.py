"""Executions recovering from the awkward moments: a crash after the last page, a stop of an
earlier execution delivered again, a timeout inside that is not the task's deadline."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from tests.integration.workers.conftest import Rig
from xget.commands.types import StartTask, StopTask
from xget.events import NewEvent, ResultsCollected
from xget.workers.execution import Execution

FINAL = {"ExecutionCompleted", "ExecutionFailed", "ExecutionStopped"}


async def final_of(rig: Rig, task_id: str, execution_id: str, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for recorded in await rig.task_events(task_id):
            if recorded.type in FINAL and recorded.event.execution_id == execution_id:
                return recorded.event
        await asyncio.sleep(0.02)
    raise AssertionError(f"no final event for execution {execution_id}")


async def test_an_execution_resumed_after_its_last_page_completes_without_collecting_again(rig: Rig) -> None:
    task_id, execution_id = await rig.start_task(limit=30)
    # A worker wrote both pages, the last one marked done, and died before ExecutionCompleted.
    items = [{"id": t.id, "text": t.text} for t in rig.world.tweets[:30]]
    for number, (chunk, cursor, done) in enumerate([(items[:20], "c20", False), (items[20:], None, True)], 1):
        page = ResultsCollected(task_id=task_id, execution_id=execution_id, page=number, item_type="tweet",
                                items=chunk, cursor=cursor, total=20 * (number - 1) + len(chunk), done=done)
        await rig.container.event_store.append(f"execution-{execution_id}", number - 1, [NewEvent(event=page)])
    await rig.pool.offer(execution_id)
    final = await final_of(rig, task_id, execution_id)
    assert type(final).__name__ == "ExecutionCompleted" and (final.result_count, final.pages) == (30, 2)
    assert rig.world.fetches == 0 and len(await rig.pages(execution_id)) == 2


async def test_a_redelivered_stop_of_an_earlier_execution_does_not_stop_the_next_one(rig: Rig) -> None:
    rig.world.delay = 0.05
    task_id, first = await rig.start_task(limit=200)
    await rig.pool.offer(first)
    while not await rig.pages(first):
        await asyncio.sleep(0.02)
    await rig.commands.execute(StopTask(task_id=task_id))
    assert type(await final_of(rig, task_id, first)).__name__ == "ExecutionStopped"

    second = str(uuid.uuid4())
    started = await rig.commands.execute(StartTask(task_id=task_id, execution_id=second))
    await rig.jobs.record(second, task_id, started.position or 0)
    await rig.pool.offer(second)
    while not await rig.pages(second):
        await asyncio.sleep(0.02)
    rig.pool.signals.request(first)  # the first stop's TaskStopped, delivered by Kafka again
    final = await final_of(rig, task_id, second, timeout=30)
    assert type(final).__name__ == "ExecutionCompleted" and final.result_count == 200


async def test_a_timeout_inside_an_execution_is_an_outage_not_the_task_deadline(rig: Rig) -> None:
    rig.world.timeouts = 1
    task_id, execution_id = await rig.start_task(limit=50)
    job = await rig.jobs.claim(execution_id)
    assert job is not None
    with pytest.raises(TimeoutError):
        await Execution(rig.pool.ctx, job, asyncio.Event()).run()
    assert not [e for e in await rig.task_events(task_id) if e.type in FINAL]  # left to be resumed
    await rig.jobs.hand_back(execution_id)
    await rig.pool.offer(execution_id)
    final = await final_of(rig, task_id, execution_id)
    assert type(final).__name__ == "ExecutionCompleted" and final.result_count == 50


async def test_an_execution_whose_start_never_reached_a_worker_is_found_and_run(rig: Rig, projector: None) -> None:
    from xget.commands.types import CreateTask

    task_id, execution_id = str(uuid.uuid4()), str(uuid.uuid4())
    await rig.commands.execute(CreateTask(task_id=task_id, task_name="lost", task_type="USER_TWEETS",
                                          parameters={"username": "alice", "limit": 30}, user_id="u"))
    await rig.commands.execute(StartTask(task_id=task_id, execution_id=execution_id))  # no job recorded
    deadline = time.monotonic() + 10
    while not await rig.container.pool.fetchval("SELECT 1 FROM task_executions WHERE id = $1", execution_id):
        assert time.monotonic() < deadline, "the executions read model did not apply the start"
        await asyncio.sleep(0.05)
    assert execution_id not in await rig.jobs.record_missing(grace_seconds=60)  # too recent: Kafka's turn
    assert execution_id in await rig.jobs.record_missing(grace_seconds=0)
    assert execution_id not in await rig.jobs.record_missing(grace_seconds=0)  # recorded once
    await rig.pool.offer(execution_id)
    final = await final_of(rig, task_id, execution_id)
    assert type(final).__name__ == "ExecutionCompleted" and final.result_count == 30
