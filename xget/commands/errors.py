"""Why a command was refused. The API maps each class to one HTTP status."""

from __future__ import annotations

from xget.eventstore.port import ConcurrencyConflict


class CommandError(Exception):
    """Base of the refusals a command handler raises."""


class TaskNotFound(CommandError):
    """No such task, it was deleted, or the caller may not see it (404)."""

    def __init__(self, task_id: str) -> None:
        super().__init__(f"task {task_id} not found")
        self.task_id = task_id


class TaskAlreadyExists(CommandError):
    """A task with this id exists already (409)."""


class InvalidTransition(CommandError):
    """The task's status does not allow the command (409). ``retry_after`` (seconds) is set when
    the same command will soon succeed by itself (an execution that is still stopping)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ValidationFailed(CommandError):
    """Some fields are invalid (422). ``errors`` holds (field path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


__all__ = [
    "CommandError", "TaskNotFound", "TaskAlreadyExists", "InvalidTransition", "ValidationFailed",
    "ConcurrencyConflict",
]
