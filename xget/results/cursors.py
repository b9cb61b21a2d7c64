"""Continuing result pages on the server: a page's MongoDB cursor kept open for the next page.

On FerretDB 1.x a page after a cursor is found by scanning the task's collection from its start,
so reading N items page by page costs O(N^2). For the natural (collected) order the API instead
keeps the page's open MongoDB cursor, keyed by the ``next_cursor`` it handed out, and the next
request continues it: O(N) overall. A small, time-bounded, per-process cache; a miss (another API
process, expiry) falls back to the filter-based query, which gives the same items.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any


class OpenCursors:
    """At most ``size`` open cursors, each kept at most ``ttl`` seconds."""

    def __init__(self, size: int = 16, ttl: float = 60.0) -> None:
        self._size = size
        self._ttl = ttl
        self._open: OrderedDict[tuple[Any, ...], tuple[Any, dict[str, Any], float]] = OrderedDict()

    async def take(self, key: tuple[Any, ...]) -> tuple[Any, dict[str, Any]] | None:
        """The cursor and the one document already read ahead for ``key``; it leaves the cache."""
        await self._expire()
        entry = self._open.pop(key, None)
        return (entry[0], entry[1]) if entry else None

    async def keep(self, key: tuple[Any, ...], cursor: Any, peeked: dict[str, Any]) -> None:
        """Keep ``cursor`` (positioned after ``peeked``) for the request that will bring ``key``."""
        self._open[key] = (cursor, peeked, time.monotonic() + self._ttl)
        while len(self._open) > self._size:
            _, (old, _, _) = self._open.popitem(last=False)
            await old.close()

    async def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, _, expires) in self._open.items() if expires < now]:
            cursor, _, _ = self._open.pop(key)
            await cursor.close()

    async def close(self) -> None:
        """Close every open cursor (at shutdown)."""
        while self._open:
            _, (cursor, _, _) = self._open.popitem()
            await cursor.close()
