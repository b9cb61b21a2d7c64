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
from xget.outages import OUTAGES

log = logging.getLogger(__name__)


class StopSignals:
    """One asyncio.Event per running execution, set when that execution is asked to stop.

    Keyed by execution: a TaskStopped names its execution, so an old stop redelivered by Kafka
    (a rebalance, a relay restart, a new consumer group reading from the start) can never stop a
    later execution of the same task.
    """

    def __init__(self, pool: asyncpg.Pool, notifier: Notifier | None, poll_interval: float = 1.0) -> None:
        self._pool = pool
        self._poll_interval = poll_interval
        self._running: dict[str, tuple[str, int, asyncio.Event]] = {}
        if notifier is not None:
            notifier.on(STOP_CHANNEL, self.request_task)

    def watch(self, execution_id: str, task_id: str, after_position: int) -> asyncio.Event:
        """The stop event of a running execution (only stops appended after ``after_position``,
        its TaskStarted, count)."""
        event = asyncio.Event()
        self._running[execution_id] = (task_id, after_position, event)
        return event

    def unwatch(self, execution_id: str) -> None:
        """The execution ended here: forget it."""
        self._running.pop(execution_id, None)

    def request(self, execution_id: str) -> None:
        """A stop was requested for ``execution_id`` (from a TaskStopped on Kafka or the poll)."""
        watched = self._running.get(execution_id)
        if watched is not None and not watched[2].is_set():
            log.info("stop requested for execution %s of task %s", execution_id, watched[0])
            watched[2].set()

    def request_task(self, task_id: str) -> None:
        """A NOTIFY said a TaskStopped was just committed for ``task_id``. A notification is sent
        once, at that commit, and a task's next execution cannot start before its stop is
        confirmed, so it concerns the execution running now."""
        for execution_id, (watched_task, _, _) in list(self._running.items()):
            if watched_task == task_id:
                self.request(execution_id)

    async def poll_forever(self, stop: asyncio.Event) -> None:
        """The safety net: look for TaskStopped events of watched executions in the event store."""
        while not await sleep_or_stop(stop, self._poll_interval):
            pending = {x: (t, p) for x, (t, p, e) in self._running.items() if not e.is_set()}
            if not pending:
                continue
            try:
                rows = await self._pool.fetch(
                    "SELECT DISTINCT w.execution_id FROM events e "
                    "JOIN unnest($1::text[], $2::text[], $3::bigint[]) AS w(execution_id, task_id, after) "
                    "ON e.routing_key = w.task_id AND e.position > w.after "
                    "WHERE e.type = 'TaskStopped' AND e.data->>'execution_id' = w.execution_id",
                    list(pending), [t for t, _ in pending.values()], [p for _, p in pending.values()],
                )
            except OUTAGES as exc:
                log.warning("stop poll failed: %s", exc)
                continue
            for row in rows:
                self.request(row["execution_id"])
