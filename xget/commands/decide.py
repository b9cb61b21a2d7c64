"""Deciders: pure functions from (state, command) to the events that happen. No I/O."""

from __future__ import annotations

from msgspec import UNSET

from xget.commands.errors import InvalidTransition, TaskAlreadyExists, ValidationFailed
from xget.commands.params import ParameterError, TaskStatus, TaskType, validate_parameters
from xget.commands.state import TaskState
from xget.commands.types import CreateTask, DeleteTask, StartTask, StopTask, UpdateTask
from xget.events import Event, ExecutionStopped, TaskCreated, TaskDeleted, TaskStarted, TaskStopped, TaskUpdated

STARTABLE = {TaskStatus.PENDING, TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.STOPPED}


def _parameters(task_type: str, raw: object) -> dict:
    try:
        return validate_parameters(TaskType(task_type), raw)
    except ValueError as exc:
        if isinstance(exc, ParameterError):
            raise ValidationFailed([(exc.field, exc.message)]) from None
        raise ValidationFailed([("task_type", str(exc))]) from None


def _not_running(state: TaskState, action: str) -> None:
    if not state.execution_open:
        return
    if state.status is TaskStatus.RUNNING:
        raise InvalidTransition(
            f"cannot {action} task {state.task_id} while execution {state.execution_id} is running; stop it first")
    # A stopping execution ends within seconds: the same command will succeed soon.
    raise InvalidTransition(
        f"cannot {action} task {state.task_id}: execution {state.execution_id} is still stopping", retry_after=1)


def decide_create(state: TaskState, cmd: CreateTask) -> list[Event]:
    """A new task is PENDING; its parameters are validated for its type."""
    if state.exists:
        raise TaskAlreadyExists(f"task {cmd.task_id} exists already")
    return [
        TaskCreated(
            task_id=cmd.task_id,
            task_name=cmd.task_name,
            describe=cmd.describe,
            task_type=cmd.task_type,
            parameters=_parameters(cmd.task_type, cmd.parameters),
            account_id=cmd.account_id,
            proxy_id=cmd.proxy_id,
            user_id=cmd.user_id,
        )
    ]


def decide_update(state: TaskState, cmd: UpdateTask) -> list[Event]:
    """Only fields that change are recorded; an update that changes nothing records nothing."""
    _not_running(state, "update")
    changes = {}
    for name in ("task_name", "describe", "account_id", "proxy_id"):
        value = getattr(cmd, name)
        if value is not UNSET and value != getattr(state, name):
            changes[name] = value
    if cmd.parameters is not UNSET:
        parameters = _parameters(state.task_type, cmd.parameters)
        if parameters != state.parameters:
            changes["parameters"] = parameters
    return [TaskUpdated(task_id=state.task_id, **changes)] if changes else []


def decide_delete(state: TaskState, cmd: DeleteTask) -> list[Event]:
    """A running task must be stopped before it can be deleted."""
    _not_running(state, "delete")
    return [TaskDeleted(task_id=state.task_id)]


def decide_start(state: TaskState, cmd: StartTask) -> list[Event]:
    """Start opens a new execution from PENDING, COMPLETED, FAILED or STOPPED."""
    if state.status not in STARTABLE:
        raise InvalidTransition(f"task {state.task_id} is {state.status.value}; it can start from "
                                "PENDING, COMPLETED, FAILED or STOPPED")
    _not_running(state, "start")
    return [
        TaskStarted(
            task_id=state.task_id,
            execution_id=cmd.execution_id,
            task_type=state.task_type,
            parameters=state.parameters,
            user_id=state.user_id,
            account_id=state.account_id,
            proxy_id=state.proxy_id,
        )
    ]


def decide_stop(state: TaskState, cmd: StopTask) -> list[Event]:
    """Stop is for a RUNNING task. An execution no worker has claimed yet closes at once;
    a claimed one is closed by its worker (ExecutionStopped) at its next page boundary."""
    if state.status is not TaskStatus.RUNNING or state.execution_id is None:
        raise InvalidTransition(f"task {state.task_id} is {state.status.value}; only a RUNNING task can be stopped")
    events: list[Event] = [TaskStopped(task_id=state.task_id, execution_id=state.execution_id, reason=cmd.reason)]
    if not state.execution_claimed:
        events.append(ExecutionStopped(task_id=state.task_id, execution_id=state.execution_id))
    return events
