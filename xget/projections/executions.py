"""The ``task_executions`` read model: one row per execution, with live progress."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from xget.events import (
    Event,
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionStarted,
    ExecutionStopped,
    ExecutionWaiting,
    RecordedEvent,
    ResultsCollected,
    TaskDeleted,
    TaskStarted,
    TaskStopped,
)
from xget.projections.base import FoldingProjection, table_name


class ExecutionView(msgspec.Struct, kw_only=True):
    """An execution as the API shows it."""

    id: str
    task_id: str = ""
    user_id: str = ""
    status: str = "PENDING"
    account_id: str | None = None
    proxy_id: str | None = None
    worker_id: str | None = None
    attempt: int = 0
    error_class: str | None = None
    error_message: str | None = None
    requested_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    stop_requested_at: datetime | None = None
    duration: float | None = None
    result_count: int = 0
    pages: int = 0
    waits: int = 0
    wait_seconds: float = 0.0
    last_wait_reason: str | None = None
    updated_at: datetime | None = None
    exists: bool = False


COLUMNS = tuple(f for f in ExecutionView.__struct_fields__ if f != "exists")


class ExecutionsProjection(FoldingProjection):
    """Folds TaskStarted, TaskStopped and every Execution* event into execution rows."""

    name = "task_executions"
    table = "task_executions"
    tables = ("task_executions",)
    columns = COLUMNS

    def ddl(self, generation: int) -> str:
        """Table and indexes for listing by task, by user and by time."""
        t = table_name("task_executions", generation)
        return f"""
        CREATE TABLE {t} (
            id                text PRIMARY KEY,
            task_id           text NOT NULL,
            user_id           text NOT NULL,
            status            text NOT NULL,
            account_id        text,
            proxy_id          text,
            worker_id         text,
            attempt           integer NOT NULL DEFAULT 0,
            error_class       text,
            error_message     text,
            requested_at      timestamptz,
            started_at        timestamptz,
            completed_at      timestamptz,
            stop_requested_at timestamptz,
            duration          double precision,
            result_count      integer NOT NULL DEFAULT 0,
            pages             integer NOT NULL DEFAULT 0,
            waits             integer NOT NULL DEFAULT 0,
            wait_seconds      double precision NOT NULL DEFAULT 0,
            last_wait_reason  text,
            updated_at        timestamptz
        );
        CREATE INDEX {t}_task_idx ON {t} (task_id, requested_at DESC);
        CREATE INDEX {t}_user_idx ON {t} (user_id, requested_at DESC);
        CREATE INDEX {t}_requested_idx ON {t} (requested_at DESC, id);
        CREATE INDEX {t}_status_idx ON {t} (status, requested_at DESC);
        """

    def key(self, event: Event) -> str | None:
        return getattr(event, "execution_id", None)

    def new_state(self, key: str) -> ExecutionView:
        return ExecutionView(id=key)

    def state_from_row(self, row: asyncpg.Record) -> ExecutionView:
        return ExecutionView(exists=True, **dict(row))

    def row_from_state(self, state: ExecutionView) -> tuple[Any, ...] | None:
        if not state.exists:
            return None
        return tuple(getattr(state, c) for c in COLUMNS)

    def fold(self, state: ExecutionView, recorded: RecordedEvent) -> None:
        event = recorded.event
        at = recorded.occurred_at
        state.updated_at = at
        match event:
            case TaskStarted():
                state.exists = True
                state.task_id = event.task_id
                state.user_id = event.user_id
                state.requested_at = at
                state.account_id = event.account_id
                state.proxy_id = event.proxy_id
            case TaskStopped():
                state.stop_requested_at = state.stop_requested_at or at
            case ExecutionStarted():
                state.status = "RUNNING"
                state.account_id = event.account_id
                state.proxy_id = event.proxy_id
                state.worker_id = event.worker_id
                state.attempt = event.attempt
                state.started_at = state.started_at or at
            case ResultsCollected():
                state.account_id = event.account_id or state.account_id
                state.proxy_id = event.proxy_id or state.proxy_id
                state.pages = max(state.pages, event.page)
                state.result_count = max(state.result_count, event.total)
            case ExecutionWaiting():
                state.waits += 1
                state.wait_seconds += event.seconds
                state.last_wait_reason = event.reason
            case ExecutionCompleted() | ExecutionStopped() | ExecutionFailed():
                state.status = {ExecutionCompleted: "COMPLETED", ExecutionStopped: "STOPPED",
                                ExecutionFailed: "FAILED"}[type(event)]
                state.completed_at = at
                state.duration = event.duration
                state.result_count = max(state.result_count, event.result_count)
                state.pages = max(state.pages, event.pages)
                if isinstance(event, ExecutionFailed):
                    state.error_class = event.error_class
                    state.error_message = event.error_message

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], generation: int) -> None:
        await super().apply(conn, events, generation)
        deleted = [e.event.task_id for e in events if isinstance(e.event, TaskDeleted)]
        if deleted:
            # A deleted task's executions disappear with it from every endpoint.
            await conn.execute(
                f"DELETE FROM {table_name(self.table, generation)} WHERE task_id = ANY($1::text[])", deleted
            )
