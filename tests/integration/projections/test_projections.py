"""Projection invariants on the real PostgreSQL: exactly-once effects through a crash, and a
rebuild that equals the live read model while the old one keeps serving."""

from __future__ import annotations

import asyncio
import uuid

from collections.abc import Sequence

import asyncpg
import httpx
import pytest

from tests.integration.api.helpers import task_body
from xget.bootstrap import Container
from xget.events import (
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionStarted,
    ExecutionWaiting,
    NewEvent,
    RecordedEvent,
    ResultsCollected,
)
from xget.projections.base import PostgresTables, table_name
from xget.projections.registry import POSTGRES_PROJECTIONS
from xget.projections.rebuild import RebuildInProgress, rebuild
from xget.projections.runner import apply_batch
from xget.projections.tasks import TasksProjection

TASKS = "/api/v1/tasks"


class CrashTestTasks(TasksProjection):
    """The tasks projection under another name, so the test owns its tables and checkpoint."""

    name = "tasks_crashtest"
    table = "tasks_crashtest"
    counts_table = "task_counts_crashtest"
    tables = ("tasks_crashtest", "task_counts_crashtest")


class GroupTestTasks(TasksProjection):
    """A second private copy of the tasks projection, to run beside CrashTestTasks as a group."""

    name = "tasks_grouptest"
    table = "tasks_grouptest"
    counts_table = "task_counts_grouptest"
    tables = ("tasks_grouptest", "task_counts_grouptest")


class PositionLog(PostgresTables):
    """Records the position of every event it is given; a primary key refuses any event twice."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.tables = (name,)

    def ddl(self, generation: int) -> str:
        return f"CREATE TABLE {table_name(self.name, generation)} (position bigint PRIMARY KEY)"

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], generation: int) -> None:
        await conn.executemany(f"INSERT INTO {table_name(self.name, generation)} VALUES ($1)",
                               [(e.position,) for e in events])


async def fresh(container: Container, *projections: PostgresTables, position: int = 0) -> None:
    """Empty generation-1 tables and a checkpoint at ``position`` for each private projection."""
    async with container.pool.acquire() as conn:
        for projection in projections:
            await projection.create_generation(conn, 1)
            await conn.execute("INSERT INTO checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) "
                               "DO UPDATE SET position = $2, generation = 1", projection.name, position)


async def rows_of(container: Container, table: str, user: str) -> list[tuple]:
    """One user's rows of a tasks table, in a stable order."""
    rows = await container.pool.fetch(f"SELECT * FROM {table} WHERE user_id = $1 ORDER BY id", user)
    return [tuple(r.values()) for r in rows]


async def snapshot(container: Container, table: str) -> list[tuple]:
    rows = await container.pool.fetch(f"SELECT * FROM {table} ORDER BY 1, 2, 3")
    return [tuple(r.values()) for r in rows]


async def caught_up(container: Container) -> None:
    head = await container.event_store.head()
    for _ in range(400):
        positions = await container.pool.fetch(
            "SELECT position FROM checkpoints WHERE name = ANY($1::text[])", list(POSTGRES_PROJECTIONS)
        )
        if all(p["position"] >= head for p in positions):
            return
        await asyncio.sleep(0.025)
    raise AssertionError("projections did not catch up")


async def worker_events(container: Container, task: dict, outcome: str) -> None:
    """What a worker appends for an execution: claim, pages of results, a wait, the end."""
    store = container.event_store
    task_id, execution_id = task["id"], task["execution_id"]
    stream = f"task-{task_id}"
    version = await store.stream_version(stream)
    await store.append(stream, version, [NewEvent(event=ExecutionStarted(
        task_id=task_id, execution_id=execution_id, account_id="acct-1", proxy_id="proxy-1", worker_id="w1"))])
    for page in (1, 2):
        await store.append(f"execution-{execution_id}", page - 1, [NewEvent(event=ResultsCollected(
            task_id=task_id, execution_id=execution_id, page=page, item_type="tweet",
            items=[{"id": f"{page}-{i}"} for i in range(20)], cursor=f"c{page}", total=20 * page))])
    await store.append(stream, None, [NewEvent(event=ExecutionWaiting(
        task_id=task_id, execution_id=execution_id, reason="rate limited", seconds=2.5, account_id="acct-1"))])
    end = (ExecutionCompleted(task_id=task_id, execution_id=execution_id, result_count=40, pages=2, duration=3.2)
           if outcome == "completed" else
           ExecutionFailed(task_id=task_id, execution_id=execution_id, error_class="target_not_found",
                           error_message="user @nobody does not exist", result_count=40, pages=2, duration=1.0))
    await store.append(stream, None, [NewEvent(event=end)])


async def test_execution_progress_and_outcome_reach_the_read_models(container: Container,
                                                                   client: httpx.AsyncClient) -> None:
    done = (await client.post(TASKS, json=task_body())).json()
    done = (await client.post(f"{TASKS}/{done['id']}/start")).json()
    failed = (await client.post(TASKS, json=task_body())).json()
    failed = (await client.post(f"{TASKS}/{failed['id']}/start")).json()
    await worker_events(container, done, "completed")
    await worker_events(container, failed, "failed")
    await caught_up(container)

    task = (await client.get(f"{TASKS}/{done['id']}")).json()
    assert task["status"] == "COMPLETED" and task["result_count"] == 40
    execution = (await client.get(f"/api/v1/task-executions/{done['execution_id']}")).json()
    assert execution["status"] == "COMPLETED" and execution["pages"] == 2 and execution["result_count"] == 40
    assert execution["account_id"] == "acct-1" and execution["proxy_id"] == "proxy-1"
    assert execution["rate_limit_waits"] == 1 and execution["wait_seconds"] == 2.5
    assert execution["duration"] == 3.2 and execution["started_at"] and execution["completed_at"]

    task = (await client.get(f"{TASKS}/{failed['id']}")).json()
    assert task["status"] == "FAILED" and task["error_message"] == "user @nobody does not exist"
    execution = (await client.get(f"/api/v1/task-executions/{failed['execution_id']}")).json()
    assert execution["error_class"] == "target_not_found"
    listed = (await client.get("/api/v1/task-executions", params={"status": "FAILED",
                                                                 "user_id": failed["user_id"]})).json()
    assert [e["id"] for e in listed["items"]] == [failed["execution_id"]]


async def test_a_batch_that_crashes_before_commit_leaves_no_trace_and_is_applied_once_later(
    container: Container, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    projection = CrashTestTasks()
    await fresh(container, projection)
    for _ in range(3):
        await client.post(TASKS, json=task_body())

    real_apply = projection.apply

    async def crash_after_writing(conn, events, generation):  # type: ignore[no-untyped-def]
        await real_apply(conn, events, generation)
        raise RuntimeError("process died mid-batch")

    monkeypatch.setattr(projection, "apply", crash_after_writing)
    async with container.pool.acquire() as conn:
        with pytest.raises(RuntimeError):
            await apply_batch(conn, container.event_store, projection, 500)
        assert await conn.fetchval("SELECT position FROM checkpoints WHERE name = $1", projection.name) == 0
        assert await conn.fetchval("SELECT count(*) FROM tasks_crashtest_g1") == 0
        monkeypatch.setattr(projection, "apply", real_apply)
        while await apply_batch(conn, container.event_store, projection, 500) is not None:
            pass
        assert await apply_batch(conn, container.event_store, projection, 500) is None  # nothing applied twice
    await caught_up(container)
    assert await snapshot(container, "tasks_crashtest_g1") == await snapshot(container, "tasks_g" + str(
        await container.pool.fetchval("SELECT generation FROM checkpoints WHERE name = 'tasks'")))
    counted = await container.pool.fetchval("SELECT sum(n) FROM task_counts_crashtest_g1")
    assert counted == await container.pool.fetchval("SELECT count(*) FROM tasks_crashtest_g1")


async def test_a_group_moves_its_projections_together_so_no_read_sees_one_ahead(
    container: Container, client: httpx.AsyncClient
) -> None:
    first, second = CrashTestTasks(), GroupTestTasks()
    await fresh(container, first, second, position=await container.event_store.head())
    user = f"group-{uuid.uuid4().hex[:6]}"
    task = (await client.post(TASKS, json=task_body(user))).json()
    await worker_events(container, (await client.post(f"{TASKS}/{task['id']}/start")).json(), "completed")
    positions = "SELECT position FROM checkpoints WHERE name = ANY($1::text[]) ORDER BY name"
    batches = 0
    async with container.pool.acquire() as conn:
        while await apply_batch(conn, container.event_store, [first, second], 3) is not None:
            batches += 1
            # What another connection reads between two batches: both at the same position,
            # with the same rows.
            seen = [r["position"] for r in await container.pool.fetch(positions, [first.name, second.name])]
            assert seen[0] == seen[1]
            assert await rows_of(container, "tasks_crashtest_g1", user) == await rows_of(
                container, "tasks_grouptest_g1", user)
    assert batches > 1
    assert (await rows_of(container, "tasks_crashtest_g1", user))[0][8] == "COMPLETED"


async def test_a_group_gives_each_projection_every_event_after_its_own_checkpoint_once(
    container: Container, client: httpx.AsyncClient
) -> None:
    ahead, behind = PositionLog("positions_ahead"), PositionLog("positions_behind")
    start = await container.event_store.head()
    await fresh(container, ahead, behind, position=start)
    for _ in range(3):
        await client.post(TASKS, json=task_body())
    async with container.pool.acquire() as conn:  # one projection was just rebuilt, say: it is ahead
        while await apply_batch(conn, container.event_store, ahead, 500) is not None:
            pass
        middle = await container.event_store.head()
        for _ in range(3):
            await client.post(TASKS, json=task_body())
        while await apply_batch(conn, container.event_store, [ahead, behind], 2) is not None:
            pass
        end = await container.event_store.head()
        for projection in (ahead, behind):  # every position after the start, each once
            logged = [r["position"] for r in await conn.fetch(
                f"SELECT position FROM {projection.name}_g1 ORDER BY position")]
            assert logged == [e.position for e in await container.event_store.read_all(start, end - start)]
        assert start < middle < end


async def test_a_rebuilt_projection_equals_the_live_one_and_the_old_one_serves_meanwhile(
    container: Container, client: httpx.AsyncClient
) -> None:
    user = f"rebuild-{uuid.uuid4().hex[:6]}"
    for i in range(30):
        task = (await client.post(TASKS, json=task_body(user, task_name=f"task {i}"))).json()
        if i % 3 == 0:
            task = (await client.post(f"{TASKS}/{task['id']}/start")).json()
            await worker_events(container, task, "completed" if i % 2 else "failed")
        if i % 5 == 1:
            await client.put(f"{TASKS}/{task['id']}", json={"describe": "edited"})
        if i % 7 == 2:
            await client.delete(f"{TASKS}/{task['id']}")
    await caught_up(container)
    before = {name: await snapshot(container, name) for name in ("tasks", "task_counts", "task_executions")}

    reads_ok = 0
    reading = True

    async def keep_reading() -> None:
        nonlocal reads_ok
        while reading:
            response = await client.get(TASKS, params={"user_id": user, "size": 100})
            assert response.status_code == 200 and response.json()["total"] == len(
                [r for r in before["tasks"] if r[7] == user])
            reads_ok += 1
            await asyncio.sleep(0)

    reader = asyncio.create_task(keep_reading())
    for projection in POSTGRES_PROJECTIONS.values():
        await rebuild(container.event_store, projection, batch_size=50)
    reading = False
    await reader
    assert reads_ok > 0
    await caught_up(container)
    after = {name: await snapshot(container, name) for name in ("tasks", "task_counts", "task_executions")}
    assert after == before


async def test_a_second_rebuild_of_the_same_projection_is_refused_while_one_runs(container: Container) -> None:
    projection = POSTGRES_PROJECTIONS["task_executions"]
    async with container.pool.acquire() as conn:  # what a running rebuild holds
        key = await conn.fetchval("SELECT hashtext('rebuild:' || $1)::bigint", projection.name)
        assert await conn.fetchval("SELECT pg_try_advisory_lock($1)", key)
        try:
            with pytest.raises(RebuildInProgress, match="already running"):
                await rebuild(container.event_store, projection, batch_size=50)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", key)
    generation, _ = await rebuild(container.event_store, projection, batch_size=50)  # free again
    assert generation > 1
