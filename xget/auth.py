"""API keys: who is calling, and whether they are an admin.

Keys look like ``xget_<id>_<secret>``; only their SHA-256 is stored (they are 256-bit random,
so a fast hash is enough: there is nothing to brute-force). Verified keys are cached briefly so
authentication costs no query on the hot path; a revocation takes effect within that TTL.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime

import asyncpg
import msgspec

CACHE_TTL = 30.0


class Actor(msgspec.Struct, frozen=True):
    """The authenticated caller."""

    user_id: str
    role: str = "user"

    @property
    def is_admin(self) -> bool:
        """Admins see and change every user's tasks."""
        return self.role == "admin"


class ApiKeyInfo(msgspec.Struct, frozen=True):
    """A stored key, without its secret."""

    id: str
    user_id: str
    role: str
    name: str | None
    created_at: datetime
    revoked_at: datetime | None


def _hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


class ApiKeys:
    """Creates, verifies, lists and revokes API keys in PostgreSQL."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._cache: dict[bytes, tuple[float, Actor | None]] = {}

    async def create(self, user_id: str, role: str = "user", name: str | None = None) -> tuple[str, str]:
        """Create a key; returns (key id, the key). The key is not stored and cannot be shown again."""
        if role not in ("user", "admin"):
            raise ValueError("role must be user or admin")
        if not user_id.strip():
            raise ValueError("user_id must not be empty")
        key_id = secrets.token_hex(4)
        key = f"xget_{key_id}_{secrets.token_urlsafe(32)}"
        await self._pool.execute(
            "INSERT INTO api_keys (id, key_hash, user_id, role, name) VALUES ($1, $2, $3, $4, $5)",
            key_id, _hash(key), user_id, role, name,
        )
        return key_id, key

    async def verify(self, key: str) -> Actor | None:
        """The actor a key belongs to, or None for an unknown or revoked key."""
        digest = _hash(key)
        cached = self._cache.get(digest)
        now = time.monotonic()
        if cached and cached[0] > now:
            return cached[1]
        row = await self._pool.fetchrow(
            "SELECT user_id, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL", digest
        )
        actor = Actor(row["user_id"], row["role"]) if row else None
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[digest] = (now + CACHE_TTL, actor)
        return actor

    async def list(self) -> list[ApiKeyInfo]:
        """Every key, newest first."""
        rows = await self._pool.fetch(
            "SELECT id, user_id, role, name, created_at, revoked_at FROM api_keys ORDER BY created_at DESC"
        )
        return [ApiKeyInfo(**dict(r)) for r in rows]

    async def revoke(self, key_id: str) -> bool:
        """Revoke a key; False when there is no such active key."""
        status = await self._pool.execute(
            "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", key_id
        )
        self._cache.clear()
        return status.endswith(" 1")
