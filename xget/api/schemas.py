"""Request and response bodies of the REST API (msgspec Structs; Litestar validates with them)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

from xget.commands.params import PARAMS_BY_TYPE, TaskStatus, TaskType

NO_NUL = r"^[^\x00]*$"
"""No string field accepts NUL: PostgreSQL text cannot store it."""
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=NO_NUL, description="Task name",
                           examples=["采集埃隆马斯克推文"])]
Describe = Annotated[str, Meta(max_length=2000, pattern=NO_NUL, description="Free-text description")]
RefId = Annotated[str, Meta(min_length=1, max_length=200, pattern=NO_NUL)]
ParametersDoc = Annotated[
    dict[str, Any],
    Meta(description="Parameters of the task type; schemas: "
         + ", ".join(f"{t.value} -> {cls.__name__}" for t, cls in PARAMS_BY_TYPE.items())
         + ". Unknown fields are rejected; every type also takes deadline_seconds (default 3600)."),
]


class TaskCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of POST /api/v1/tasks."""

    task_name: Name
    task_type: TaskType
    parameters: ParametersDoc = msgspec.field(default_factory=dict)
    describe: Describe | None = None
    account_id: RefId | None = None
    proxy_id: RefId | None = None
    user_id: RefId | None = None


class TaskUpdate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of PUT /api/v1/tasks/{task_id}: fields left out stay as they are."""

    task_name: Name | UnsetType = UNSET
    describe: Describe | None | UnsetType = UNSET
    parameters: ParametersDoc | UnsetType = UNSET
    account_id: RefId | None | UnsetType = UNSET
    proxy_id: RefId | None | UnsetType = UNSET


class BatchMode(str, Enum):
    """How a batch treats invalid items."""

    all_or_nothing = "all_or_nothing"
    partial = "partial"


MAX_BATCH = 100
"""Most tasks one batch create takes."""


class BatchCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of POST /api/v1/tasks/batch: up to 100 tasks."""

    tasks: Annotated[list[TaskCreate], Meta(min_length=1, max_length=MAX_BATCH)]
    mode: BatchMode = BatchMode.all_or_nothing


class TaskOut(msgspec.Struct, kw_only=True):
    """A task as the API shows it: the seed's fields plus the current execution and its count."""

    id: str
    task_name: str
    describe: str | None
    task_type: TaskType
    parameters: dict[str, Any]
    account_id: str | None
    proxy_id: str | None
    user_id: str
    status: TaskStatus
    error_message: str | None
    created_at: datetime
    updated_at: datetime
    execution_id: str | None
    result_count: int
    """Items collected by the current (latest) execution. The results endpoints show every item
    of every execution of the task, each once, so after a re-run they can hold more."""
    version: int


class TaskPage(msgspec.Struct, kw_only=True):
    """A page of tasks."""

    items: list[TaskOut]
    total: int
    page: int
    size: int


class FieldError(msgspec.Struct, kw_only=True):
    """One invalid field."""

    field: str
    message: str


class BatchItem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """Outcome of one batch item: the created task, or why it was not created."""

    index: int
    status: int
    task: TaskOut | None = None
    errors: list[FieldError] | None = None


class BatchResult(msgspec.Struct, kw_only=True):
    """Outcome of a batch, item by item, in request order."""

    mode: BatchMode
    created: int
    failed: int
    items: list[BatchItem]


class ExecutionOut(msgspec.Struct, kw_only=True):
    """An execution (the seed's TaskExecution) with live progress while it runs."""

    id: str
    task_id: str
    user_id: str
    status: TaskStatus
    account_id: str | None
    proxy_id: str | None
    worker_id: str | None
    attempt: int
    error_class: str | None
    error_message: str | None
    requested_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    stop_requested_at: datetime | None
    duration: float | None
    result_count: int
    pages: int
    rate_limit_waits: int
    wait_seconds: float
    last_wait_reason: str | None
    updated_at: datetime | None


class ExecutionPage(msgspec.Struct, kw_only=True):
    """A page of executions."""

    items: list[ExecutionOut]
    total: int
    page: int
    size: int


def task_out(row: Any) -> TaskOut:
    """TaskOut from a tasks row (asyncpg.Record) or a :class:`TaskState`."""
    if hasattr(row, "task_id"):
        return TaskOut(
            id=row.task_id, task_name=row.task_name, describe=row.describe, task_type=TaskType(row.task_type),
            parameters=row.parameters, account_id=row.account_id, proxy_id=row.proxy_id, user_id=row.user_id,
            status=row.status, error_message=row.error_message, created_at=row.created_at,
            updated_at=row.updated_at, execution_id=row.execution_id, result_count=row.result_count,
            version=row.version,
        )
    return TaskOut(**dict(row))


def execution_out(row: Any) -> ExecutionOut:
    """ExecutionOut from a task_executions row."""
    values = dict(row)
    values["rate_limit_waits"] = values.pop("waits")
    return ExecutionOut(**values)
