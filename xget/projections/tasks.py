"""The ``tasks`` read model: one row per live task, as the API lists and shows it."""

from __future__ import annotations

from typing import Any

import asyncpg

from xget.commands.params import TaskStatus
from xget.commands.state import TaskState
from xget.events import Event, RecordedEvent
from xget.projections.base import FoldingProjection, table_name

COLUMNS = (
    "id", "task_name", "describe", "task_type", "parameters", "account_id", "proxy_id", "user_id", "status",
    "error_message", "created_at", "updated_at", "execution_id", "execution_open", "execution_claimed",
    "result_count", "version",
)

_USER, _TYPE, _STATUS = COLUMNS.index("user_id"), COLUMNS.index("task_type"), COLUMNS.index("status")


class TasksProjection(FoldingProjection):
    """Folds each task's events with the same :class:`TaskState` the command handlers use."""

    name = "tasks"
    table = "tasks"
    counts_table = "task_counts"
    announces = True
    """The runner logs each step of a task's life once it is applied here (see runner._announce)."""
    tables = ("tasks", "task_counts")
    columns = COLUMNS

    def ddl(self, generation: int) -> str:
        """Table and indexes for the list filters and sorts the API offers."""
        t = table_name(self.table, generation)
        return f"""
        CREATE TABLE {t} (
            id                text PRIMARY KEY,
            task_name         text NOT NULL,
            describe          text,
            task_type         text NOT NULL,
            parameters        jsonb NOT NULL,
            account_id        text,
            proxy_id          text,
            user_id           text NOT NULL,
            status            text NOT NULL,
            error_message     text,
            created_at        timestamptz NOT NULL,
            updated_at        timestamptz NOT NULL,
            execution_id      text,
            execution_open    boolean NOT NULL DEFAULT false,
            execution_claimed boolean NOT NULL DEFAULT false,
            result_count      integer NOT NULL DEFAULT 0,
            version           integer NOT NULL
        );
        -- created_at and id in the same direction, as the list orders them (-created_at: both
        -- DESC, a backward scan); a mixed-direction index would leave an incremental sort.
        CREATE INDEX {t}_created_idx ON {t} (created_at, id);
        CREATE INDEX {t}_user_idx ON {t} (user_id, created_at, id);
        CREATE INDEX {t}_status_idx ON {t} (status, created_at, id);
        CREATE INDEX {t}_type_idx ON {t} (task_type, created_at, id);
        CREATE INDEX {t}_name_trgm_idx ON {t} USING gin (task_name gin_trgm_ops);
        CREATE TABLE {table_name(self.counts_table, generation)} (
            user_id   text NOT NULL,
            task_type text NOT NULL,
            status    text NOT NULL,
            n         bigint NOT NULL,
            PRIMARY KEY (user_id, task_type, status)
        );
        """

    async def after_write(self, conn: asyncpg.Connection, generation: int,
                          changes: list[tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]]) -> None:
        """Keep per (user, type, status) counts, so list totals need no count(*) over all tasks."""
        deltas: dict[tuple[str, str, str], int] = {}
        for before, after in changes:
            for row, sign in ((before, -1), (after, 1)):
                if row is not None:
                    key = (row[_USER], row[_TYPE], row[_STATUS])
                    deltas[key] = deltas.get(key, 0) + sign
        rows = [(*k, n) for k, n in deltas.items() if n]
        if rows:
            await conn.executemany(
                f"INSERT INTO {table_name(self.counts_table, generation)} AS c (user_id, task_type, status, n) "
                "VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, task_type, status) DO UPDATE SET n = c.n + EXCLUDED.n",
                sorted(rows),  # a fixed order keeps concurrent writers (runner, rebuild) free of deadlocks
            )
            # Drop emptied groups so a live table and a rebuilt one hold the same rows.
            await conn.execute(
                f"DELETE FROM {table_name(self.counts_table, generation)} WHERE n = 0 AND user_id = ANY($1::text[])",
                list({r[0] for r in rows}),
            )

    def key(self, event: Event) -> str | None:
        return event.task_id

    def new_state(self, key: str) -> TaskState:
        return TaskState(task_id=key)

    def state_from_row(self, row: asyncpg.Record) -> TaskState:
        values = dict(row)
        values["task_id"] = values.pop("id")
        values["status"] = TaskStatus(values["status"])
        return TaskState(exists=True, **values)

    def row_from_state(self, state: TaskState) -> tuple[Any, ...] | None:
        if state.deleted or not state.exists:
            return None
        return (
            state.task_id, state.task_name, state.describe, state.task_type, state.parameters, state.account_id,
            state.proxy_id, state.user_id, state.status.value, state.error_message, state.created_at,
            state.updated_at, state.execution_id, state.execution_open, state.execution_claimed,
            state.result_count, state.version,
        )

    def fold(self, state: TaskState, recorded: RecordedEvent) -> None:
        state.apply(recorded.event, recorded.occurred_at)
        if recorded.stream_id == f"task-{state.task_id}":
            state.version = recorded.version
