"""Result endpoints: a task's results, search across the caller's tasks, export."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Stream

from xget.api.deps import ActorDep, Services, ServicesDep, can_see, owner_filter, task_id_of
from xget.api.instants import Instant, instant, stored
from xget.api.problems import ProblemException
from xget.commands.errors import TaskNotFound
from xget.results.export import FORMATS, exporter
from xget.results.queries import SORTS, QueryError, search_filter

USER_TASK_TYPES = {"USER_INFO", "USER_FOLLOWERS", "USER_FOLLOWING"}
MAX_LIKES = 10**15
"""Largest min_likes (far above any post's likes; larger numbers do not fit MongoDB's integers)."""
SEARCH_TASKS_LIMIT = 200
"""A search covers the caller's most recent tasks; each task's results are scanned on FerretDB."""

Limit = Annotated[int, QueryParameter(ge=1, le=1000, description="Items per page (at most 1000)")]
Cursor = Annotated[str | None, QueryParameter(max_length=500, description="next_cursor of the previous page")]
ItemType = Annotated[str | None, QueryParameter(pattern="^(tweet|user)$", description="tweet or user")]


class ResultPage(msgspec.Struct, kw_only=True):
    """A page of result documents: the normalized records plus where and when they were collected."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    limit: int
    count: int


def _problem(exc: QueryError) -> ProblemException:
    return ProblemException(422, "validation", str(exc), [{"field": f"query.{exc.field}", "message": str(exc)}])


async def _visible_task(services: Services, actor: Any, task_id: str) -> Any:
    task_id = task_id_of(task_id)
    task = await services.tasks.get(task_id)
    if task is None or not can_see(actor, task["user_id"]):
        raise TaskNotFound(task_id)
    return task


async def _generation(services: Services) -> int:
    # Per request, so a rebuild's switch is seen at once (one primary-key read).
    return await services.commands.store.pool.fetchval(  # type: ignore[attr-defined]
        "SELECT generation FROM checkpoints WHERE name = 'results'") or 1


class ResultController(Controller):
    """/api/v1/tasks/.../results and export"""

    path = "/api/v1/tasks"
    tags = ["results"]

    @get("/search/results", summary="Search collected items across your tasks")
    async def search_results(
        self, services: ServicesDep, actor: ActorDep, limit: Limit = 20, cursor: Cursor = None,
        q: Annotated[str | None, QueryParameter(max_length=200, description="Text contains (case-insensitive)")] = None,
        hashtag: Annotated[str | None, QueryParameter(max_length=100)] = None,
        author: Annotated[str | None, QueryParameter(max_length=50, description="Author screen name")] = None,
        lang: Annotated[str | None, QueryParameter(pattern="^[a-z]{2,3}$")] = None,
        since: Instant = None, until: Instant = None,
        min_likes: Annotated[int | None, QueryParameter(ge=0, le=MAX_LIKES, description=f"At least this many likes "
                                                         f"(0 to {MAX_LIKES})")] = None,
        item_type: Annotated[str, QueryParameter(pattern="^(tweet|user)$")] = "tweet",
        user_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
        task_id: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> ResultPage:
        """Newest collected first, across the 200 most recent tasks of the caller (the API key's user,
        or ``user_id`` - which an admin or auth mode none must give) or within one ``task_id``."""
        owner = owner_filter(actor, user_id) or (actor.user_id if actor is not None else None)
        if task_id is not None:
            task_ids = [str((await _visible_task(services, actor, task_id))["id"])]
        elif owner is not None:
            rows = await services.commands.store.pool.fetch(  # type: ignore[attr-defined]
                "SELECT id FROM tasks WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2", owner,
                SEARCH_TASKS_LIMIT)
            task_ids = [r["id"] for r in rows]
        else:
            raise ProblemException(422, "validation", "give user_id or task_id: with authentication off, "
                                   "the caller's tasks are user_id's", [{"field": "query.user_id",
                                                                        "message": "required without task_id"}])
        flt = search_filter(q=q, hashtag=hashtag, author=author, lang=lang, since=stored(instant(since, "since")),
                            until=stored(instant(until, "until")), min_likes=min_likes, item_type=item_type)
        # A cursor continues the query it came from: the same tasks (owner or task_id) and filter.
        scope = ("search", task_id and task_ids[0], None if task_id else owner, flt)
        try:
            items, next_cursor = await services.results.search(await _generation(services), task_ids, flt,
                                                               limit=limit, cursor=cursor, scope=scope)
        except QueryError as exc:
            raise _problem(exc) from None
        return ResultPage(items=items, next_cursor=next_cursor, limit=limit, count=len(items))

    @get("/{task_id:str}/results", summary="A task's collected items")
    async def task_results(
        self, task_id: FromPath[str], services: ServicesDep, actor: ActorDep, limit: Limit = 20,
        cursor: Cursor = None, item_type: ItemType = None,
        sort: Annotated[str, QueryParameter(description=f"one of {', '.join(SORTS)}")] = "collected",
        fields: Annotated[str | None, QueryParameter(max_length=1000, description="Comma-separated fields, e.g. "
                                                     "id,text,created_at,author.screen_name")] = None,
    ) -> ResultPage:
        """Cursor pagination in collected order (or by creation time or likes); pass next_cursor back."""
        task_id = str((await _visible_task(services, actor, task_id))["id"])
        try:
            items, next_cursor = await services.results.page(
                await _generation(services), task_id, limit=limit, sort=sort, cursor=cursor, item_type=item_type,
                fields=fields)
        except QueryError as exc:
            raise _problem(exc) from None
        return ResultPage(items=items, next_cursor=next_cursor, limit=limit, count=len(items))

    @post("/export/{task_id:str}", status_code=200, summary="Export a task's results")
    async def export_results(
        self, task_id: FromPath[str], services: ServicesDep, actor: ActorDep,
        format: Annotated[str, QueryParameter(pattern="^(json|ndjson|csv|xlsx)$", description="json, ndjson, csv "
                                              "or xlsx")] = "json",
    ) -> Response[Any]:
        """Every collected item, streamed as a download in constant memory."""
        task = await _visible_task(services, actor, task_id)
        task_id = str(task["id"])
        generation = await _generation(services)
        item_type = "user" if task["task_type"] in USER_TASK_TYPES else "tweet"
        chunks = exporter(format, item_type)(
            services.results.stream(generation, task_id, current_generation=lambda: _generation(services)))
        filename = f"xget-{task_id}-results.{format}"
        return Stream(chunks, media_type=FORMATS[format],
                      headers={"Content-Disposition": f'attachment; filename="{filename}"'})
