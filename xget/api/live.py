"""Live progress of one task as Server-Sent Events: ``GET /api/v1/tasks/{id}/events``.

The stream is built on the event store, not on the read models: a task's events are read by
routing key (one index range scan) and folded into :class:`LiveState`, and the event-store
position of each one is the SSE ``id``, so ``Last-Event-ID`` resumes exactly where a client
left off. Between reads a stream waits on the process's single LISTEN connection (PostgreSQL
NOTIFY on every append), so an idle client holds no database connection; each read borrows a
pooled connection for one query. Reads are coalesced to at most one per ``min_interval`` per
client, whatever the system's append rate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Response, get
from litestar.params import FromPath, HeaderParameter
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from xget.api.deps import ActorDep, Services, ServicesDep, can_see, task_id_of
from xget.api.live_state import LiveState
from xget.commands.errors import TaskNotFound
from xget.commands.handlers import task_stream
from xget.events import UnknownEventType, decode_event
from xget.eventstore.postgres import PostgresEventStore
from xget.observability.metrics import SSE_STREAMS

log = logging.getLogger(__name__)

# Page events keep their item count but not their items: a watcher needs progress, not tweets,
# and a task's history then reads in milliseconds however much it collected.
_COLUMNS = (
    "position, stream_id, version, type, schema_version, occurred_at, "
    "CASE WHEN type = 'ResultsCollected' THEN jsonb_set(data::jsonb, '{items}', '[]'::jsonb)::text "
    "ELSE data::text END, "
    "CASE WHEN type = 'ResultsCollected' THEN json_array_length(data->'items') ELSE 0 END"
)
_BATCH = 500
_encode = msgspec.json.encode

DESCRIPTION = """\
Server-Sent Events (`text/event-stream`) with the task's status and progress, until the task
ends; then the stream closes. Every event's `id` is the event-store position of the change it
reports: reconnect with `Last-Event-ID` (browsers' `EventSource` does it by itself) to receive
only what came after. Without it, the first event is a `snapshot`.

Event names: `snapshot` (the state on connecting), `status` (created, started, claimed by a worker,
stop requested, completed, failed, stopped, deleted), `progress` (a page of results collected),
`waiting` (the execution waits for a rate-limit window or an account), `task` (name, parameters...
changed), and `end` (the task is in a final status with no execution still writing, or was
deleted; the last event before the stream closes). A comment line (`: keepalive`) is sent every
15 s when nothing else was, so proxies keep the connection open; the server also closes a stream
after an hour, and the client resumes with `Last-Event-ID`. A reconnect with a `Last-Event-ID` at
or after the task's end answers **204 No Content**, which tells `EventSource` to stop.

Every event's `data` is one JSON object, the whole current state:
`task_id`, `position` (same as `id`), `change` (the domain event that caused it, e.g.
`ResultsCollected`; null in a snapshot of a task without events), `status` (PENDING, RUNNING,
COMPLETED, FAILED, STOPPED, or DELETED), `ended`, `task_name`, `task_type`, `version`,
`execution_id` (current execution), `execution_status` (PENDING until a worker claims it, RUNNING,
STOPPING after a stop request, then COMPLETED, FAILED or STOPPED), `result_count` (items of the
current execution), `target` (items asked for: the `limit` parameter, 1 for USER_INFO), `pages`,
`page_items` (items of the last page), `account_id`, `proxy_id`, `worker_id`, `attempt`, `waits`
and `wait_seconds` (rate-limit waits so far), `waiting` (`{reason, seconds, until}` while waiting,
else null), `error_class`, `error_message`, `requested_at`, `started_at`, `ended_at`, `duration`
(seconds), `updated_at`.

A PENDING task's stream stays open until the task is started and ends. Unknown, deleted and (with
API keys) other users' tasks answer 404 like the other task endpoints.
"""


@dataclass
class StreamSettings:
    """Timing of the task event streams (tests shorten them)."""

    heartbeat: float = 15.0
    min_interval: float = 0.1
    max_seconds: float = 3600.0
    active: int = 0
    """Streams open right now in this process."""
    reads: asyncio.Semaphore | None = None
    """Bounds the streams' catch-up reads running at once, so hundreds of watchers of a busy
    task queue among themselves instead of taking every pooled connection from the API."""


def stream_settings(services: Services) -> StreamSettings:
    """The process's stream settings, kept with its services."""
    found = services.extras.get("task_streams")
    if found is None:
        reads = asyncio.Semaphore(max(1, services.settings.postgres_pool_size // 2))
        found = services.extras["task_streams"] = StreamSettings(reads=reads)
    return found  # type: ignore[no-any-return]


def parse_last_event_id(value: str | None) -> int | None:
    """The position a client resumes after; None when absent or not a position."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


def _message(name: str, state: LiveState) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=_encode(state.to_message()).decode(), event=name, id=state.position)


class TaskFeed:
    """Reads one task's events from the store and folds them, batch by batch."""

    def __init__(self, store: PostgresEventStore, task_id: str) -> None:
        self.store = store
        self.state = LiveState.new(task_id)
        self.stream_id = task_stream(task_id)

    async def read(self, emit_after: int | None = 0) -> list[ServerSentEventMessage]:
        """Fold every event after the last one folded; returns a message (the state just after
        it) for each event past ``emit_after`` (None: fold silently)."""
        messages: list[ServerSentEventMessage] = []
        while True:
            rows = await self.store.read_all_raw(self.state.position, _BATCH, routing_key=self.state.task.task_id,
                                                 columns=_COLUMNS)
            for position, stream_id, version, type_name, schema_version, occurred_at, data, page_items in rows:
                try:
                    event = decode_event(type_name, schema_version, data)
                except (UnknownEventType, LookupError, msgspec.DecodeError):
                    log.warning("task stream skips event %s (%s v%s)", position, type_name, schema_version)
                    self.state.position = position
                    continue
                # Pages live in the execution's stream; only the task stream versions the task.
                task_version = version if stream_id == self.stream_id else None
                name = self.state.apply(position, task_version, event, occurred_at, page_items or 0)
                if emit_after is not None and position > emit_after:
                    messages.append(_message(name, self.state))
            if len(rows) < _BATCH:
                return messages


async def _events(feed: TaskFeed, replay: list[ServerSentEventMessage] | None,
                  config: StreamSettings) -> AsyncIterator[Any]:
    """The SSE messages of one connection (Litestar cancels this on client disconnect)."""
    store, state = feed.store, feed.state
    config.active += 1
    SSE_STREAMS.inc()
    started = last_sent = time.monotonic()
    last_read = 0.0
    try:
        yield ServerSentEventMessage(data=None, comment="xget task events", retry=2000)
        pending = replay if replay is not None else [_message("snapshot", state)]
        while True:
            for message in pending:
                yield message
                last_sent = time.monotonic()
            if state.ended:
                yield _message("end", state)
                return
            now = time.monotonic()
            if now - started >= config.max_seconds:
                yield ServerSentEventMessage(data=None, comment="stream lifetime reached; reconnect with Last-Event-ID")
                return
            token = store.change_token()
            quiet = max(0.0, config.heartbeat - (now - last_sent))
            # Shielded: a client disconnect cancels this generator through anyio, which re-delivers
            # the cancellation until the scope exits; landing inside the notifier's Condition wait,
            # that can leave its lock released twice (then held forever), stalling every waiter of
            # the process. The shielded wait ends by itself within one heartbeat.
            await asyncio.shield(store.wait_for_new(token, timeout=quiet))
            if time.monotonic() - last_sent >= config.heartbeat:
                yield ServerSentEventMessage(data=None, comment="keepalive")
                last_sent = time.monotonic()
            pause = config.min_interval - (time.monotonic() - last_read)
            if pause > 0:
                await asyncio.sleep(pause)
            last_read = time.monotonic()
            async with config.reads or contextlib.nullcontext():
                pending = await feed.read(emit_after=state.position)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        # Headers are sent: no problem+json any more. Close; EventSource resumes by itself.
        log.warning("task event stream of %s closed: %s", state.task.task_id, exc)
    finally:
        config.active -= 1
        SSE_STREAMS.dec()


class TaskEventsController(Controller):
    """/api/v1/tasks/{task_id}/events"""

    path = "/api/v1/tasks"
    tags = ["tasks"]

    @get("/{task_id:str}/events", summary="Follow a task's status and progress (Server-Sent Events)",
         description=DESCRIPTION, media_type="text/event-stream")
    async def task_events(
        self, task_id: FromPath[str], services: ServicesDep, actor: ActorDep,
        last_event_id: Annotated[str | None, HeaderParameter(
            name="Last-Event-ID", required=False, description="id of the last event received; "
            "resume after it")] = None,
    ) -> Response[Any]:
        """Stream the task's changes until it ends (see the description for every field)."""
        task_id = task_id_of(task_id)  # not a UUID (or with NUL, which PostgreSQL text cannot hold): 404
        store: PostgresEventStore = services.commands.store  # type: ignore[assignment]
        feed = TaskFeed(store, task_id)
        resume_after = parse_last_event_id(last_event_id)
        config = stream_settings(services)
        # The first read is the heaviest (the whole history), and every client reconnecting after
        # a restart makes it at once: it shares the streams' read bound too.
        async with config.reads or contextlib.nullcontext():
            replay: list[ServerSentEventMessage] | None = await feed.read(emit_after=resume_after)
        task = feed.state.task
        if not task.exists or task.deleted or not can_see(actor, task.user_id):
            raise TaskNotFound(task_id)
        if resume_after is not None and resume_after > feed.state.position:
            replay = None  # not an id of this task's stream: start over with a snapshot
        elif resume_after is None:
            replay = None
        elif not replay and feed.state.ended:
            return Response(None, status_code=204)  # EventSource stops reconnecting on 204
        return ServerSentEvent(_events(feed, replay, config),
                               headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
