"""The Litestar application: routes, dependencies, error handling, OpenAPI, lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin

from xget import __version__
from xget.alerts.store import Webhooks
from xget.api.dashboard import DASHBOARD_ROUTES
from xget.api.deps import Services, provide_actor, provide_correlation_id, provide_services
from xget.api.executions import ExecutionController
from xget.api.bodies import check_request_body
from xget.api.health import health, health_head, ready, ready_head
from xget.api.live import TaskEventsController
from xget.api.metrics import metrics
from xget.api.middleware import browser_guard, correlation_middleware
from xget.api.openapi import add_parameter_schemas
from xget.api.problems import EXCEPTION_HANDLERS
from xget.api.results import ResultController
from xget.api.tasks import TaskController
from xget.api.webhooks import WebhookController
from xget.auth import ApiKeys
from xget.bootstrap import Container, open_container
from xget.commands.handlers import TaskCommands
from xget.projections.queries import ExecutionQueries, TaskQueries
from xget.projections.watermarks import Watermarks
from xget.results.queries import ResultQueries
from xget.settings import Settings

MAX_BODY_BYTES = 1024 * 1024
"""Larger request bodies get 413 (a batch of 100 tasks is far below this)."""


async def build_services(container: Container) -> Services:
    """The API's services, from the composition root."""
    pool = container.pool
    return Services(
        settings=container.settings,
        commands=TaskCommands(container.event_store),
        tasks=TaskQueries(pool),
        executions=ExecutionQueries(pool),
        watermarks=Watermarks(pool, container.notifier),
        api_keys=ApiKeys(pool),
        results=ResultQueries(await container.results_store()),
        webhooks=Webhooks(pool),
        extras={"mongo": await container.mongo(), "container": container},
    )


def create_app(settings: Settings | None = None, container: Container | None = None) -> Litestar:
    """The API application. With ``container`` it uses that one; otherwise it opens its own at start."""
    settings = container.settings if container is not None else (settings or Settings.from_env())

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            own = container or await stack.enter_async_context(open_container(settings))
            app.state.services = await build_services(own)
            # before the container closes the MongoDB client: results cursors kept open between pages
            stack.push_async_callback(app.state.services.results.open_cursors.close)
            yield

    route_handlers: list[Any] = [TaskController, TaskEventsController, ResultController, ExecutionController,
                                 WebhookController, health, health_head, ready, ready_head, metrics, *DASHBOARD_ROUTES]
    return Litestar(
        route_handlers=route_handlers,
        dependencies={
            "services": Provide(provide_services, sync_to_thread=False),
            "actor": Provide(provide_actor),
            "correlation_id": Provide(provide_correlation_id, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=check_request_body,
        middleware=[partial(correlation_middleware, access=settings.access_log),
                    partial(browser_guard, allowed_hosts=settings.allowed_hosts,
                            listed_hosts=settings.listed_hosts)],
        lifespan=[lifespan],
        on_startup=[add_parameter_schemas],
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="XGet",
            version=__version__,
            description="Collection tasks for public X data: create, start, stop, follow executions, read results.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(path="/swagger"), ScalarRenderPlugin(path="/scalar")],
        ),
        logging_config=None,  # keep the process's structured logging (xget.observability.logs)
        debug=False,
    )
