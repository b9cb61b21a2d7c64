"""The composition root: builds XGet's object graph from :class:`Settings`.

The API, the workers, the relay, the projectors, the CLI and the tests all go through
:func:`open_container`; nothing else creates pools, clients or stores. Parts are built on first
use, so a process only connects to what it needs.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import asyncpg
import msgspec

from xget.eventstore.migrate import migrate
from xget.eventstore.notifier import Notifier
from xget.eventstore.postgres import EVENTS_CHANNEL, PostgresEventStore
from xget.settings import Settings

log = logging.getLogger(__name__)

PROJECTIONS_CHANNEL = "xget_projections"
STOP_CHANNEL = "xget_stop"
"""Notified with a task id whenever a TaskStopped is appended (see migration 0005)."""


def _encode_json(value: Any) -> str:
    # Strings are already JSON (the event store passes encoded events through untouched).
    return value if isinstance(value, str) else msgspec.json.encode(value).decode()


async def _init_connection(conn: asyncpg.Connection) -> None:
    for type_name in ("json", "jsonb"):
        await conn.set_type_codec(type_name, encoder=_encode_json, decoder=msgspec.json.decode, schema="pg_catalog")


class Container:
    """Holds the process's long-lived resources; build with :func:`open_container`."""

    def __init__(self, settings: Settings, stack: AsyncExitStack) -> None:
        self.settings = settings
        self._stack = stack
        self._parts: dict[str, Any] = {}
        self.pool: asyncpg.Pool
        self.notifier: Notifier
        self.event_store: PostgresEventStore

    async def _start_postgres(self, apply_migrations: bool) -> None:
        dsn = self.settings.postgres_dsn
        try:
            conn = await asyncpg.connect(dsn, timeout=10)
        except (OSError, asyncpg.PostgresError) as exc:
            raise ConnectionError(
                f"cannot connect to PostgreSQL at {self.settings.postgres_server}:{self.settings.postgres_port} "
                f"(POSTGRES_SERVER/POSTGRES_PORT/POSTGRES_DB): {exc}"
            ) from exc
        try:
            if apply_migrations:
                await migrate(conn)
                from xget.projections.schema import ensure_projection_schema

                await ensure_projection_schema(conn)
        finally:
            await conn.close()
        self.pool = await asyncpg.create_pool(
            dsn, min_size=1, max_size=self.settings.postgres_pool_size, command_timeout=60, init=_init_connection
        )
        self._stack.push_async_callback(self.pool.close)
        self.notifier = Notifier(dsn, (EVENTS_CHANNEL, PROJECTIONS_CHANNEL, STOP_CHANNEL))
        await self.notifier.start()
        self._stack.push_async_callback(self.notifier.close)
        self.event_store = PostgresEventStore(self.pool, self.notifier)

    async def part(self, name: str, build: Callable[["Container"], Awaitable[Any]]) -> Any:
        """Build-once access to an optional part (Mongo client, Kafka producer, ...)."""
        if name not in self._parts:
            self._parts[name] = await build(self)
        return self._parts[name]

    async def mongo(self) -> Any:
        """The PyMongo async client for MONGODB_URL (built on first use)."""

        async def build(container: "Container") -> Any:
            from pymongo import AsyncMongoClient

            client: Any = AsyncMongoClient(container.settings.mongodb_url, serverSelectionTimeoutMS=5000,
                                           tz_aware=True, connect=False)
            container.on_close(client.close)
            return client

        return await self.part("mongo", build)

    async def results_store(self) -> Any:
        """The MongoDB result store (layout resolved against the server on first use)."""

        async def build(container: "Container") -> Any:
            from xget.results.store import ResultStore

            return await ResultStore.open(await container.mongo(), container.settings.mongodb_database,
                                          container.settings.results_layout)

        return await self.part("results_store", build)

    async def projections(self) -> dict[str, Any]:
        """Every consumer the projector runs, by name: the PostgreSQL read models, the MongoDB
        results view, and the alerts consumer (never rebuilt: see xget/alerts/projection.py)."""
        from xget.alerts.projection import AlertsProjection
        from xget.projections.registry import POSTGRES_PROJECTIONS
        from xget.results.projection import ResultsProjection

        return {**POSTGRES_PROJECTIONS, "results": ResultsProjection(await self.results_store()),
                "alerts": AlertsProjection()}

    def on_close(self, callback: Callable[[], Awaitable[Any]]) -> None:
        """Run ``callback`` when the container closes (last registered, first run)."""
        self._stack.push_async_callback(callback)


@asynccontextmanager
async def open_container(settings: Settings | None = None, *, apply_migrations: bool = True) -> AsyncIterator[Container]:
    """Connect to PostgreSQL (applying migrations), start the notifier and yield the container."""
    settings = settings or Settings.from_env()
    async with AsyncExitStack() as stack:
        container = Container(settings, stack)
        await container._start_postgres(apply_migrations)
        yield container
