"""Webhook endpoints: register, list, show, delete, and a webhook's recent deliveries.

Alerts (a failed task, an execution with zero results, an exhausted account pool) are POSTed to
the webhooks of the task's owner, signed with the webhook's secret; see docs/webhooks.md.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Response, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from msgspec import Meta

from xget.alerts import ALERT_EVENTS, AlertEvent
from xget.alerts.signing import new_secret
from xget.alerts.store import MAX_WEBHOOKS_PER_USER, TooManyWebhooks
from xget.alerts.urls import MAX_URL_LENGTH, check_webhook_url
from xget.api.deps import ActorDep, Services, ServicesDep, can_see, owner_filter, owner_of_new, shorten, task_id_of
from xget.api.problems import ProblemException
from xget.api.schemas import NO_NUL, RefId
from xget.auth import Actor
from xget.commands.errors import ValidationFailed

class DeliveryStatus(str, Enum):
    """Where a delivery is: waiting for its (next) attempt, done, or given up."""

    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class WebhookCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Body of POST /api/v1/webhooks."""

    url: Annotated[str, Meta(description=f"http(s) URL the alerts are POSTed to, at most {MAX_URL_LENGTH} "
                                         "characters", examples=["https://hooks.example.com/xget"])]
    events: Annotated[list[AlertEvent], Meta(min_length=1, max_length=10,
                                             description="Alerts to send (default: all)")] | None = None
    secret: Annotated[str, Meta(min_length=16, max_length=256, pattern=NO_NUL,
                                description="HMAC key of the signatures (default: generated, shown once)")] | None = None
    user_id: RefId | None = None


class WebhookOut(msgspec.Struct, kw_only=True):
    """A registered webhook (its secret is shown only in the answer to its creation)."""

    id: str
    user_id: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime


class WebhookCreated(WebhookOut, kw_only=True):
    """The answer to POST /api/v1/webhooks: the webhook with its secret, shown this once."""

    secret: str


class WebhookList(msgspec.Struct, kw_only=True):
    """Webhooks, newest first."""

    items: list[WebhookOut]


class DeliveryOut(msgspec.Struct, kw_only=True):
    """One alert sent (or being sent) to a webhook; ``id`` is the X-XGet-Delivery header."""

    id: str
    webhook_id: str
    event: str
    status: DeliveryStatus
    attempts: int
    last_status: int | None
    last_error: str | None
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    payload: dict[str, Any]


class DeliveryList(msgspec.Struct, kw_only=True):
    """A webhook's most recent deliveries, newest first."""

    items: list[DeliveryOut]


def _webhook_out(row: asyncpg.Record) -> dict[str, Any]:
    return {"id": row["id"], "user_id": row["user_id"], "url": row["url"], "events": list(row["events"]),
            "active": row["active"], "created_at": row["created_at"]}


def _delivery_out(row: asyncpg.Record) -> DeliveryOut:
    fields = {k: row[k] for k in ("id", "webhook_id", "event", "attempts", "last_status", "last_error", "created_at",
                                  "last_attempt_at", "next_attempt_at", "delivered_at")}
    return DeliveryOut(status=DeliveryStatus(row["status"]), payload=msgspec.json.decode(row["payload"]), **fields)


async def _visible(services: Services, actor: Actor | None, webhook_id: str) -> asyncpg.Record:
    """The webhook, if it exists and the caller may see it; otherwise 404 (never 403: someone
    else's webhook answers exactly like a missing one)."""
    row = await services.webhooks.get(uuid.UUID(task_id_of(webhook_id, "webhook")))
    if row is None or not can_see(actor, row["user_id"]):
        raise ProblemException(404, "not-found", f"webhook {shorten(webhook_id)} not found")
    return row


class WebhookController(Controller):
    """/api/v1/webhooks"""

    path = "/api/v1/webhooks"
    tags = ["webhooks"]

    @post("/", status_code=201, summary="Register a webhook for alerts")
    async def create_webhook(self, data: JSONBody[WebhookCreate], services: ServicesDep,
                             actor: ActorDep) -> Response[WebhookCreated]:
        """Alerts of the owner's tasks (task.failed, execution.empty, accounts.exhausted) are POSTed
        to ``url``, signed with ``secret`` (X-XGet-Signature). The secret is in this answer only."""
        owner = owner_of_new(actor, data.user_id, "webhooks")
        problem = check_webhook_url(data.url, services.settings.allow_private_webhooks)
        if problem is not None:
            raise ValidationFailed([("url", problem)])
        events = list(dict.fromkeys(e.value for e in data.events)) if data.events else list(ALERT_EVENTS)
        secret = data.secret or new_secret()
        try:
            row = await services.webhooks.create(owner, data.url, events, secret)
        except TooManyWebhooks:
            raise ProblemException(409, "limit-reached", f"{owner} already has {MAX_WEBHOOKS_PER_USER} webhooks; "
                                   "delete one first") from None
        return Response(WebhookCreated(**_webhook_out(row), secret=secret), status_code=201,
                        headers={"Location": f"{self.path}/{row['id']}"})

    @get("/", summary="List webhooks")
    async def list_webhooks(
        self, services: ServicesDep, actor: ActorDep,
        user_id: Annotated[str | None, QueryParameter(max_length=200, description="Only this user's")] = None,
    ) -> WebhookList:
        """The caller's webhooks (an admin's or, without authentication, anyone's, optionally of
        one user); secrets are never shown again."""
        rows = await services.webhooks.list(owner_filter(actor, user_id, "webhooks"))
        return WebhookList(items=[WebhookOut(**_webhook_out(r)) for r in rows])

    @get("/{webhook_id:str}", summary="Show a webhook")
    async def get_webhook(self, webhook_id: FromPath[str], services: ServicesDep, actor: ActorDep) -> WebhookOut:
        """One webhook, without its secret."""
        return WebhookOut(**_webhook_out(await _visible(services, actor, webhook_id)))

    @delete("/{webhook_id:str}", status_code=204, summary="Delete a webhook")
    async def delete_webhook(self, webhook_id: FromPath[str], services: ServicesDep, actor: ActorDep) -> None:
        """Delete a webhook with its deliveries; pending ones are not sent."""
        row = await _visible(services, actor, webhook_id)
        await services.webhooks.delete(row["id"])

    @get("/{webhook_id:str}/deliveries", summary="A webhook's recent deliveries")
    async def list_deliveries(
        self, webhook_id: FromPath[str], services: ServicesDep, actor: ActorDep,
        limit: Annotated[int, QueryParameter(ge=1, le=200, description="At most this many (newest first)")] = 50,
        status: FromQuery[DeliveryStatus | None] = None,
    ) -> DeliveryList:
        """Deliveries with their status, attempts, last HTTP status and last error."""
        row = await _visible(services, actor, webhook_id)
        rows = await services.webhooks.deliveries(row["id"], limit, status.value if status else None)
        return DeliveryList(items=[_delivery_out(r) for r in rows])
