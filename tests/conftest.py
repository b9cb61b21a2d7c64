"""Shared fixtures. Integration and e2e tests run against the real services started by
``scripts/services.sh up`` (``make test`` starts them), in a test database of their own."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from pymongo import AsyncMongoClient

from xget.bootstrap import Container, open_container
from xget.settings import Settings

TEST_RUN = uuid.uuid4().hex[:8]
_ORDER = {"unit": 0, "integration": 1, "e2e": 2}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Fast tests first: unit, then integration, then end to end (whose stack lives longest), and
    last the outage tests, which restart shared services."""

    def rank(item: pytest.Item) -> tuple[int, int]:
        parts = item.path.relative_to(item.config.rootpath).parts
        return (_ORDER.get(parts[1], 1) if len(parts) > 1 else 1, 1 if item.get_closest_marker("outage") else 0)

    items.sort(key=rank)


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings of the test run: the test databases and topics of this run only."""
    env = dict(os.environ)
    env["POSTGRES_DB"] = env.get("XGET_TEST_POSTGRES_DB", "xget_test")
    env["MONGODB_URL"] = env.get(
        "XGET_TEST_MONGODB_URL", f"mongodb://127.0.0.1:27017/{env['POSTGRES_DB']}?directConnection=true"
    )
    env["KAFKA_TOPIC_TASKS"] = f"xget-test-{TEST_RUN}.task-events"
    env["KAFKA_TOPIC_RESULTS"] = f"xget-test-{TEST_RUN}.results"
    env.setdefault("XGET_KAFKA_PARTITIONS", "4")
    return Settings.from_env(env)


async def reset_database(settings: Settings) -> None:
    """Create the test database if needed (XGET_TEST_POSTGRES_DB lets parallel runs use their
    own), drop every table so migrations start from nothing, and drop the MongoDB test database."""
    admin = await asyncpg.connect(settings.dsn_for("postgres"))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", settings.postgres_db):
            await admin.execute(f'CREATE DATABASE "{settings.postgres_db}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(settings.postgres_dsn)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    # The result views of earlier runs would otherwise outlive the events they came from.
    mongo: AsyncMongoClient = AsyncMongoClient(settings.mongodb_url, serverSelectionTimeoutMS=5000)
    try:
        await mongo.drop_database(settings.mongodb_database)
    finally:
        await mongo.close()


@pytest.fixture(scope="session")
async def container(settings: Settings) -> AsyncIterator[Container]:
    """One composition root for the whole test session, on a freshly migrated test database."""
    await reset_database(settings)
    async with open_container(settings) as c:
        yield c
