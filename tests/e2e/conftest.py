"""End-to-end fixtures: the product's own processes running as subprocesses against the real
services and the test databases (see :mod:`tests.e2e.stack`)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.conftest import reset_database
from tests.e2e.stack import Stack
from xget.settings import Settings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def e2e_settings(settings: Settings) -> Settings:
    """The end-to-end stack's own database and topics: its worker must not pick up the
    integration tests' executions, nor theirs its own."""
    database = f"{settings.postgres_db}_e2e"
    return dataclasses.replace(
        settings, postgres_db=database,
        mongodb_url=settings.mongodb_url.replace(f"/{settings.mongodb_database}?", f"/{database}?"),
        kafka_topic_tasks=settings.kafka_topic_tasks + "-e2e", kafka_topic_results=settings.kafka_topic_results + "-e2e",
    )


@pytest.fixture(scope="session")
def live_stack(e2e_settings: Settings) -> Iterator[Stack]:
    """The whole product running as subprocesses, on a freshly reset database of its own."""
    asyncio.run(reset_database(e2e_settings))
    stack = Stack(e2e_settings)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def live_api(live_stack: Stack) -> str:
    """Base URL of the live stack's API."""
    return live_stack.api


@pytest.fixture
async def api(live_stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the live API; the sandbox is back to the stack's defaults afterwards."""
    async with httpx.AsyncClient(base_url=live_stack.api, timeout=30) as client:
        yield client
    live_stack.reset_sandbox()
