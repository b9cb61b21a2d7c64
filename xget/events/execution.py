"""Events of one execution of a task: what a worker did and collected."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec

from xget.events.base import Event


class ExecutionStarted(Event, frozen=True, kw_only=True, tag="ExecutionStarted"):
    """A worker leased an account and a proxy and began (or resumed) collecting."""

    execution_id: str
    account_id: str | None
    proxy_id: str | None
    worker_id: str
    attempt: int = 1
    resumed_from_page: int = 0


class ResultsCollected(Event, frozen=True, kw_only=True, tag="ResultsCollected"):
    """One page of collected items. Pages are numbered from 1 within an execution;
    ``cursor`` is where the next page starts, so a resumed execution continues from the last one;
    ``done`` marks the execution's last page, so one resumed after it finishes instead of starting
    over (v2; v1 pages are upcast with ``done`` = no cursor)."""

    schema_version: ClassVar[int] = 2

    execution_id: str
    page: int
    item_type: str
    items: list[dict[str, Any]]
    cursor: str | None
    total: int
    skipped: dict[str, int] = msgspec.field(default_factory=dict)
    account_id: str | None = None
    proxy_id: str | None = None
    user_id: str | None = None
    """The task's owner, so result views and subscribers need no lookup."""
    done: bool = False


class ExecutionWaiting(Event, frozen=True, kw_only=True, tag="ExecutionWaiting"):
    """The execution is waiting (rate limit, no usable account) until ``until``."""

    execution_id: str
    reason: str
    seconds: float
    account_id: str | None = None


class ExecutionCompleted(Event, frozen=True, kw_only=True, tag="ExecutionCompleted"):
    """The execution collected everything it was asked for, or everything there was."""

    execution_id: str
    result_count: int
    pages: int
    duration: float


class ExecutionFailed(Event, frozen=True, kw_only=True, tag="ExecutionFailed"):
    """The execution ended with an error; results collected before it are kept."""

    execution_id: str
    error_class: str
    error_message: str
    result_count: int = 0
    pages: int = 0
    duration: float = 0.0


class ExecutionStopped(Event, frozen=True, kw_only=True, tag="ExecutionStopped"):
    """The execution honoured a stop request; results collected before it are kept."""

    execution_id: str
    result_count: int = 0
    pages: int = 0
    duration: float = 0.0


EXECUTION_EVENTS: tuple[type[Event], ...] = (
    ExecutionStarted,
    ResultsCollected,
    ExecutionWaiting,
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionStopped,
)
