"""Errors that mean "a database or broker is unreachable right now", not "this request is wrong".

Long-running loops (relay, projector, worker) wait and reconnect on these instead of exiting;
the API answers them with 503 and Retry-After instead of 500.
"""

from __future__ import annotations

import asyncpg
from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError

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


async def unlock(conn: asyncpg.Connection, key: int) -> None:
    """Release a session advisory lock if its connection is still usable. A dead connection took
    the lock with it; a connection being reclaimed at shutdown does not matter either."""
    try:
        if not conn.is_closed():
            await conn.execute("SELECT pg_advisory_unlock($1)", key)
    except OUTAGES:
        pass
