"""``GET /metrics``: the API process's Prometheus metrics, with read-model gauges refreshed."""

from __future__ import annotations

from litestar import Response, get
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from xget.api.deps import ServicesDep
from xget.commands.params import TaskStatus
from xget.observability.metrics import PROJECTION_LAG, TASKS, registry_for


_API_METRICS = registry_for("api")

MEDIA_TYPE = "; ".join(p for p in CONTENT_TYPE_LATEST.split("; ") if not p.startswith("charset="))
"""The exposition format's media type without its charset: Litestar appends ``charset=utf-8`` to
every text/* type, and a second one made ``...; charset=utf-8; charset=utf-8``."""


@get("/metrics", include_in_schema=False)
async def metrics(services: ServicesDep) -> Response[bytes]:
    """Prometheus text format. Tasks by status and projection lag are read at scrape time (two
    small queries); request and error counters accumulate in this process."""
    pool = services.commands.store.pool  # type: ignore[attr-defined]
    async with pool.acquire() as conn:
        counts = {r["status"]: r["n"] for r in await conn.fetch(
            "SELECT status, sum(n)::bigint AS n FROM task_counts GROUP BY status")}
        lags = await conn.fetch("SELECT c.name, greatest(0, h.position - c.position) AS lag "
                                "FROM checkpoints c CROSS JOIN event_head h")
    for status in TaskStatus:
        TASKS.labels(status.value).set(counts.get(status.value, 0))
    for row in lags:
        PROJECTION_LAG.labels(row["name"]).set(row["lag"])
    return Response(generate_latest(_API_METRICS), media_type=MEDIA_TYPE)
