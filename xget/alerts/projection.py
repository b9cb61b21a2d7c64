"""The alerts consumer: source events in, webhook deliveries out, exactly once per source event.

It is run by the generic :class:`~xget.projections.runner.ProjectionRunner` (inside ``xget
projector``), so each batch of events, the deliveries it creates and the ``alerts`` checkpoint
commit in one transaction; a crash replays the batch into the same deliveries, which the unique
``(webhook_id, event, dedupe_key)`` drops.

Alerts (the dedupe key of each is its execution id):

| alert | from |
|---|---|
| ``task.failed`` | ``ExecutionFailed`` |
| ``execution.empty`` | ``ExecutionCompleted`` with ``result_count`` 0 |
| ``accounts.exhausted`` | ``ExecutionWaiting`` with reason ``accounts_exhausted``, or ``ExecutionFailed`` with error class ``no_account_available``: at most one per execution |

Unlike a read model it has effects outside the database (HTTP requests), so it is never rebuilt
or replayed from position 0: it starts at the event store's head (``starts_at_head``; migration
0006 creates its checkpoint there), it is not in ``xget projections rebuild``'s list, and
:meth:`AlertsProjection.create_generation` refuses.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import msgspec

from xget.events import (
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionWaiting,
    RecordedEvent,
    TaskCreated,
    decode_event,
)
from xget.commands.handlers import task_stream

log = logging.getLogger("xget.alerts")

NAME = "alerts"


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert about one execution, before it is fanned out to webhooks."""

    event: str
    task_id: str
    execution_id: str
    data: dict[str, Any]
    source: RecordedEvent = field(repr=False)

    @property
    def dedupe_key(self) -> str:
        """What makes two alerts the same one: the execution (one final event each, and at most
        one account-exhaustion alert each)."""
        return self.execution_id


def alerts_of(recorded: RecordedEvent) -> list[Alert]:
    """The alerts one stored event raises (pure)."""
    event = recorded.event
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(event, ExecutionFailed):
        outcome = {"error_class": event.error_class, "error_message": event.error_message,
                   "result_count": event.result_count, "pages": event.pages, "duration": event.duration}
        found.append(("task.failed", outcome))
        if event.error_class == "no_account_available":
            found.append(("accounts.exhausted", {"source": "ExecutionFailed", "reason": event.error_class,
                                                 "error_message": event.error_message}))
    elif isinstance(event, ExecutionCompleted) and event.result_count == 0:
        found.append(("execution.empty", {"result_count": 0, "pages": event.pages, "duration": event.duration}))
    elif isinstance(event, ExecutionWaiting) and event.reason == "accounts_exhausted":
        found.append(("accounts.exhausted", {"source": "ExecutionWaiting", "reason": event.reason,
                                             "wait_seconds": event.seconds, "account_id": event.account_id}))
    return [Alert(name, event.task_id, event.execution_id, data, recorded) for name, data in found]


def payload_of(delivery_id: str, alert: Alert, user_id: str, task_type: str | None) -> dict[str, Any]:
    """The JSON body receivers get (docs/webhooks.md)."""
    source = alert.source
    return {
        "id": delivery_id,
        "event": alert.event,
        "occurred_at": source.occurred_at.isoformat(),
        "data": {
            "task_id": alert.task_id,
            "execution_id": alert.execution_id,
            "user_id": user_id,
            "task_type": task_type,
            **alert.data,
        },
        "source": {
            "event_id": source.event_id,
            "type": source.type,
            "position": source.position,
            "correlation_id": source.metadata.correlation_id,
        },
    }


async def task_owners(conn: asyncpg.Connection, task_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(user_id, task_type) of each task, from its TaskCreated (version 1 of ``task-<id>``),
    read in the caller's transaction. Decoded through the codec, so old schema versions upcast."""
    rows = await conn.fetch(
        "SELECT type, schema_version, data::text AS data FROM events "
        "WHERE stream_id = ANY($1::text[]) AND version = 1",
        [task_stream(t) for t in task_ids],
    )
    owners: dict[str, tuple[str, str]] = {}
    for row in rows:
        event = decode_event(row["type"], row["schema_version"], row["data"])
        if isinstance(event, TaskCreated):
            owners[event.task_id] = (event.user_id, event.task_type)
    return owners


class AlertsProjection:
    """Implements :class:`xget.projections.base.Projection` for the alerts consumer. Its storage
    (``webhooks``, ``webhook_deliveries``) comes from migration 0006 and has no generations."""

    name = NAME
    starts_at_head = True
    """Read by :func:`xget.projections.schema.ensure_projection`: a missing checkpoint row is
    created at the current head, not at 0 (a fresh start must not send old alerts)."""

    async def apply(self, conn: asyncpg.Connection, events: Sequence[RecordedEvent], generation: int) -> None:
        """Create the deliveries of every alert in ``events`` for the owners' active webhooks."""
        del generation
        # One alert per (alert, execution) in a batch: an execution may wait for accounts many times.
        unique: dict[tuple[str, str], Alert] = {}
        for recorded in events:
            for alert in alerts_of(recorded):
                unique.setdefault((alert.event, alert.dedupe_key), alert)
        if not unique:
            return
        alerts = list(unique.values())
        owners = await task_owners(conn, sorted({a.task_id for a in alerts}))
        users = sorted({owners[a.task_id][0] for a in alerts if a.task_id in owners})
        hooks: dict[str, list[tuple[uuid.UUID, list[str]]]] = {}
        if users:
            for row in await conn.fetch(
                "SELECT id, user_id, events FROM webhooks WHERE active AND user_id = ANY($1::text[])", users
            ):
                hooks.setdefault(row["user_id"], []).append((row["id"], row["events"]))
        columns: tuple[list[Any], ...] = ([], [], [], [], [])
        targets: dict[tuple[str, str], int] = {}
        for alert in alerts:
            owner = owners.get(alert.task_id)
            if owner is None:
                log.warning("alert %s for task %s: the task has no TaskCreated; skipped", alert.event,
                            alert.task_id, extra={"task_id": alert.task_id, "alert": alert.event})
                continue
            user_id, task_type = owner
            wanted = [hook_id for hook_id, names in hooks.get(user_id, []) if alert.event in names]
            targets[(alert.event, alert.dedupe_key)] = len(wanted)
            for hook_id in wanted:
                delivery_id = uuid.uuid4()
                body = msgspec.json.encode(payload_of(str(delivery_id), alert, user_id, task_type)).decode()
                for column, value in zip(columns, (delivery_id, hook_id, alert.event, alert.dedupe_key, body)):
                    column.append(value)
        created: dict[tuple[str, str], int] = {}
        if columns[0]:
            for row in await conn.fetch(
                "INSERT INTO webhook_deliveries (id, webhook_id, event, dedupe_key, payload) "
                "SELECT i, w, e, k, p::jsonb FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) "
                "AS t(i, w, e, k, p) "
                "ON CONFLICT (webhook_id, event, dedupe_key) DO NOTHING RETURNING event, dedupe_key",
                *columns,
            ):
                key = (row["event"], row["dedupe_key"])
                created[key] = created.get(key, 0) + 1
        for alert in alerts:
            key = (alert.event, alert.dedupe_key)
            if key not in targets:
                continue
            new = created.get(key, 0)
            user_id = owners[alert.task_id][0]
            context = {"alert": alert.event, "task_id": alert.task_id, "execution_id": alert.execution_id,
                       "user_id": user_id, "webhooks": targets[key], "deliveries": new,
                       "correlation_id": alert.source.metadata.correlation_id}
            if targets[key] and not new:
                # A replayed batch, or an alert this execution already raised in an earlier batch.
                log.debug("alert %s: task %s execution %s already delivered to its webhooks", alert.event,
                          alert.task_id, alert.execution_id, extra=context)
                continue
            log.info("alert %s: task %s execution %s of %s, %d delivery(ies) queued", alert.event, alert.task_id,
                     alert.execution_id, user_id, new, extra=context)

    async def create_generation(self, conn: asyncpg.Connection, generation: int) -> None:
        """Refused: rebuilding would replay old alerts into new HTTP requests."""
        raise RuntimeError("the alerts consumer is never rebuilt: a replay from position 0 would send old alerts")

    async def activate(self, conn: asyncpg.Connection, generation: int) -> None:
        """Nothing to switch: the tables are not generational."""

    async def drop_generation(self, conn: asyncpg.Connection, generation: int) -> None:
        """Nothing to drop."""

    async def exists(self, conn: asyncpg.Connection, generation: int) -> bool:
        """The tables come from migration 0006, so they always exist."""
        return True
