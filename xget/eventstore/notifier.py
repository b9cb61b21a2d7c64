"""PostgreSQL LISTEN/NOTIFY fan-out: one listening connection per process, many waiters.

Waiters never depend on a notification arriving: every wait has a timeout, so a lost
connection degrades to polling while the listener reconnects in the background.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import asyncpg

log = logging.getLogger(__name__)


class Notifier:
    """Listens on channels with a dedicated connection and wakes coroutines waiting on them."""

    def __init__(self, dsn: str, channels: tuple[str, ...], reconnect_delay: float = 1.0,
                 max_reconnect_delay: float = 10.0) -> None:
        self._dsn = dsn
        self._channels = channels
        self._reconnect_delay = reconnect_delay
        self._max_reconnect_delay = max(reconnect_delay, max_reconnect_delay)
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        # One Event per channel, set and replaced by a fresh one on every notification: waiters
        # hold no lock, so cancelling a waiter (a timeout, a client gone) can never wedge others.
        self._events: dict[str, asyncio.Event] = {}
        self._latest: dict[str, str] = {}
        self._seq: dict[str, int] = {c: 0 for c in channels}
        self._hooks: dict[str, list[Callable[[str], None]]] = {c: [] for c in channels}
        self._connected = asyncio.Event()

    async def start(self) -> None:
        """Connect and begin listening; returns once listening (or after the first failure)."""
        self._events = {c: asyncio.Event() for c in self._channels}
        self._task = asyncio.create_task(self._run(), name="pg-notifier")
        try:
            await asyncio.wait_for(self._connected.wait(), timeout=5)
        except TimeoutError:
            log.warning("notifier not connected yet; waiters poll until it is")

    async def close(self) -> None:
        """Stop listening and close the connection."""
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()

    @property
    def connected(self) -> bool:
        """Whether the listening connection is up (notifications are being received)."""
        return self._connected.is_set()

    def on(self, channel: str, hook: Callable[[str], None]) -> None:
        """Call ``hook(payload)`` for every notification on ``channel``."""
        self._hooks[channel].append(hook)

    def latest(self, channel: str) -> str | None:
        """The payload of the last notification seen on ``channel``."""
        return self._latest.get(channel)

    def seq(self, channel: str) -> int:
        """A counter of notifications seen on ``channel``: take it before reading, pass it to wait."""
        return self._seq[channel]

    async def wait(self, channel: str, timeout: float, since: int | None = None) -> bool:
        """Wait for a notification on ``channel`` after the one numbered ``since`` (default: the
        next one); returns at once if it already came, so nothing slips between read and wait.
        False on timeout."""
        if since is not None and self._seq[channel] != since:
            return True
        event = self._events[channel]
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False

    def _on_notify(self, _conn: object, _pid: int, channel: str, payload: str) -> None:
        self._latest[channel] = payload
        self._seq[channel] = self._seq.get(channel, 0) + 1
        for hook in self._hooks.get(channel, ()):
            hook(payload)
        self._wake(channel)

    def _wake(self, channel: str) -> None:
        event = self._events.get(channel)
        if event is not None:
            self._events[channel] = asyncio.Event()
            event.set()

    def _resync(self) -> None:
        """Count a notification on every channel and wake every waiter: notifications may have
        been missed while no listener was up, so tokens taken before must not be trusted."""
        for channel in self._channels:
            self._seq[channel] = self._seq.get(channel, 0) + 1
            self._wake(channel)

    async def _run(self) -> None:
        delay = self._reconnect_delay
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self._dsn)
                # Registered before listening: a connection dropped while add_listener runs must
                # still be noticed (add_listener then raises an InterfaceError, handled below).
                closed = asyncio.Event()
                conn.add_termination_listener(lambda _c: closed.set())
                for channel in self._channels:
                    await conn.add_listener(channel, self._on_notify)
                self._conn = conn
                self._connected.set()
                # Whatever committed while nobody listened was never announced: waiters re-read.
                self._resync()
                delay = self._reconnect_delay
                if not conn.is_closed():
                    await closed.wait()
                log.warning("notifier connection lost; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the listener must outlive any failure: log, back off, retry
                log.warning("notifier cannot listen (%s: %s); retrying in %.1fs", type(exc).__name__, exc, delay)
            finally:
                self._connected.clear()
            if conn is not None and not conn.is_closed():
                conn.terminate()
            # Wake everyone so they re-read instead of trusting a dead listener.
            self._resync()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_reconnect_delay)
