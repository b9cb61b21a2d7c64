"""/health (the process is alive) and /ready (its dependencies answer)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from litestar import Response, get, head

from xget.api.deps import Services, ServicesDep

_READY_CACHE_SECONDS = 1.0


@get("/health", tags=["operations"], summary="Liveness")
async def health() -> dict[str, str]:
    """The API process is up."""
    return {"status": "ok"}


@head("/health", tags=["operations"], summary="Liveness, without a body", include_in_schema=False)
async def health_head() -> None:
    """HEAD /health: 200 while the process is up (load balancers and probes often use HEAD)."""


async def _check_postgres(services: Services) -> None:
    await services.commands.store.pool.fetchval("SELECT 1")  # type: ignore[attr-defined]


async def _check_kafka(services: Services) -> None:
    for server in services.settings.kafka_bootstrap_servers.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), 2)
        except (OSError, TimeoutError):
            continue
        writer.close()
        return
    raise ConnectionError(f"no Kafka broker answers at {services.settings.kafka_bootstrap_servers}")


async def _check_mongodb(services: Services) -> None:
    mongo = services.extras.get("mongo")
    if mongo is None:
        raise ConnectionError("no MongoDB client configured")
    await mongo.admin.command("ping")


CHECKS = {"postgres": _check_postgres, "kafka": _check_kafka, "mongodb": _check_mongodb}


@get("/ready", tags=["operations"], summary="Readiness")
async def ready(services: ServicesDep) -> Response[dict[str, Any]]:
    """200 when PostgreSQL, Kafka and MongoDB all answer; 503 naming the ones that do not."""
    body = await _readiness(services)
    return Response(body, status_code=200 if body["status"] == "ok" else 503)


@head("/ready", tags=["operations"], summary="Readiness, without a body", include_in_schema=False)
async def ready_head(services: ServicesDep) -> Response[None]:
    """HEAD /ready: the status of GET /ready (200 or 503) without its body."""
    body = await _readiness(services)
    return Response(None, status_code=200 if body["status"] == "ok" else 503)


async def _readiness(services: Services) -> dict[str, Any]:
    cached = services.extras.get("_ready")
    if cached and cached[0] > time.monotonic():
        body = cached[1]
    else:
        async def run(name: str) -> tuple[str, str]:
            try:
                await asyncio.wait_for(CHECKS[name](services), 3)
                return name, "ok"
            except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported by name
                return name, f"error: {exc or type(exc).__name__}"

        results = dict(await asyncio.gather(*(run(n) for n in CHECKS)))
        body = {"status": "ok" if all(v == "ok" for v in results.values()) else "unavailable", "checks": results}
        services.extras["_ready"] = (time.monotonic() + _READY_CACHE_SECONDS, body)
    return body  # type: ignore[no-any-return]
