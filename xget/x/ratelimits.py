"""Rate-limit windows per (account, operation), shared by every worker process.

Each X response carries ``x-rate-limit-limit/remaining/reset`` for the operation and account;
the session records them here and asks, before leasing, which accounts are exhausted for the
operation until when. :class:`PostgresRateLimitStore` shares the windows through PostgreSQL
(table ``x_rate_limits``, migration ``xget/migrations/0100_x_rate_limits.sql``);
:class:`MemoryRateLimitStore` serves a single process and the tests.

Concurrent writers may report one window out of order: within one window (same reset time) the
lowest ``remaining`` wins; a later reset time starts a new window.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

import msgspec


class Window(msgspec.Struct, kw_only=True):
    """An operation's window for one account."""

    remaining: int | None
    reset_at: float | None
    limit: int | None = None


class RateLimitStore(Protocol):
    """Where rate-limit windows live."""

    async def record(self, account_id: str, operation: str, *, remaining: int | None,
                     reset_at: float | None, limit: int | None = None) -> None:
        """Merge one response's window into the store."""
        ...

    async def exhausted(self, operation: str, now: float | None = None) -> dict[str, float]:
        """Accounts whose window for ``operation`` is used up, with the unix time it resets."""
        ...


def _merge(old: Window | None, new: Window) -> Window:
    if old is None or old.reset_at is None or (new.reset_at is not None and new.reset_at > old.reset_at):
        return new
    if new.reset_at is not None and new.reset_at < old.reset_at:
        return old  # a late report of an earlier window
    remaining = old.remaining if new.remaining is None else (
        new.remaining if old.remaining is None else min(old.remaining, new.remaining))
    return Window(remaining=remaining, reset_at=old.reset_at, limit=new.limit or old.limit)


class MemoryRateLimitStore:
    """Windows in this process's memory."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._windows: dict[tuple[str, str], Window] = {}
        self._clock = clock

    async def record(self, account_id: str, operation: str, *, remaining: int | None,
                     reset_at: float | None, limit: int | None = None) -> None:
        """Merge one response's window."""
        key = (account_id, operation)
        self._windows[key] = _merge(self._windows.get(key),
                                    Window(remaining=remaining, reset_at=reset_at, limit=limit))

    async def exhausted(self, operation: str, now: float | None = None) -> dict[str, float]:
        """Accounts with no calls left for ``operation`` and a reset still ahead."""
        now = self._clock() if now is None else now
        return {acc: w.reset_at for (acc, op), w in self._windows.items()
                if op == operation and w.remaining is not None and w.remaining <= 0
                and w.reset_at is not None and w.reset_at > now}

    async def window(self, account_id: str, operation: str) -> Window | None:
        """The stored window (for inspection)."""
        return self._windows.get((account_id, operation))


_UPSERT = """
INSERT INTO x_rate_limits AS w (account_id, operation, rate_limit, remaining, reset_at, updated_at)
VALUES ($1, $2, $3, $4, to_timestamp($5), now())
ON CONFLICT (account_id, operation) DO UPDATE SET
    remaining = CASE
        WHEN w.reset_at IS NULL OR EXCLUDED.reset_at > w.reset_at THEN EXCLUDED.remaining
        WHEN EXCLUDED.reset_at < w.reset_at THEN w.remaining
        ELSE LEAST(w.remaining, EXCLUDED.remaining) END,
    rate_limit = COALESCE(EXCLUDED.rate_limit, w.rate_limit),
    reset_at = CASE
        WHEN w.reset_at IS NULL OR EXCLUDED.reset_at > w.reset_at THEN EXCLUDED.reset_at
        ELSE w.reset_at END,
    updated_at = now()
"""

_EXHAUSTED = """
SELECT account_id, extract(epoch FROM reset_at)::float8 AS reset_at
FROM x_rate_limits
WHERE operation = $1 AND remaining <= 0 AND reset_at > to_timestamp($2)
"""

_WINDOW = """
SELECT remaining, rate_limit, extract(epoch FROM reset_at)::float8 AS reset_at
FROM x_rate_limits WHERE account_id = $1 AND operation = $2
"""


class PostgresRateLimitStore:
    """Windows in PostgreSQL on an asyncpg pool, visible to every worker process."""

    def __init__(self, pool: Any, clock: Callable[[], float] = time.time) -> None:
        self._pool = pool
        self._clock = clock

    async def record(self, account_id: str, operation: str, *, remaining: int | None,
                     reset_at: float | None, limit: int | None = None) -> None:
        """Upsert one response's window (see the module docstring for the merge rule)."""
        await self._pool.execute(_UPSERT, account_id, operation, limit, remaining, reset_at)

    async def exhausted(self, operation: str, now: float | None = None) -> dict[str, float]:
        """Accounts with no calls left for ``operation`` and a reset still ahead."""
        now = self._clock() if now is None else now
        rows = await self._pool.fetch(_EXHAUSTED, operation, now)
        return {row["account_id"]: row["reset_at"] for row in rows}

    async def window(self, account_id: str, operation: str) -> Window | None:
        """The stored window (for inspection)."""
        row = await self._pool.fetchrow(_WINDOW, account_id, operation)
        if row is None:
            return None
        return Window(remaining=row["remaining"], reset_at=row["reset_at"], limit=row["rate_limit"])
