"""Events in a task's life: created, updated, deleted, started, stopped."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET, UnsetType

from xget.events.base import Event


class TaskCreated(Event, frozen=True, kw_only=True, tag="TaskCreated"):
    """A user created a collection task; it is PENDING until started."""

    task_name: str
    task_type: str
    parameters: dict[str, Any]
    user_id: str
    describe: str | None = None
    account_id: str | None = None
    proxy_id: str | None = None


class TaskUpdated(Event, frozen=True, kw_only=True, tag="TaskUpdated", omit_defaults=True):
    """Some fields of a task changed; fields left UNSET did not."""

    task_name: str | UnsetType = UNSET
    describe: str | None | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET
    account_id: str | None | UnsetType = UNSET
    proxy_id: str | None | UnsetType = UNSET

    def changes(self) -> dict[str, Any]:
        """The fields this update sets, by name."""
        return {f: v for f in self.__struct_fields__ if f != "task_id" and (v := getattr(self, f)) is not UNSET}


class TaskDeleted(Event, frozen=True, kw_only=True, tag="TaskDeleted"):
    """The task was deleted: it disappears from every read model, its events stay."""


class TaskStarted(Event, frozen=True, kw_only=True, tag="TaskStarted"):
    """A new execution of the task was requested. Carries everything a worker needs to run it."""

    execution_id: str
    task_type: str
    parameters: dict[str, Any]
    user_id: str
    account_id: str | None = None
    proxy_id: str | None = None


class TaskStopped(Event, frozen=True, kw_only=True, tag="TaskStopped"):
    """A user asked the running execution to stop; the worker confirms with ExecutionStopped."""

    execution_id: str
    reason: str = "stopped by request"


TASK_EVENTS: tuple[type[Event], ...] = (TaskCreated, TaskUpdated, TaskDeleted, TaskStarted, TaskStopped)

__all__ = ["TaskCreated", "TaskUpdated", "TaskDeleted", "TaskStarted", "TaskStopped", "TASK_EVENTS"]
