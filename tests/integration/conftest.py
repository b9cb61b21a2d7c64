"""Fixtures of the integration tests: the real services, the projections running in-process,
and the API app on the session's composition root."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import httpx

from xget.api.app import build_services, create_app
from xget.api.openapi import add_parameter_schemas
from xget.bootstrap import Container
from xget.projections.registry import POSTGRES_PROJECTIONS, runner_groups
from xget.projections.runner import ProjectionRunner


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.path):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
async def projector(container: Container) -> AsyncIterator[None]:
    """Every PostgreSQL projection, kept up to date for the whole session."""
    stop = asyncio.Event()
    runners = [asyncio.create_task(ProjectionRunner(container.event_store, *group).run(stop))
               for group in runner_groups(POSTGRES_PROJECTIONS)]
    yield
    stop.set()
    await asyncio.gather(*runners)


async def app_client(container: Container) -> httpx.AsyncClient:
    """An HTTP client calling the API app in this event loop (no socket, no second loop)."""
    app = create_app(container=container)
    app.state.services = await build_services(container)
    add_parameter_schemas(app)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8003")


@pytest.fixture(scope="session")
async def client(container: Container, projector: None) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client of the API (auth mode none)."""
    async with await app_client(container) as c:
        yield c
