"""Read-your-writes: wait until a projection has applied a given position."""

from __future__ import annotations

import time

import asyncpg

from xget.bootstrap import PROJECTIONS_CHANNEL
from xget.eventstore.notifier import Notifier


class Watermarks:
    """Tracks how far each projection got, from its NOTIFYs, with a database fallback."""

    def __init__(self, pool: asyncpg.Pool, notifier: Notifier) -> None:
        self._pool = pool
        self._notifier = notifier
        self._positions: dict[str, int] = {}
        notifier.on(PROJECTIONS_CHANNEL, self._on_progress)

    def _on_progress(self, payload: str) -> None:
        name, _, position = payload.rpartition(":")
        if position.isdigit():
            self._positions[name] = max(self._positions.get(name, 0), int(position))

    async def _read(self, names: tuple[str, ...]) -> None:
        rows = await self._pool.fetch("SELECT name, position FROM checkpoints WHERE name = ANY($1::text[])",
                                      list(names))
        for row in rows:
            self._positions[row["name"]] = max(self._positions.get(row["name"], 0), row["position"])

    def _reached(self, names: tuple[str, ...], position: int) -> bool:
        return all(self._positions.get(n, 0) >= position for n in names)

    async def wait(self, names: tuple[str, ...], position: int, timeout: float) -> bool:
        """Wait until every projection in ``names`` reached ``position``; False on timeout."""
        if self._reached(names, position):
            return True
        if not self._notifier.connected or any(n not in self._positions for n in names):
            # Positions come from NOTIFYs: read the checkpoints when a name was never heard of
            # (the projector may be idle, done before this process started) or while the listener
            # is down. Otherwise the notification for ``position`` is still to come (one query and
            # connection reset less per write); the loop below re-reads if none arrives in time.
            await self._read(names)
        deadline = time.monotonic() + timeout
        while not self._reached(names, position):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            token = self._notifier.seq(PROJECTIONS_CHANNEL)
            if self._reached(names, position):
                break
            if not await self._notifier.wait(PROJECTIONS_CHANNEL, min(remaining, 0.25), since=token):
                await self._read(names)  # no notification: the listener may be reconnecting
        return True


__all__ = ["Watermarks"]
