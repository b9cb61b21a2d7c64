"""The command handler: load a task's history, decide, append with the expected version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import msgspec

from xget.commands.decide import decide_create, decide_delete, decide_start, decide_stop, decide_update
from xget.commands.errors import TaskNotFound
from xget.commands.state import TaskState
from xget.commands.types import Command, CreateTask, DeleteTask, StartTask, StopTask, UpdateTask
from xget.events import Event, Metadata, NewEvent
from xget.eventstore.port import ConcurrencyConflict, EventStore

Decider = Callable[[TaskState, Command], list[Event]]

# The handler table: one decider per command type, registered here explicitly.
DECIDERS: dict[type[Command], Decider] = {
    CreateTask: decide_create,  # type: ignore[dict-item]
    UpdateTask: decide_update,  # type: ignore[dict-item]
    DeleteTask: decide_delete,  # type: ignore[dict-item]
    StartTask: decide_start,  # type: ignore[dict-item]
    StopTask: decide_stop,  # type: ignore[dict-item]
}


def task_stream(task_id: str) -> str:
    """The stream holding a task's life and its executions' lifecycle events."""
    return f"task-{task_id}"


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    """The task's state after the command, and the position of its last event (None if nothing
    happened) so callers can wait for read models to catch up."""

    state: TaskState
    position: int | None
    events: list[Event]


class TaskCommands:
    """Executes commands against the event store.

    Without ``expected_versions`` from the caller, a concurrent change makes the handler
    re-read and decide again (the second of two starts then fails as an invalid transition).
    With them (HTTP If-Match: one version or a list), a task at any other version is a conflict
    straight away; an empty set (only weak ETags) matches no version.
    """

    def __init__(self, store: EventStore, retries: int = 3) -> None:
        self._store = store
        self._retries = retries

    @property
    def store(self) -> EventStore:
        """The event store commands append to."""
        return self._store

    async def load(self, task_id: str) -> TaskState:
        """The task's current state, folded from its stream."""
        return TaskState.from_events(task_id, await self._store.read_stream(task_stream(task_id)))

    async def execute(self, cmd: Command) -> CommandResult:
        """Run ``cmd``; raises a :class:`xget.commands.errors.CommandError` or ConcurrencyConflict."""
        decide = DECIDERS[type(cmd)]
        task_id: str = cmd.task_id  # type: ignore[attr-defined]
        expected: frozenset[int] | None = getattr(cmd, "expected_versions", None)
        for attempt in range(self._retries + 1):
            state = await self.load(task_id)
            if not isinstance(cmd, CreateTask):
                _check_visible(state, cmd)
            if expected is not None and state.version not in expected:
                # reported against the highest accepted version; -1 when none was strong
                raise ConcurrencyConflict(task_stream(task_id), max(expected, default=-1), state.version)
            events = decide(state, cmd)
            if not events:
                return CommandResult(state=state, position=None, events=[])
            metadata = Metadata(correlation_id=cmd.correlation_id, user_id=cmd.actor or state.user_id or None)
            now = datetime.now(timezone.utc)
            new = [NewEvent(event=e, metadata=metadata, occurred_at=now) for e in events]
            try:
                position = await self._store.append(task_stream(task_id), state.version, new)
            except ConcurrencyConflict:
                if expected is not None or attempt == self._retries:
                    raise
                continue
            for e in events:
                state.apply(e, now)
            state.version += len(events)
            return CommandResult(state=state, position=position, events=events)
        raise AssertionError("unreachable")


def _check_visible(state: TaskState, cmd: Command) -> None:
    if not state.exists or state.deleted:
        raise TaskNotFound(state.task_id)
    if cmd.actor is not None and not cmd.actor_is_admin and state.user_id != cmd.actor:
        # Someone else's task answers exactly like a missing one: no existence oracle.
        raise TaskNotFound(state.task_id)
