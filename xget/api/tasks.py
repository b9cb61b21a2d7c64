"""Task endpoints: create, list, show, update, delete, start, stop, batch create."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Response, delete, get, post, put
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from xget.api.deps import ActorDep, CorrelationDep, Services, ServicesDep, can_see, etag, owner_filter, parse_if_match
from xget.api.openapi import CREATE_EXAMPLES
from xget.api.problems import ProblemException
from xget.api.schemas import BatchCreate, BatchItem, BatchMode, BatchResult, FieldError, TaskCreate, TaskOut, \
    TaskPage, TaskUpdate, task_out
from xget.auth import Actor
from xget.commands.errors import TaskAlreadyExists, TaskNotFound, ValidationFailed
from xget.commands.handlers import CommandResult
from xget.commands.params import TaskStatus, TaskType
from xget.commands.types import CreateTask, DeleteTask, StartTask, StopTask, UpdateTask
from xget.events import new_id
from xget.projections.queries import TaskFilter

Page = Annotated[int, QueryParameter(ge=1, le=1_000_000, description="Page number, from 1")]
Size = Annotated[int, QueryParameter(ge=1, le=100, description="Items per page (at most 100)")]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False,
                                          description="ETag (task version) the change is based on")]
_IDEMPOTENCY_NS = uuid.UUID("6f0b7a52-8c1e-4c1b-9a57-3f1c2b7e5d10")


async def _respond(services: Services, result: CommandResult, status: int, *projections: str) -> Response[TaskOut]:
    """The task after a command, read back from the read model once it applied the command (so
    counts the command cannot know, like results collected so far, are right); the command's own
    view of it if the read model is late."""
    if await services.caught_up(result.position, *projections):
        row = await services.tasks.get(result.state.task_id)
        if row is not None:
            return Response(task_out(row), status_code=status, headers={"ETag": etag(row["version"])})
    return Response(task_out(result.state), status_code=status, headers={"ETag": etag(result.state.version)})


def _create_command(body: TaskCreate, actor: Actor | None, correlation_id: str, task_id: str) -> CreateTask:
    user_id = body.user_id
    if actor is not None:
        if user_id is None:
            user_id = actor.user_id
        elif user_id != actor.user_id and not actor.is_admin:
            raise ProblemException(403, "forbidden", "you can only create tasks for yourself (user_id)")
    if user_id is None:
        raise ValidationFailed([("user_id", "user_id is required when XGET_AUTH_MODE=none")])
    return CreateTask(
        task_id=task_id, task_name=body.task_name, describe=body.describe, task_type=body.task_type.value,
        parameters=body.parameters, account_id=body.account_id, proxy_id=body.proxy_id, user_id=user_id,
        actor=actor.user_id if actor else None, correlation_id=correlation_id,
    )


def _actor_fields(actor: Actor | None, correlation_id: str) -> dict[str, Any]:
    return {"actor": actor.user_id if actor else None, "actor_is_admin": bool(actor and actor.is_admin),
            "correlation_id": correlation_id}


class TaskController(Controller):
    """/api/v1/tasks"""

    path = "/api/v1/tasks"
    tags = ["tasks"]

    @post("/", status_code=201, summary="Create a collection task", openapi_examples=CREATE_EXAMPLES)
    async def create_task(
        self, data: JSONBody[TaskCreate], services: ServicesDep, actor: ActorDep, correlation_id: CorrelationDep,
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False,
                                                         max_length=200)] = None,
    ) -> Response[TaskOut]:
        """Create a PENDING task. With an Idempotency-Key, a retry returns the task created first (200)."""
        owner = (actor.user_id if actor else data.user_id) or ""
        task_id = str(uuid.uuid5(_IDEMPOTENCY_NS, f"{owner}\n{idempotency_key}")) if idempotency_key else new_id()
        command = _create_command(data, actor, correlation_id, task_id)
        try:
            result = await services.commands.execute(command)
        except TaskAlreadyExists:
            state = await services.commands.load(task_id)
            if state.deleted:
                raise ProblemException(409, "already-exists", "the task created with this Idempotency-Key "
                                       "was deleted; use a new key") from None
            return Response(task_out(state), status_code=200, headers={"ETag": etag(state.version)})
        await services.caught_up(result.position, "tasks")
        return Response(task_out(result.state), status_code=201,
                        headers={"ETag": etag(result.state.version), "Location": f"{self.path}/{task_id}"})

    @post("/batch", status_code=201, summary="Create up to 100 tasks")
    async def create_batch(self, data: JSONBody[BatchCreate], services: ServicesDep, actor: ActorDep,
                           correlation_id: CorrelationDep) -> Response[BatchResult]:
        """all_or_nothing (default): every task is valid and created together, or none is (422 with
        each item's errors). partial: valid tasks are created together, invalid ones reported (207)."""
        from xget.commands.batch import create_batch

        commands, errors = [], {}
        for index, body in enumerate(data.tasks):
            try:
                commands.append((index, _create_command(body, actor, correlation_id, new_id())))
            except ValidationFailed as exc:
                errors[index] = exc.errors
        outcome = await create_batch(services.commands, commands, errors, data.mode is BatchMode.partial)
        items = [
            BatchItem(index=i, status=201, task=task_out(outcome.created[i])) if i in outcome.created
            else BatchItem(index=i, status=422 if i in outcome.errors else 424,
                           errors=[FieldError(field=f"tasks[{i}].{f}", message=m)
                                   for f, m in outcome.errors.get(i, [("", "not created: another item is invalid")])])
            for i in range(len(data.tasks))
        ]
        result = BatchResult(mode=data.mode, created=len(outcome.created), failed=len(data.tasks) - len(outcome.created),
                             items=items)
        await services.caught_up(outcome.position, "tasks")
        if not outcome.created:
            return Response(result, status_code=422)
        return Response(result, status_code=201 if not outcome.errors else 207)

    @get("/", summary="List tasks")
    async def list_tasks(
        self, services: ServicesDep, actor: ActorDep,
        page: Page = 1, size: Size = 20,
        user_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        status: FromQuery[TaskStatus | None] = None,
        task_type: FromQuery[TaskType | None] = None,
        created_after: FromQuery[datetime | None] = None,
        created_before: FromQuery[datetime | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=200, description="Search in task names")] = None,
        sort: Annotated[str, QueryParameter(description="created_at, updated_at, task_name, status or "
                                       "result_count; prefix - for descending")] = "-created_at",
    ) -> TaskPage:
        """Tasks, newest first by default, with filters; non-admin API keys see their own only."""
        flt = TaskFilter(user_id=owner_filter(actor, user_id), status=status.value if status else None,
                         task_type=task_type.value if task_type else None, created_after=created_after,
                         created_before=created_before, name=q)
        try:
            rows, total = await services.tasks.list(flt, page, size, sort)
        except ValueError as exc:
            raise ProblemException(422, "validation", str(exc), [{"field": "query.sort", "message": str(exc)}]) from None
        return TaskPage(items=[task_out(r) for r in rows], total=total, page=page, size=size)

    @get("/{task_id:str}", summary="Show a task")
    async def get_task(self, task_id: FromPath[str], services: ServicesDep, actor: ActorDep) -> Response[TaskOut]:
        """One task, with its ETag (its version) for conditional updates."""
        row = await services.tasks.get(task_id)
        if row is None or not can_see(actor, row["user_id"]):
            raise TaskNotFound(task_id)
        return Response(task_out(row), headers={"ETag": etag(row["version"])})

    @put("/{task_id:str}", summary="Update a task")
    async def update_task(self, task_id: FromPath[str], data: JSONBody[TaskUpdate], services: ServicesDep, actor: ActorDep,
                          correlation_id: CorrelationDep, if_match: IfMatch = None) -> Response[TaskOut]:
        """Change name, description, parameters, account or proxy of a task that is not running."""
        changes = {f: getattr(data, f) for f in data.__struct_fields__}
        result = await services.commands.execute(UpdateTask(
            task_id=task_id, expected_version=parse_if_match(if_match), **changes, **_actor_fields(actor, correlation_id)
        ))
        return await _respond(services, result, 200, "tasks")

    @delete("/{task_id:str}", status_code=204, summary="Delete a task")
    async def delete_task(self, task_id: FromPath[str], services: ServicesDep, actor: ActorDep, correlation_id: CorrelationDep,
                          if_match: IfMatch = None) -> None:
        """Delete a task that is not running; its events stay in the event store."""
        result = await services.commands.execute(DeleteTask(
            task_id=task_id, expected_version=parse_if_match(if_match), **_actor_fields(actor, correlation_id)
        ))
        await services.caught_up(result.position, "tasks", "task_executions")

    @post("/{task_id:str}/start", status_code=202, summary="Start a task")
    async def start_task(self, task_id: FromPath[str], services: ServicesDep, actor: ActorDep, correlation_id: CorrelationDep,
                         if_match: IfMatch = None) -> Response[TaskOut]:
        """Open a new execution (from PENDING, COMPLETED, FAILED or STOPPED); a worker picks it up."""
        result = await services.commands.execute(StartTask(
            task_id=task_id, execution_id=new_id(), expected_version=parse_if_match(if_match),
            **_actor_fields(actor, correlation_id),
        ))
        return await _respond(services, result, 202, "tasks", "task_executions")

    @post("/{task_id:str}/stop", status_code=202, summary="Stop a running task")
    async def stop_task(self, task_id: FromPath[str], services: ServicesDep, actor: ActorDep, correlation_id: CorrelationDep,
                        if_match: IfMatch = None) -> Response[TaskOut]:
        """Ask the running execution to stop; it ends within seconds, keeping what it collected."""
        result = await services.commands.execute(StopTask(
            task_id=task_id, expected_version=parse_if_match(if_match), **_actor_fields(actor, correlation_id)
        ))
        return await _respond(services, result, 202, "tasks", "task_executions")
