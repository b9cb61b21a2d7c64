"""Webhooks and their deliveries in PostgreSQL (migration 0006), for the API."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import asyncpg

MAX_WEBHOOKS_PER_USER = 25

_WEBHOOK = "id::text AS id, user_id, url, events, active, created_at"
_DELIVERY = ("id::text AS id, webhook_id::text AS webhook_id, event, status, attempts, last_status, last_error, "
             "created_at, last_attempt_at, next_attempt_at, delivered_at, payload::text AS payload")


class TooManyWebhooks(Exception):
    """The user already has :data:`MAX_WEBHOOKS_PER_USER` webhooks."""


class Webhooks:
    """Registers, lists and deletes webhooks; lists their deliveries."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, user_id: str, url: str, events: Sequence[str], secret: str) -> asyncpg.Record:
        """Register a webhook; the per-user limit is checked under a lock on the user's id."""
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('webhooks:' || $1))", user_id)
            count = await conn.fetchval("SELECT count(*) FROM webhooks WHERE user_id = $1", user_id)
            if count >= MAX_WEBHOOKS_PER_USER:
                raise TooManyWebhooks(user_id)
            return await conn.fetchrow(
                f"INSERT INTO webhooks (id, user_id, url, secret, events) VALUES ($1, $2, $3, $4, $5::text[]) "
                f"RETURNING {_WEBHOOK}",
                uuid.uuid4(), user_id, url, secret, list(events),
            )

    async def list(self, user_id: str | None) -> list[asyncpg.Record]:
        """Webhooks of ``user_id`` (every user's when None), newest first; never their secrets."""
        if user_id is None:
            return await self._pool.fetch(f"SELECT {_WEBHOOK} FROM webhooks ORDER BY created_at DESC, id LIMIT 1000")
        return await self._pool.fetch(
            f"SELECT {_WEBHOOK} FROM webhooks WHERE user_id = $1 ORDER BY created_at DESC, id", user_id
        )

    async def get(self, webhook_id: uuid.UUID) -> asyncpg.Record | None:
        """One webhook, without its secret."""
        return await self._pool.fetchrow(f"SELECT {_WEBHOOK} FROM webhooks WHERE id = $1", webhook_id)

    async def delete(self, webhook_id: uuid.UUID) -> bool:
        """Delete a webhook and its deliveries (pending ones are never sent)."""
        return (await self._pool.execute("DELETE FROM webhooks WHERE id = $1", webhook_id)).endswith(" 1")

    async def deliveries(self, webhook_id: uuid.UUID, limit: int, status: str | None = None) -> list[asyncpg.Record]:
        """The webhook's most recent deliveries, newest first."""
        return await self._pool.fetch(
            f"SELECT {_DELIVERY} FROM webhook_deliveries WHERE webhook_id = $1 AND ($3::text IS NULL OR status = $3) "
            "ORDER BY created_at DESC, id LIMIT $2",
            webhook_id, limit, status,
        )
