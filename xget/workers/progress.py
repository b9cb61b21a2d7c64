"""What an execution has done so far, read back from its events (for resuming after a crash)."""

from __future__ import annotations

from datetime import datetime

import msgspec

from xget.commands.state import TaskState
from xget.events import ExecutionStarted, Metadata, RecordedEvent, ResultsCollected, TaskStarted


class Progress(msgspec.Struct, kw_only=True):
    """The execution's checkpoint: pages written, the cursor to continue from, the ids seen."""

    pages: int = 0
    cursor: str | None = None
    total: int = 0
    done: bool = False
    """The last page was written: a resumed execution only has to record its end."""
    seen: set[str] = msgspec.field(default_factory=set)

    @classmethod
    def from_pages(cls, events: list[RecordedEvent]) -> "Progress":
        """Fold the execution stream (ResultsCollected pages, in version order)."""
        progress = cls()
        for recorded in events:
            page = recorded.event
            if isinstance(page, ResultsCollected):
                progress.pages = page.page
                progress.cursor = page.cursor
                progress.total = page.total
                progress.done = page.done
                progress.seen.update(str(item.get("id")) for item in page.items)
        return progress


class ExecutionFacts(msgspec.Struct, kw_only=True):
    """What the task's stream says about one execution."""

    state: TaskState
    started: TaskStarted | None = None
    started_event_id: str | None = None
    started_metadata: Metadata | None = None
    requested_at: datetime | None = None
    first_started_at: datetime | None = None
    attempts: int = 0

    @property
    def is_current_and_open(self) -> bool:
        """The execution is the task's current one and has no final event yet."""
        return self.started is not None and self.state.execution_id == self.started.execution_id \
            and self.state.execution_open

    @property
    def stop_requested(self) -> bool:
        """A TaskStopped arrived for this (still open) execution."""
        return self.is_current_and_open and self.state.status.value == "STOPPED"

    @classmethod
    def from_stream(cls, task_id: str, execution_id: str, events: list[RecordedEvent]) -> "ExecutionFacts":
        """Fold the task's stream, noting this execution's start request and starts."""
        facts = cls(state=TaskState(task_id=task_id))
        for recorded in events:
            facts.state.apply(recorded.event, recorded.occurred_at)
            facts.state.version = recorded.version
            event = recorded.event
            if isinstance(event, TaskStarted) and event.execution_id == execution_id:
                facts.started = event
                facts.started_event_id = recorded.event_id
                facts.started_metadata = recorded.metadata
                facts.requested_at = recorded.occurred_at
            elif isinstance(event, ExecutionStarted) and event.execution_id == execution_id:
                facts.attempts += 1
                facts.first_started_at = facts.first_started_at or recorded.occurred_at
        return facts
