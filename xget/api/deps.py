"""What the controllers get injected: the services of the container and the caller."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Optional

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from xget.alerts.store import Webhooks
from xget.api.problems import ProblemException
from xget.auth import Actor, ApiKeys
from xget.commands.handlers import TaskCommands
from xget.projections.queries import ExecutionQueries, TaskQueries
from xget.projections.watermarks import Watermarks
from xget.results.queries import ResultQueries
from xget.settings import Settings


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a controller may use, built once per process by the composition root."""

    settings: Settings
    commands: TaskCommands
    tasks: TaskQueries
    executions: ExecutionQueries
    watermarks: Watermarks
    api_keys: ApiKeys
    results: ResultQueries
    webhooks: Webhooks
    extras: dict[str, Any]

    async def caught_up(self, position: int | None, *names: str) -> bool:
        """Read your writes: wait until the read models named have applied ``position``."""
        if position is None:
            return True
        return await self.watermarks.wait(names or ("tasks",), position, self.settings.read_your_writes_timeout)


def provide_services(state: State) -> Services:
    """The process's services (set on app.state at start)."""
    return state.services  # type: ignore[no-any-return]


async def provide_actor(request: Request[Any, Any, Any], services: NamedDependency[Services]) -> Actor | None:
    """The caller: None when auth is off; otherwise from ``X-API-Key`` or ``Authorization: Bearer``.

    It takes ``services`` as a sub-dependency on purpose: Litestar resolves the dependencies of one
    level concurrently in an anyio task group (two tasks spawned per request, about a third of the
    CPU of GET /api/v1/tasks/{id}); depending on ``services`` puts the two on separate levels,
    each resolved inline."""
    if services.settings.auth_mode == "none":
        return None
    key = request.headers.get("x-api-key")
    if not key:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            key = auth[7:].strip()
    challenge = {"WWW-Authenticate": 'Bearer realm="xget"'}
    if not key:
        raise ProblemException(401, "unauthorized", "send an API key in X-API-Key or Authorization: Bearer",
                               headers=challenge)
    actor = await services.api_keys.verify(key)
    if actor is None:
        raise ProblemException(401, "unauthorized", "unknown or revoked API key", headers=challenge)
    return actor


def provide_correlation_id(request: Request[Any, Any, Any], actor: NamedDependency[Optional[Actor]]) -> str:
    """The request's correlation id (set by the correlation middleware).

    It takes ``actor`` only to come after it (services, then actor, then this: one dependency per
    level, none resolved in a task group; see :func:`provide_actor`). Every handler that wants a
    correlation id also wants the actor."""
    del actor
    return request.scope.get("state", {}).get("correlation_id") or str(uuid.uuid4())


def owner_filter(actor: Actor | None, requested: str | None) -> str | None:
    """The user_id a list is restricted to: a non-admin sees only their own."""
    if actor is None or actor.is_admin:
        return requested
    if requested is not None and requested != actor.user_id:
        raise ProblemException(403, "forbidden", "you can only list your own tasks (user_id filter)")
    return actor.user_id


def can_see(actor: Actor | None, owner: str) -> bool:
    """Whether ``actor`` may see a resource of ``owner``."""
    return actor is None or actor.is_admin or actor.user_id == owner


def parse_if_match(value: str | None) -> int | None:
    """Expected version from an If-Match header (``"3"`` or ``W/"3"``); None when absent or ``*``."""
    if value is None or value.strip() == "*":
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise ProblemException(400, "bad-if-match", f"If-Match must be a task version ETag such as \"3\", got {value!r}")
    return int(text)


def etag(version: int) -> str:
    """ETag of a task at ``version``."""
    return f'"{version}"'


# How controllers ask for injected values (Litestar injects by parameter name).
ServicesDep = NamedDependency[Services]
ActorDep = NamedDependency[Optional[Actor]]
CorrelationDep = NamedDependency[str]
