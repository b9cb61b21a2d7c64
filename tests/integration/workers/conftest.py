"""Fixtures of the worker tests: tasks started through the real command handler, executions
run by the real pool and job queue on PostgreSQL, X replaced by :class:`FakeX`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from tests.integration.workers.fake_x import FakeX
from xget.bootstrap import Container
from xget.commands.handlers import TaskCommands
from xget.commands.types import CreateTask, StartTask
from xget.events import RecordedEvent
from xget.workers.execution import WorkerContext
from xget.workers.jobs import JobQueue
from xget.workers.pool import ExecutionPool
from xget.workers.signals import StopSignals


@dataclass
class Rig:
    container: Container
    commands: TaskCommands
    world: FakeX
    pool: ExecutionPool
    jobs: JobQueue

    async def start_task(self, limit: int = 50, username: str = "alice", **params: object) -> tuple[str, str]:
        """Create and start a USER_TWEETS task; record its job. Returns (task id, execution id)."""
        task_id, execution_id = str(uuid.uuid4()), str(uuid.uuid4())
        await self.commands.execute(CreateTask(task_id=task_id, task_name="t", task_type="USER_TWEETS",
                                               parameters={"username": username, "limit": limit, **params},
                                               user_id="u"))
        result = await self.commands.execute(StartTask(task_id=task_id, execution_id=execution_id))
        await self.jobs.record(execution_id, task_id, result.position or 0)
        return task_id, execution_id

    async def task_events(self, task_id: str) -> list[RecordedEvent]:
        return await self.container.event_store.read_stream(f"task-{task_id}")

    async def pages(self, execution_id: str) -> list[RecordedEvent]:
        return await self.container.event_store.read_stream(f"execution-{execution_id}")


def make_pool(container: Container, world: FakeX, owner: str, lease: float = 15.0) -> tuple[ExecutionPool, JobQueue]:
    jobs = JobQueue(container.pool, owner, lease)
    signals = StopSignals(container.pool, container.notifier, poll_interval=0.5)
    ctx = WorkerContext(store=container.event_store, runtime=world, worker_id=owner,  # type: ignore[arg-type]
                        retry_base=0.01, retry_cap=0.05)
    return ExecutionPool(ctx, jobs, signals, concurrency=4), jobs


@pytest.fixture
async def rig(container: Container) -> AsyncIterator[Rig]:
    world = FakeX()
    pool, jobs = make_pool(container, world, f"test-worker-{uuid.uuid4().hex[:6]}")
    yield Rig(container, TaskCommands(container.event_store), world, pool, jobs)
    await pool.shutdown()
