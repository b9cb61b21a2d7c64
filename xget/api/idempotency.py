"""Idempotency-Key on task creation: a retry answers what the first request created.

A single create's task id is derived from the owner and the key, so a retry names the same task
and compares its TaskCreated with what this body would record. A batch's item i gets the id
uuid5(owner+key, i), and its TaskCreated an event id derived from a digest of the request, so a
retry finds what the first request created and whether it sent the same body. Nothing is stored
beside the events.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Response
from litestar.params import HeaderParameter

from xget.api.deps import Services, etag
from xget.api.problems import ProblemException
from xget.api.schemas import MAX_BATCH, BatchCreate, TaskOut, task_out
from xget.auth import Actor
from xget.commands.decide import decide_create
from xget.commands.handlers import task_stream
from xget.commands.state import TaskState
from xget.commands.types import CreateTask

IdempotencyKey = Annotated[str | None, HeaderParameter(
    name="Idempotency-Key", required=False, max_length=200,
    description="Retries with the same key and body return the first answer; another body with the key is 422")]
_IDEMPOTENCY_NS = uuid.UUID("6f0b7a52-8c1e-4c1b-9a57-3f1c2b7e5d10")


def key_reused() -> ProblemException:
    """422: the key was used for another request."""
    return ProblemException(422, "idempotency-key-reused", "Idempotency-Key reused with a different request body; "
                            "use a new key for a different request",
                            [{"field": "header.Idempotency-Key", "message": "reused with a different request body"}])


async def replay_create(services: Services, command: CreateTask) -> Response[TaskOut]:
    """The answer to a retry of an idempotent create: the task created first, if the retry asks
    for the same task (its TaskCreated as this body would record it); 422 otherwise."""
    recorded = await services.commands.store.read_stream(task_stream(command.task_id))
    if not recorded or recorded[0].event != decide_create(TaskState(task_id=command.task_id), command)[0]:
        raise key_reused()
    state = TaskState.from_events(command.task_id, recorded)
    if state.deleted:
        raise ProblemException(409, "already-exists", "the task created with this Idempotency-Key "
                               "was deleted; use a new key")
    return Response(task_out(state), status_code=200, headers={"ETag": etag(state.version)})


def single_task_id(owner: str, key: str) -> str:
    """The id of the task an Idempotency-Key's create makes (so a retry names the same task)."""
    return str(uuid.uuid5(_IDEMPOTENCY_NS, f"{owner}\n{key}"))


class IdempotentBatch:
    """A batch under an Idempotency-Key. Item i becomes the task uuid5(key, i), and its TaskCreated
    is stored under an event id derived from a digest of the request (owner and body), so a retry
    finds what the first request created and whether it sent the same body."""

    def __init__(self, data: BatchCreate, actor: Actor | None, key: str) -> None:
        # Without authentication the owners are the items' user_ids: two users choosing the same
        # key for their own batches must not collide.
        owner = actor.user_id if actor else ",".join(sorted({t.user_id or "" for t in data.tasks}))
        self.base = uuid.uuid5(_IDEMPOTENCY_NS, f"batch\n{owner}\n{key}")
        self.digest = hashlib.sha256(msgspec.json.encode([owner, data], order="sorted")).hexdigest()
        self.size = len(data.tasks)

    def task_id(self, index: int) -> str:
        return str(uuid.uuid5(self.base, str(index)))

    def event_id(self, task_id: str) -> str:
        return str(uuid.uuid5(uuid.UUID(task_id), self.digest))

    def event_ids(self, commands: list[tuple[int, CreateTask]]) -> dict[str, str]:
        return {cmd.task_id: self.event_id(cmd.task_id) for _, cmd in commands}

    async def _first_events(self, services: Services) -> dict[int, str]:
        """Index -> event id of the TaskCreated of each item the key's first request created."""
        by_stream = {task_stream(self.task_id(i)): i for i in range(MAX_BATCH)}
        first = await services.commands.store.first_event_ids(list(by_stream))
        return {by_stream[stream]: event_id for stream, event_id in first.items()}

    async def replay(self, services: Services, commands: list[tuple[int, CreateTask]],
                     errors: dict[int, list[tuple[str, str]]]) -> Any:
        """What the key's first request created (a BatchOutcome), None if it created nothing; 422 if
        it had another body, 409 if a task it created was deleted since."""
        from xget.commands.batch import BatchOutcome, decide_items

        first = await self._first_events(services)
        if not first:
            return None
        if any(i >= self.size or event_id != self.event_id(self.task_id(i)) for i, event_id in first.items()):
            raise key_reused()
        states = await asyncio.gather(*(services.commands.load(self.task_id(i)) for i in first))
        created = dict(zip(first, states))
        for state in states:
            if state.deleted:
                raise ProblemException(409, "already-exists", f"task {state.task_id} created with this "
                                       "Idempotency-Key was deleted; use a new key")
        errors = {i: e for i, e in errors.items() if i not in created}  # the caller's stays as it was
        decide_items([(i, cmd) for i, cmd in commands if i not in created], errors)
        return BatchOutcome(created=created, errors=errors, position=None)
