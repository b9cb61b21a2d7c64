"""Commands: what a user or service asks XGet to do. Frozen data, validated at the edge."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec
from msgspec import UNSET, UnsetType


class Command(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every command. ``actor`` is the authenticated user (None when auth is off)."""

    version: ClassVar[int] = 1

    actor: str | None = None
    actor_is_admin: bool = False
    correlation_id: str | None = None


class CreateTask(Command, frozen=True, kw_only=True):
    """Create a PENDING task; ``task_id`` is chosen by the caller so retries are idempotent."""

    task_id: str
    task_name: str
    task_type: str
    parameters: dict[str, Any]
    user_id: str
    describe: str | None = None
    account_id: str | None = None
    proxy_id: str | None = None


class UpdateTask(Command, frozen=True, kw_only=True):
    """Change some fields of a task that is not running; UNSET fields stay as they are."""

    task_id: str
    expected_versions: frozenset[int] | None = None
    task_name: str | UnsetType = UNSET
    describe: str | None | UnsetType = UNSET
    parameters: dict[str, Any] | UnsetType = UNSET
    account_id: str | None | UnsetType = UNSET
    proxy_id: str | None | UnsetType = UNSET


class DeleteTask(Command, frozen=True, kw_only=True):
    """Delete a task that is not running. Its events stay in the store."""

    task_id: str
    expected_versions: frozenset[int] | None = None


class StartTask(Command, frozen=True, kw_only=True):
    """Open a new execution of the task."""

    task_id: str
    execution_id: str
    expected_versions: frozenset[int] | None = None


class StopTask(Command, frozen=True, kw_only=True):
    """Ask the running execution to stop."""

    task_id: str
    expected_versions: frozenset[int] | None = None
    reason: str = "stopped by request"
