"""Batch creation: validate every item, then create the valid ones in one atomic append."""

from __future__ import annotations

from datetime import datetime, timezone

import msgspec

from xget.commands.decide import decide_create
from xget.commands.errors import ValidationFailed
from xget.commands.handlers import TaskCommands, task_stream
from xget.commands.state import TaskState
from xget.commands.types import CreateTask
from xget.events import Metadata, NewEvent
from xget.eventstore.port import NO_STREAM


def _event_id(event_ids: dict[str, str] | None, task_id: str, n: int) -> dict[str, str]:
    # only a task's first event (its TaskCreated) carries the request's digest
    return {"event_id": event_ids[task_id]} if event_ids is not None and n == 0 else {}


def decide_items(items: list[tuple[int, CreateTask]], errors: dict[int, list[tuple[str, str]]]
                 ) -> dict[int, tuple[CreateTask, list]]:
    """Each valid item's command and the events it creates, by index; each invalid item's
    errors go into ``errors``."""
    decided: dict[int, tuple[CreateTask, list]] = {}
    for index, cmd in items:
        try:
            decided[index] = (cmd, decide_create(TaskState(task_id=cmd.task_id), cmd))
        except ValidationFailed as exc:
            errors[index] = exc.errors
    return decided


class BatchOutcome(msgspec.Struct, kw_only=True):
    """Created tasks and per-item errors, by the item's index in the request."""

    created: dict[int, TaskState]
    errors: dict[int, list[tuple[str, str]]]
    position: int | None


async def create_batch(commands: TaskCommands, items: list[tuple[int, CreateTask]],
                       errors: dict[int, list[tuple[str, str]]], partial: bool,
                       event_ids: dict[str, str] | None = None) -> BatchOutcome:
    """Create the valid items together (all streams in one transaction). Without ``partial``, one
    invalid item means nothing is created. ``event_ids`` (by task id) gives a task's TaskCreated
    the id to be stored under (an idempotent batch records its request's digest in it)."""
    now = datetime.now(timezone.utc)
    decided = decide_items(items, errors)
    if not decided or (errors and not partial):
        return BatchOutcome(created={}, errors=errors, position=None)
    requests = [
        (task_stream(cmd.task_id), NO_STREAM,
         [NewEvent(event=e, metadata=Metadata(correlation_id=cmd.correlation_id, user_id=cmd.user_id),
                   occurred_at=now, **_event_id(event_ids, cmd.task_id, n)) for n, e in enumerate(events)])
        for cmd, events in decided.values()
    ]
    position = await commands.store.append_many(requests)
    created = {}
    for index, (cmd, events) in decided.items():
        state = TaskState(task_id=cmd.task_id)
        for e in events:
            state.apply(e, now)
        state.version = len(events)
        created[index] = state
    return BatchOutcome(created=created, errors=errors, position=position)
