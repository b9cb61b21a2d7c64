"""The notifier's fan-out: waiters wake on notifications, nothing slips between read and wait,
and cancelled waiters never block the others."""

from __future__ import annotations

import asyncio
import random

from xget.eventstore.notifier import Notifier


def notifier() -> Notifier:
    n = Notifier("postgresql://unused", ("ch",))
    n._events = {"ch": asyncio.Event()}  # noqa: SLF001 - as start() would, without connecting
    return n


async def test_waiters_wake_on_a_notification_and_time_out_without_one() -> None:
    n = notifier()
    waiting = asyncio.create_task(n.wait("ch", 5))
    await asyncio.sleep(0)
    n._on_notify(None, 1, "ch", "42")  # noqa: SLF001
    assert await waiting is True
    assert n.latest("ch") == "42"
    assert await n.wait("ch", 0.01) is False


async def test_a_notification_between_read_and_wait_is_not_missed() -> None:
    n = notifier()
    token = n.seq("ch")
    n._on_notify(None, 1, "ch", "1")  # noqa: SLF001 - arrives after the read, before the wait
    assert await n.wait("ch", 5, since=token) is True


async def test_cancelled_waiters_never_wedge_the_others() -> None:
    n = notifier()
    rng = random.Random(7)
    for _ in range(300):
        waiters = [asyncio.create_task(n.wait("ch", rng.choice([0.0, 0.001, 5]))) for _ in range(5)]
        await asyncio.sleep(0)
        for task in waiters:
            if rng.random() < 0.5:
                task.cancel()
        if rng.random() < 0.5:
            n._on_notify(None, 1, "ch", "x")  # noqa: SLF001
        await asyncio.sleep(rng.choice([0, 0.0005]))
        n._on_notify(None, 1, "ch", "y")  # noqa: SLF001
        await asyncio.wait_for(asyncio.gather(*waiters, return_exceptions=True), 1)
    survivor = asyncio.create_task(n.wait("ch", 5))
    await asyncio.sleep(0)
    n._on_notify(None, 1, "ch", "z")  # noqa: SLF001
    assert await asyncio.wait_for(survivor, 1) is True
