"""The notifier on the real PostgreSQL: when its listening connection is killed, waiters are
woken, appends made while nobody listened are not slept through, and it listens again."""

from __future__ import annotations

import asyncio
import time

from xget.bootstrap import Container
from xget.events import NewEvent, TaskCreated, new_id
from xget.eventstore.notifier import Notifier
from xget.eventstore.port import NO_STREAM
from xget.eventstore.postgres import EVENTS_CHANNEL
from xget.settings import Settings


async def append_one(container: Container) -> None:
    task = new_id()
    await container.event_store.append(f"task-{task}", NO_STREAM, [NewEvent(
        event=TaskCreated(task_id=task, task_name="n", task_type="USER_INFO", parameters={"username": "a"},
                          user_id="u"))])


async def until(condition, timeout: float = 10.0) -> None:  # noqa: ANN001
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def test_waiters_wake_after_the_listener_connection_is_terminated(
    container: Container, settings: Settings
) -> None:
    # A long reconnect delay leaves a window in which nobody listens.
    notifier = Notifier(settings.postgres_dsn, (EVENTS_CHANNEL,), reconnect_delay=1.0)
    await notifier.start()
    try:
        assert notifier.connected
        listener_pid = notifier._conn.get_server_pid()  # noqa: SLF001
        before_drop = notifier.seq(EVENTS_CHANNEL)
        across = asyncio.create_task(notifier.wait(EVENTS_CHANNEL, 60, since=before_drop))
        await asyncio.sleep(0)

        assert await container.pool.fetchval("SELECT pg_terminate_backend($1)", listener_pid)
        assert await asyncio.wait_for(across, 5) is True  # woken by the drop, not by its 60 s timeout
        await until(lambda: not notifier.connected)
        await append_one(container)  # its NOTIFY reaches nobody
        await until(lambda: notifier.connected)
        assert notifier._conn.get_server_pid() != listener_pid  # noqa: SLF001

        # A reader that took its token before the drop re-reads at once instead of sleeping.
        started = time.monotonic()
        assert await notifier.wait(EVENTS_CHANNEL, 5, since=before_drop) is True
        assert time.monotonic() - started < 1

        # And the new connection listens: a fresh waiter is woken by the next append.
        fresh = notifier.seq(EVENTS_CHANNEL)
        waiting = asyncio.create_task(notifier.wait(EVENTS_CHANNEL, 60, since=fresh))
        await asyncio.sleep(0.05)
        await append_one(container)
        assert await asyncio.wait_for(waiting, 5) is True
        assert notifier.seq(EVENTS_CHANNEL) > fresh
    finally:
        await notifier.close()
