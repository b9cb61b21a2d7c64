"""Errors that mean "a database or broker is unreachable right now", not "this request is wrong".

Long-running loops (relay, projector, worker) wait and reconnect on these instead of exiting;
the API answers them with 503 and Retry-After instead of 500.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import asyncpg
from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError

from xget.aio import sleep_or_stop

OUTAGES: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, timed out (ConnectionError is one)
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,  # "connection is closed" and friends
    asyncpg.exceptions.AdminShutdownError,  # the server is going down
    asyncpg.exceptions.CannotConnectNowError,  # the server is starting up or recovering
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InternalClientError,  # a pooled connection left mid-protocol by a lost server
    ConnectionFailure,  # PyMongo: AutoReconnect, NetworkTimeout, ...
    ServerSelectionTimeoutError,
)


log = logging.getLogger(__name__)


async def take_locks(conn: asyncpg.Connection, keys: Sequence[int], stop: asyncio.Event, what: str,
                     every: float = 2.0) -> bool:
    """Take the session advisory locks ``keys`` on ``conn``, all or none, standing by while
    another process holds one (checking every ``every`` seconds). False when ``stop`` was set
    first. All or none: holding some of them would block another owner for nothing."""
    while True:
        taken: list[int] = []
        for key in keys:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
                break
            taken.append(key)
        else:
            return True
        for key in taken:
            await unlock(conn, key)
        log.info("%s is run elsewhere; standing by", what)
        if await sleep_or_stop(stop, every):
            return False


async def unlock(conn: asyncpg.Connection, key: int) -> None:
    """Release a session advisory lock if its connection is still usable. A dead connection took
    the lock with it; a connection being reclaimed at shutdown does not matter either."""
    try:
        if not conn.is_closed():
            await conn.execute("SELECT pg_advisory_unlock($1)", key)
    except OUTAGES:
        pass
