"""The fast stop signal: a running execution learns of a stop request within a second.

Three paths, whichever comes first: PostgreSQL NOTIFY on ``xget_stop`` (sent in the same
transaction that appends TaskStopped), the worker's own Kafka agent seeing TaskStopped, and a
poll of the event store every ``poll_interval`` seconds for when notifications were missed.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from xget.aio import sleep_or_stop
from xget.bootstrap import STOP_CHANNEL
from xget.eventstore.notifier import Notifier

log = logging.getLogger(__name__)


class StopSignals:
    """One asyncio.Event per running execution, set when its task is asked to stop."""

    def __init__(self, pool: asyncpg.Pool, notifier: Notifier | None, poll_interval: float = 1.0) -> None:
        self._pool = pool
        self._poll_interval = poll_interval
        self._running: dict[str, tuple[int, asyncio.Event]] = {}
        if notifier is not None:
            notifier.on(STOP_CHANNEL, self.request)

    def watch(self, task_id: str, after_position: int) -> asyncio.Event:
        """The stop event of ``task_id``'s running execution (stops appended after the position count)."""
        event = asyncio.Event()
        self._running[task_id] = (after_position, event)
        return event

    def unwatch(self, task_id: str) -> None:
        """The execution ended: forget it."""
        self._running.pop(task_id, None)

    def request(self, task_id: str) -> None:
        """A stop was requested for ``task_id`` (from NOTIFY, Kafka or the poll)."""
        watched = self._running.get(task_id)
        if watched is not None and not watched[1].is_set():
            log.info("stop requested for task %s", task_id)
            watched[1].set()

    async def poll_forever(self, stop: asyncio.Event) -> None:
        """The safety net: look for TaskStopped events of watched tasks in the event store."""
        while not await sleep_or_stop(stop, self._poll_interval):
            pending = {t: p for t, (p, e) in self._running.items() if not e.is_set()}
            if not pending:
                continue
            try:
                rows = await self._pool.fetch(
                    "SELECT DISTINCT e.routing_key FROM events e "
                    "JOIN unnest($1::text[], $2::bigint[]) AS w(task_id, after) "
                    "ON e.routing_key = w.task_id AND e.position > w.after WHERE e.type = 'TaskStopped'",
                    list(pending), list(pending.values()),
                )
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("stop poll failed: %s", exc)
                continue
            for row in rows:
                self.request(row["routing_key"])
