"""A task's state, folded from its own stream. Used by the command handlers to decide."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from xget.commands.params import TaskStatus
from xget.events import (
    Event,
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionStarted,
    ExecutionStopped,
    RecordedEvent,
    ResultsCollected,
    TaskCreated,
    TaskDeleted,
    TaskStarted,
    TaskStopped,
    TaskUpdated,
)


class TaskState(msgspec.Struct, kw_only=True):
    """What the handlers need to know about one task."""

    task_id: str
    version: int = 0
    exists: bool = False
    deleted: bool = False
    task_name: str = ""
    describe: str | None = None
    task_type: str = ""
    parameters: dict[str, Any] = msgspec.field(default_factory=dict)
    account_id: str | None = None
    proxy_id: str | None = None
    user_id: str = ""
    status: TaskStatus = TaskStatus.PENDING
    error_message: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    execution_id: str | None = None
    execution_open: bool = False
    """True from TaskStarted until the execution's final event: a worker may still be writing."""
    execution_claimed: bool = False
    """True once a worker appended ExecutionStarted for the open execution."""
    result_count: int = 0
    """Items collected by the current execution (only read models see ResultsCollected)."""

    def apply(self, event: Event, occurred_at: datetime | None = None) -> None:
        """Fold one event into the state."""
        self.updated_at = occurred_at or self.updated_at
        match event:
            case TaskCreated():
                self.exists = True
                self.task_name = event.task_name
                self.describe = event.describe
                self.task_type = event.task_type
                self.parameters = event.parameters
                self.account_id = event.account_id
                self.proxy_id = event.proxy_id
                self.user_id = event.user_id
                self.status = TaskStatus.PENDING
                self.created_at = occurred_at
            case TaskUpdated():
                for name, value in event.changes().items():
                    setattr(self, name, value)
            case TaskDeleted():
                self.deleted = True
            case TaskStarted():
                self.status = TaskStatus.RUNNING
                self.error_message = None
                self.execution_id = event.execution_id
                self.execution_open = True
                self.execution_claimed = False
                self.result_count = 0
            case TaskStopped():
                self.status = TaskStatus.STOPPED
            case ExecutionStarted():
                self.execution_claimed = True
            case ResultsCollected():
                if event.execution_id == self.execution_id:
                    self.result_count = event.total
            case ExecutionCompleted():
                self._close(event.execution_id, TaskStatus.COMPLETED, event.result_count)
            case ExecutionFailed():
                if self._close(event.execution_id, TaskStatus.FAILED, event.result_count):
                    self.error_message = event.error_message
            case ExecutionStopped():
                self._close(event.execution_id, TaskStatus.STOPPED, event.result_count)

    def _close(self, execution_id: str, status: TaskStatus, result_count: int) -> bool:
        if execution_id != self.execution_id:
            return False
        self.status = status
        self.execution_open = False
        self.result_count = max(self.result_count, result_count)
        return True

    @classmethod
    def from_events(cls, task_id: str, events: list[RecordedEvent]) -> "TaskState":
        """Fold a task's recorded stream."""
        state = cls(task_id=task_id)
        for recorded in events:
            state.apply(recorded.event, recorded.occurred_at)
            state.version = recorded.version
        return state
