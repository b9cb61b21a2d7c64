"""What the controllers get injected: the services of the container and the caller."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any, Optional

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from xget.alerts.store import Webhooks
from xget.api.problems import ProblemException
from xget.auth import Actor, ApiKeys
from xget.commands.errors import ValidationFailed
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


def owner_filter(actor: Actor | None, requested: str | None, what: str = "tasks") -> str | None:
    """The user_id a list of ``what`` is restricted to: a non-admin sees only their own."""
    if actor is None or actor.is_admin:
        return requested
    if requested is not None and requested != actor.user_id:
        raise ProblemException(403, "forbidden", f"you can only list your own {what} (user_id filter)")
    return actor.user_id


def owner_of_new(actor: Actor | None, requested: str | None, what: str = "tasks") -> str:
    """Who owns a new task or webhook: the key's user (an admin may name another); without
    authentication the body must name one (422)."""
    if actor is not None:
        if requested is None:
            return actor.user_id
        if requested != actor.user_id and not actor.is_admin:
            raise ProblemException(403, "forbidden", f"you can only create {what} for yourself (user_id)")
        return requested
    if requested is None:
        raise ValidationFailed([("user_id", "user_id is required when XGET_AUTH_MODE=none")])
    return requested


def can_see(actor: Actor | None, owner: str) -> bool:
    """Whether ``actor`` may see a resource of ``owner``."""
    return actor is None or actor.is_admin or actor.user_id == owner


def task_id_of(raw: str, kind: str = "task") -> str:
    """The canonical form of a task (or execution) id from a path or query: ids are UUIDs, and any
    form :class:`uuid.UUID` reads (upper case, without hyphens, in braces, ``urn:uuid:``) names the
    same task. Anything else names no task: 404, echoing at most the start of it."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise ProblemException(404, "not-found", f"{kind} {shorten(raw)} not found") from None


def shorten(value: str, limit: int = 64) -> str:
    """``value`` for a message: its first ``limit`` characters (and how many more there were)."""
    value = value.replace("\x00", "\\0")
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value)} characters)"


_ETAG = re.compile(r'\s*(W/)?"([^"]*)"\s*')


def parse_if_match(value: str | None) -> frozenset[int] | None:
    """The task versions an If-Match header accepts: None when absent or ``*`` (any current
    version). Comparison is strong (RFC 9110 13.1.1): weak tags (``W/"3"``) match nothing, so a
    header of weak tags only gives an empty set. A list (``"1", "5"``) accepts each version in it."""
    if value is None or value.strip() == "*":
        return None
    versions: set[int] = set()
    for part in value.split(","):
        tag = _ETAG.fullmatch(part)
        if tag is None or not tag.group(2).isdigit():
            raise ProblemException(400, "bad-if-match", "If-Match must be * or task version ETags such as "
                                   f"\"3\" (a comma-separated list), got {shorten(value)}")
        if not tag.group(1):
            versions.add(int(tag.group(2)))
    return frozenset(versions)


def etag(version: int) -> str:
    """ETag of a task at ``version``."""
    return f'"{version}"'


# How controllers ask for injected values (Litestar injects by parameter name).
ServicesDep = NamedDependency[Services]
ActorDep = NamedDependency[Optional[Actor]]
CorrelationDep = NamedDependency[str]
