"""Read-side queries over the tasks and task_executions views (what the API serves)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

TASK_COLUMNS = (
    "id, task_name, describe, task_type, parameters, account_id, proxy_id, user_id, status, error_message, "
    "created_at, updated_at, execution_id, result_count, version"
)
EXECUTION_COLUMNS = (
    "id, task_id, user_id, status, account_id, proxy_id, worker_id, attempt, error_class, error_message, "
    "requested_at, started_at, completed_at, stop_requested_at, duration, result_count, pages, waits, "
    "wait_seconds, last_wait_reason, updated_at"
)

TASK_SORTS = {"created_at", "updated_at", "task_name", "status", "result_count"}
EXECUTION_SORTS = {"requested_at", "started_at", "completed_at", "result_count", "duration"}


class TaskFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Filters of the task list; None means no filter."""

    user_id: str | None = None
    status: str | None = None
    task_type: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    name: str | None = None


class ExecutionFilter(msgspec.Struct, frozen=True, kw_only=True):
    """Filters of the execution list."""

    user_id: str | None = None
    task_id: str | None = None
    status: str | None = None


def order_by(sort: str, allowed: set[str], tiebreak: str = "id") -> str:
    """SQL ORDER BY for ``sort`` (``field`` or ``-field``); the caller validated ``field``."""
    field = sort.lstrip("-")
    if field not in allowed:
        raise ValueError(f"cannot sort by {field!r}; use one of {', '.join(sorted(allowed))}")
    direction = "DESC" if sort.startswith("-") else "ASC"
    return f"{field} {direction}, {tiebreak} {direction}"


def _where(conditions: list[tuple[str, Any]]) -> tuple[str, list[Any]]:
    clauses, args = [], []
    for template, value in conditions:
        if value is not None:
            args.append(value)
            clauses.append(template.format(f"${len(args)}"))
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class TaskQueries:
    """Queries of the tasks read model."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, task_id: str) -> asyncpg.Record | None:
        """One task by id (None when missing or deleted)."""
        return await self._pool.fetchrow(f"SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1", task_id)

    async def list(self, f: TaskFilter, page: int, size: int, sort: str = "-created_at"
                   ) -> tuple[list[asyncpg.Record], int]:
        """A page of tasks and the total matching the filter."""
        where, args = _where([
            ("user_id = {}", f.user_id),
            ("status = {}", f.status),
            ("task_type = {}", f.task_type),
            ("created_at >= {}", f.created_after),
            ("created_at < {}", f.created_before),
            ("task_name ILIKE {}", _like(f.name) if f.name else None),
        ])
        n = len(args)
        sql = (f"SELECT {TASK_COLUMNS} FROM tasks{where} ORDER BY {order_by(sort, TASK_SORTS)} "
               f"LIMIT ${n + 1} OFFSET ${n + 2}")
        # Both queries on one connection: one pool acquire and one connection reset, not two.
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(sql, *args, size, (page - 1) * size)
            return rows, await self._total(conn, f, where, args)

    @staticmethod
    async def _total(conn: asyncpg.Connection, f: TaskFilter, where: str, args: list[Any]) -> int:
        if f.created_after is None and f.created_before is None and not f.name:
            # Only equality filters: the per (user, type, status) counts answer without a scan.
            counts_where, counts_args = _where([
                ("user_id = {}", f.user_id), ("status = {}", f.status), ("task_type = {}", f.task_type)
            ])
            return await conn.fetchval(
                f"SELECT coalesce(sum(n), 0)::bigint FROM task_counts{counts_where}", *counts_args
            )
        return await conn.fetchval(f"SELECT count(*) FROM tasks{where}", *args)


class ExecutionQueries:
    """Queries of the task_executions read model."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, execution_id: str) -> asyncpg.Record | None:
        """One execution by id."""
        return await self._pool.fetchrow(
            f"SELECT {EXECUTION_COLUMNS} FROM task_executions WHERE id = $1", execution_id
        )

    async def list(self, f: ExecutionFilter, page: int, size: int, sort: str = "-requested_at"
                   ) -> tuple[list[asyncpg.Record], int]:
        """A page of executions and the total matching the filter."""
        where, args = _where([("user_id = {}", f.user_id), ("task_id = {}", f.task_id), ("status = {}", f.status)])
        n = len(args)
        rows = await self._pool.fetch(
            f"SELECT {EXECUTION_COLUMNS} FROM task_executions{where} "
            f"ORDER BY {order_by(sort, EXECUTION_SORTS)} LIMIT ${n + 1} OFFSET ${n + 2}",
            *args, size, (page - 1) * size,
        )
        total = await self._pool.fetchval(f"SELECT count(*) FROM task_executions{where}", *args)
        return rows, total
