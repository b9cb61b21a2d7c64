"""Task lifecycle decided from the task's own history (in-memory event store)."""

from __future__ import annotations

import asyncio

import pytest

from xget.commands.errors import InvalidTransition, TaskAlreadyExists, TaskNotFound, ValidationFailed
from xget.commands.handlers import TaskCommands, task_stream
from xget.commands.params import TaskStatus
from xget.commands.types import CreateTask, DeleteTask, StartTask, StopTask, UpdateTask
from xget.events import ExecutionCompleted, ExecutionStarted, ExecutionStopped, NewEvent, new_id
from xget.eventstore.memory import InMemoryEventStore
from xget.eventstore.port import ConcurrencyConflict


@pytest.fixture
def store() -> InMemoryEventStore:
    return InMemoryEventStore()


@pytest.fixture
def commands(store: InMemoryEventStore) -> TaskCommands:
    return TaskCommands(store)


async def create(commands: TaskCommands, user: str = "u1", **params: object) -> str:
    task_id = new_id()
    await commands.execute(CreateTask(
        task_id=task_id, task_name="t", task_type="USER_TWEETS",
        parameters=params or {"username": "elonmusk", "limit": 50}, user_id=user,
    ))
    return task_id


async def worker_appends(store: InMemoryEventStore, task_id: str, *events: object) -> None:
    version = await store.stream_version(task_stream(task_id))
    await store.append(task_stream(task_id), version, [NewEvent(event=e) for e in events])  # type: ignore[arg-type]


async def test_a_created_task_is_pending_with_defaults_filled_in(commands: TaskCommands) -> None:
    task_id = await create(commands)
    state = await commands.load(task_id)
    assert state.status is TaskStatus.PENDING
    assert state.parameters["include_retweets"] is True
    assert state.parameters["limit"] == 50


async def test_creating_with_invalid_parameters_names_the_field(commands: TaskCommands) -> None:
    with pytest.raises(ValidationFailed) as info:
        await create(commands, username="elonmusk", limit=0)
    assert info.value.errors[0][0] == "parameters.limit"


async def test_creating_the_same_id_twice_is_refused(commands: TaskCommands) -> None:
    cmd = CreateTask(task_id="t1", task_name="t", task_type="USER_INFO", parameters={"username": "a"}, user_id="u")
    await commands.execute(cmd)
    with pytest.raises(TaskAlreadyExists):
        await commands.execute(cmd)


async def test_start_opens_a_new_execution_and_marks_the_task_running(commands: TaskCommands) -> None:
    task_id = await create(commands)
    result = await commands.execute(StartTask(task_id=task_id, execution_id="e1"))
    assert result.state.status is TaskStatus.RUNNING
    assert result.state.execution_id == "e1"


async def test_starting_a_running_task_is_a_conflict(commands: TaskCommands) -> None:
    task_id = await create(commands)
    await commands.execute(StartTask(task_id=task_id, execution_id="e1"))
    with pytest.raises(InvalidTransition):
        await commands.execute(StartTask(task_id=task_id, execution_id="e2"))


async def test_restart_is_allowed_after_completion(commands: TaskCommands, store: InMemoryEventStore) -> None:
    task_id = await create(commands)
    await commands.execute(StartTask(task_id=task_id, execution_id="e1"))
    await worker_appends(store, task_id,
                         ExecutionStarted(task_id=task_id, execution_id="e1", account_id="a", proxy_id=None,
                                          worker_id="w"),
                         ExecutionCompleted(task_id=task_id, execution_id="e1", result_count=5, pages=1, duration=1.0))
    assert (await commands.load(task_id)).status is TaskStatus.COMPLETED
    result = await commands.execute(StartTask(task_id=task_id, execution_id="e2"))
    assert result.state.execution_id == "e2"


async def test_stop_is_only_for_running_tasks(commands: TaskCommands) -> None:
    task_id = await create(commands)
    with pytest.raises(InvalidTransition):
        await commands.execute(StopTask(task_id=task_id))


async def test_stopping_an_unclaimed_execution_closes_it_at_once(commands: TaskCommands) -> None:
    task_id = await create(commands)
    await commands.execute(StartTask(task_id=task_id, execution_id="e1"))
    result = await commands.execute(StopTask(task_id=task_id))
    assert [type(e).__name__ for e in result.events] == ["TaskStopped", "ExecutionStopped"]
    assert result.state.status is TaskStatus.STOPPED
    await commands.execute(StartTask(task_id=task_id, execution_id="e2"))


async def test_a_claimed_execution_must_confirm_the_stop_before_a_restart(
    commands: TaskCommands, store: InMemoryEventStore
) -> None:
    task_id = await create(commands)
    await commands.execute(StartTask(task_id=task_id, execution_id="e1"))
    await worker_appends(store, task_id, ExecutionStarted(task_id=task_id, execution_id="e1", account_id=None,
                                                          proxy_id=None, worker_id="w"))
    result = await commands.execute(StopTask(task_id=task_id))
    assert [type(e).__name__ for e in result.events] == ["TaskStopped"]
    assert result.state.status is TaskStatus.STOPPED
    with pytest.raises(InvalidTransition, match="still stopping"):
        await commands.execute(StartTask(task_id=task_id, execution_id="e2"))
    await worker_appends(store, task_id, ExecutionStopped(task_id=task_id, execution_id="e1", result_count=3))
    await commands.execute(StartTask(task_id=task_id, execution_id="e2"))


async def test_update_and_delete_are_refused_while_running(commands: TaskCommands) -> None:
    task_id = await create(commands)
    await commands.execute(StartTask(task_id=task_id, execution_id="e1"))
    with pytest.raises(InvalidTransition):
        await commands.execute(UpdateTask(task_id=task_id, task_name="new"))
    with pytest.raises(InvalidTransition):
        await commands.execute(DeleteTask(task_id=task_id))


async def test_update_records_only_what_changes(commands: TaskCommands) -> None:
    task_id = await create(commands)
    result = await commands.execute(UpdateTask(task_id=task_id, task_name="t", describe="new"))
    assert [e.changes() for e in result.events] == [{"describe": "new"}]  # type: ignore[attr-defined]
    nothing = await commands.execute(UpdateTask(task_id=task_id, describe="new"))
    assert nothing.events == [] and nothing.position is None


async def test_update_validates_parameters_against_the_task_type(commands: TaskCommands) -> None:
    task_id = await create(commands)
    with pytest.raises(ValidationFailed) as info:
        await commands.execute(UpdateTask(task_id=task_id, parameters={"query": "x"}))
    assert info.value.errors[0][0] == "parameters.query"


async def test_a_deleted_task_is_not_found_but_its_events_stay(commands: TaskCommands, store: InMemoryEventStore) -> None:
    task_id = await create(commands)
    await commands.execute(DeleteTask(task_id=task_id))
    for cmd in (StartTask(task_id=task_id, execution_id="e"), UpdateTask(task_id=task_id, task_name="x"),
                DeleteTask(task_id=task_id)):
        with pytest.raises(TaskNotFound):
            await commands.execute(cmd)
    assert [e.type for e in await store.read_stream(task_stream(task_id))] == ["TaskCreated", "TaskDeleted"]


async def test_another_users_task_answers_like_a_missing_one(commands: TaskCommands) -> None:
    task_id = await create(commands, user="alice")
    with pytest.raises(TaskNotFound):
        await commands.execute(StartTask(task_id=task_id, execution_id="e", actor="bob"))
    await commands.execute(StartTask(task_id=task_id, execution_id="e", actor="root", actor_is_admin=True))


async def test_a_stale_if_match_version_is_a_conflict(commands: TaskCommands) -> None:
    task_id = await create(commands)
    await commands.execute(UpdateTask(task_id=task_id, task_name="a", expected_versions=frozenset({1})))
    with pytest.raises(ConcurrencyConflict):
        await commands.execute(UpdateTask(task_id=task_id, task_name="b", expected_versions=frozenset({1})))


async def test_of_two_concurrent_starts_exactly_one_wins(commands: TaskCommands) -> None:
    task_id = await create(commands)
    results = await asyncio.gather(
        commands.execute(StartTask(task_id=task_id, execution_id="e1")),
        commands.execute(StartTask(task_id=task_id, execution_id="e2")),
        return_exceptions=True,
    )
    assert sum(isinstance(r, InvalidTransition) for r in results) == 1
