"""Shared plumbing of the benchmarks: a database of their own, timing, printing."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Sequence

import asyncpg

from xget.settings import Settings

BENCH_DB = os.environ.get("XGET_BENCH_POSTGRES_DB", "xget_bench")


async def bench_settings(**overrides: object) -> Settings:
    """Settings pointing at a freshly emptied benchmark database and topics of this run."""
    base = Settings.from_env()
    admin = await asyncpg.connect(base.dsn_for("postgres"))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", BENCH_DB)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(base.dsn_for(BENCH_DB))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    run = uuid.uuid4().hex[:8]
    return Settings.from_env({
        **os.environ, "POSTGRES_DB": BENCH_DB, "KAFKA_TOPIC_TASKS": f"xget-bench-{run}.task-events",
        "KAFKA_TOPIC_RESULTS": f"xget-bench-{run}.results",
        "MONGODB_URL": "mongodb://127.0.0.1:27017/xget_bench?directConnection=true",
        **{k: str(v) for k, v in overrides.items()},
    })


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of ``values``."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def report(title: str, rows: list[tuple[str, str]]) -> None:
    """Print a small aligned table."""
    print(f"\n{title}")
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")


class Timer:
    """Wall-clock timer: ``with Timer() as t: ...; t.seconds``."""

    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


__all__ = ["bench_settings", "percentile", "report", "Timer"]
