"""One task's live progress, folded from its own events (what the SSE stream sends).

The fold reuses the command side's :class:`TaskState` for the task's status, so the stream never
disagrees with what a command would decide, and adds the current execution's progress: pages,
items, account and proxy, rate-limit waits, error. Pure data, no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

from xget.commands.state import TaskState
from xget.events import (
    Event,
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionStarted,
    ExecutionStopped,
    ExecutionWaiting,
    ResultsCollected,
    TaskCreated,
    TaskDeleted,
    TaskStarted,
    TaskStopped,
    TaskUpdated,
)

FINAL_STATUSES = frozenset({"COMPLETED", "FAILED", "STOPPED"})

# The SSE event name each domain event produces (the stream adds "snapshot" and "end").
EVENT_NAMES: dict[type[Event], str] = {
    TaskCreated: "status",
    TaskUpdated: "task",
    TaskStarted: "status",
    TaskStopped: "status",
    ExecutionStarted: "status",
    ResultsCollected: "progress",
    ExecutionWaiting: "waiting",
    ExecutionCompleted: "status",
    ExecutionFailed: "status",
    ExecutionStopped: "status",
    TaskDeleted: "status",
}


class Waiting(msgspec.Struct, kw_only=True):
    """A rate-limit (or no-account) wait of the current execution."""

    reason: str
    seconds: float
    until: datetime


class LiveState(msgspec.Struct, kw_only=True):
    """What a watcher of one task knows at ``position`` (the last event folded)."""

    task: TaskState
    position: int = 0
    change: str | None = None
    """Type of the last event folded (None before any)."""
    execution_status: str | None = None
    """PENDING (requested, no worker yet), RUNNING, STOPPING, COMPLETED, FAILED or STOPPED."""
    pages: int = 0
    page_items: int = 0
    """Items of the last page collected."""
    account_id: str | None = None
    proxy_id: str | None = None
    worker_id: str | None = None
    attempt: int = 0
    waits: int = 0
    wait_seconds: float = 0.0
    waiting: Waiting | None = None
    error_class: str | None = None
    error_message: str | None = None
    requested_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration: float | None = None

    @classmethod
    def new(cls, task_id: str) -> "LiveState":
        """The state of a task nothing is known about yet."""
        return cls(task=TaskState(task_id=task_id))

    @property
    def ended(self) -> bool:
        """The task is gone, or in a final status with no execution still writing."""
        task = self.task
        return task.exists and (task.deleted or (task.status.value in FINAL_STATUSES and not task.execution_open))

    def apply(self, position: int, version: int | None, event: Event, occurred_at: datetime,
              page_items: int = 0) -> str:
        """Fold one event (``version``: its version in the task's stream, None for another stream);
        returns the SSE event name it produces."""
        self.task.apply(event, occurred_at)
        if version is not None:
            self.task.version = version
        self.position = position
        self.change = type(event).type_name()
        current = self.task.execution_id
        if isinstance(event, TaskStarted):
            self._new_execution(event, occurred_at)
        elif isinstance(event, TaskStopped):
            if event.execution_id == current and self.task.execution_open:
                self.execution_status = "STOPPING"
        elif getattr(event, "execution_id", None) == current:
            self._execution_event(event, occurred_at, page_items)
        return EVENT_NAMES.get(type(event), "status")

    def _new_execution(self, event: TaskStarted, at: datetime) -> None:
        self.execution_status = "PENDING"
        self.pages = self.page_items = self.attempt = self.waits = 0
        self.wait_seconds = 0.0
        self.account_id, self.proxy_id = event.account_id, event.proxy_id
        self.worker_id = self.waiting = self.error_class = self.error_message = None
        self.requested_at, self.started_at, self.ended_at, self.duration = at, None, None, None

    def _execution_event(self, event: Event, at: datetime, page_items: int) -> None:
        match event:
            case ExecutionStarted():
                if self.execution_status != "STOPPING":
                    self.execution_status = "RUNNING"
                self.account_id, self.proxy_id = event.account_id, event.proxy_id
                self.worker_id, self.attempt = event.worker_id, event.attempt
                self.started_at = self.started_at or at
                self.waiting = None
            case ResultsCollected():
                self.pages, self.page_items = event.page, page_items
                self.account_id = event.account_id or self.account_id
                self.proxy_id = event.proxy_id or self.proxy_id
                self.waiting = None
            case ExecutionWaiting():
                self.waits += 1
                self.wait_seconds += event.seconds
                self.account_id = event.account_id or self.account_id
                self.waiting = Waiting(reason=event.reason, seconds=event.seconds,
                                       until=at + timedelta(seconds=event.seconds))
            case ExecutionCompleted() | ExecutionFailed() | ExecutionStopped():
                self.execution_status = self.task.status.value
                self.pages = max(self.pages, event.pages)
                self.duration = event.duration
                self.ended_at = at
                self.waiting = None
                if isinstance(event, ExecutionFailed):
                    self.error_class, self.error_message = event.error_class, event.error_message

    def target(self) -> int | None:
        """How many items the task asks for (its ``limit``; one profile for USER_INFO)."""
        if self.task.task_type == "USER_INFO":
            return 1
        limit = self.task.parameters.get("limit")
        return limit if isinstance(limit, int) else None

    def to_message(self) -> dict[str, Any]:
        """The JSON body of an SSE event (documented in the endpoint's OpenAPI description)."""
        task = self.task
        return {
            "task_id": task.task_id,
            "position": self.position,
            "change": self.change,
            "status": "DELETED" if task.deleted else task.status.value,
            "ended": self.ended,
            "task_name": task.task_name,
            "task_type": task.task_type,
            "version": task.version,
            "execution_id": task.execution_id,
            "execution_status": self.execution_status,
            "result_count": task.result_count,
            "target": self.target(),
            "pages": self.pages,
            "page_items": self.page_items,
            "account_id": self.account_id,
            "proxy_id": self.proxy_id,
            "worker_id": self.worker_id,
            "attempt": self.attempt,
            "waits": self.waits,
            "wait_seconds": round(self.wait_seconds, 3),
            "waiting": msgspec.to_builtins(self.waiting) if self.waiting else None,
            "error_class": self.error_class,
            "error_message": self.error_message or task.error_message,
            "requested_at": _iso(self.requested_at),
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            "duration": self.duration,
            "updated_at": _iso(task.updated_at),
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None
