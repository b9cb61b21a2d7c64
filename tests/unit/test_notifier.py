"""The notifier's fan-out: waiters wake on notifications, nothing slips between read and wait,
and cancelled waiters never block the others."""

from __future__ import annotations

import asyncio
import random

import asyncpg

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


class FakeConnection:
    """Just enough of an asyncpg connection for the listener loop; ``drop`` plays a lost socket."""

    def __init__(self, fail_listen: bool = False) -> None:
        self.fail_listen = fail_listen
        self.closed = False
        self._on_close: list = []

    def add_termination_listener(self, callback) -> None:  # noqa: ANN001
        self._on_close.append(callback)

    async def add_listener(self, _channel: str, _callback) -> None:  # noqa: ANN001
        if self.fail_listen:  # the connection died between connect and LISTEN
            self.drop()
            raise asyncpg.InterfaceError("connection is closed")  # not a PostgresError, not an OSError

    def drop(self) -> None:
        self.closed = True
        for callback in self._on_close:
            asyncio.get_running_loop().call_soon(callback, self)
        self._on_close.clear()

    def is_closed(self) -> bool:
        return self.closed

    def terminate(self) -> None:
        self.closed = True

    async def close(self) -> None:
        self.closed = True


async def until(condition, timeout: float = 2.0) -> None:  # noqa: ANN001
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


async def test_an_interface_error_while_listening_does_not_end_the_listener(monkeypatch) -> None:  # noqa: ANN001
    connections = [FakeConnection(fail_listen=True), FakeConnection(fail_listen=True), FakeConnection()]
    opened: list[FakeConnection] = []

    async def connect(_dsn: str) -> FakeConnection:
        opened.append(connections[len(opened)])
        return opened[-1]

    monkeypatch.setattr(asyncpg, "connect", connect)
    n = Notifier("postgresql://fake", ("ch",), reconnect_delay=0.01)
    await n.start()
    try:
        assert n.connected and len(opened) == 3
        assert not n._task.done()  # noqa: SLF001
    finally:
        await n.close()


async def test_tokens_taken_before_a_lost_connection_do_not_wait_after_the_reconnect(monkeypatch) -> None:  # noqa: ANN001
    opened: list[FakeConnection] = []

    async def connect(_dsn: str) -> FakeConnection:
        opened.append(FakeConnection())
        return opened[-1]

    monkeypatch.setattr(asyncpg, "connect", connect)
    n = Notifier("postgresql://fake", ("ch",), reconnect_delay=0.05)
    await n.start()
    try:
        token = n.seq("ch")
        across = asyncio.create_task(n.wait("ch", 30, since=token))
        await asyncio.sleep(0)
        opened[0].drop()
        assert await asyncio.wait_for(across, 1) is True  # woken by the drop, not the timeout
        await until(lambda: len(opened) == 2 and n.connected)
        # Notifications sent while nobody listened are lost: the old token must not be trusted.
        assert await asyncio.wait_for(n.wait("ch", 30, since=token), 0.1) is True
        fresh = n.seq("ch")
        assert await n.wait("ch", 0.01, since=fresh) is False
    finally:
        await n.close()
