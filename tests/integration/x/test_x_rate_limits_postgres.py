"""The PostgreSQL rate-limit store shared by worker processes (needs the real PostgreSQL)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg
import pytest

from xget.x.ratelimits import PostgresRateLimitStore

pytestmark = pytest.mark.integration

DSN = os.environ.get("XGET_TEST_POSTGRES_DSN", "postgresql://xget:xget@127.0.0.1:5432/xget_test")
MIGRATION = Path(__file__).parents[3] / "xget" / "migrations" / "0100_x_rate_limits.sql"


@pytest.fixture
async def pools():
    first = await asyncpg.create_pool(DSN, min_size=1, max_size=2)
    second = await asyncpg.create_pool(DSN, min_size=1, max_size=2)
    await first.execute(MIGRATION.read_text())
    yield first, second
    await first.close()
    await second.close()


async def test_windows_written_by_one_worker_are_seen_by_another(pools):
    first, second = pools
    worker_a = PostgresRateLimitStore(first, clock=lambda: 1000.0)
    worker_b = PostgresRateLimitStore(second, clock=lambda: 1000.0)
    acc, op = f"acc-{uuid.uuid4().hex}", f"Op{uuid.uuid4().hex[:8]}"
    await worker_a.record(acc, op, remaining=5, reset_at=1900.0, limit=50)
    assert await worker_b.exhausted(op) == {}
    await worker_b.record(acc, op, remaining=0, reset_at=1900.0)
    await worker_a.record(acc, op, remaining=3, reset_at=1900.0)  # late report, same window
    assert await worker_a.exhausted(op) == {acc: 1900.0}
    assert await worker_b.exhausted(op, now=2000.0) == {}
    await worker_a.record(acc, op, remaining=7, reset_at=1800.0)  # an earlier window: ignored
    window = await worker_b.window(acc, op)
    assert (window.remaining, window.reset_at, window.limit) == (0, 1900.0, 50)
    await worker_b.record(acc, op, remaining=49, reset_at=2800.0)
    assert await worker_a.exhausted(op) == {}
    assert (await worker_a.window(acc, op)).remaining == 49


async def test_the_migration_is_idempotent(pools):
    first, _ = pools
    await first.execute(MIGRATION.read_text())
