"""Execution jobs in PostgreSQL: record, claim with a lease, renew, finish, hand back."""

from __future__ import annotations

import asyncpg
import msgspec


class Job(msgspec.Struct, frozen=True):
    """A claimed execution: which one, of which task, and how many times it was claimed."""

    execution_id: str
    task_id: str
    claims: int
    started_position: int = 0


class JobQueue:
    """The execution_jobs table (see migrations/0005_execution_jobs.sql)."""

    def __init__(self, pool: asyncpg.Pool, owner: str, lease_seconds: float) -> None:
        self._pool = pool
        self.owner = owner
        self.lease_seconds = lease_seconds

    async def record(self, execution_id: str, task_id: str, started_position: int) -> bool:
        """Record a job for a TaskStarted (idempotent); True when it is new."""
        status = await self._pool.execute(
            "INSERT INTO execution_jobs (execution_id, task_id, started_position) VALUES ($1, $2, $3) "
            "ON CONFLICT (execution_id) DO NOTHING",
            execution_id, task_id, started_position,
        )
        return status.endswith(" 1")

    async def claim(self, execution_id: str | None = None) -> Job | None:
        """Claim ``execution_id`` (or the oldest claimable job): unowned, or its owner's lease
        expired (each owner sets its own lease length). SKIP LOCKED keeps concurrent claimers from waiting on each other."""
        row = await self._pool.fetchrow(
            """
            UPDATE execution_jobs j SET owner = $1, heartbeat_at = now(),
                   lease_until = now() + make_interval(secs => $2), claims = j.claims + 1
            WHERE j.execution_id = (
                SELECT execution_id FROM execution_jobs
                WHERE finished_at IS NULL
                  AND (owner IS NULL OR lease_until < now())
                  AND ($3::text IS NULL OR execution_id = $3)
                ORDER BY created_at
                FOR UPDATE SKIP LOCKED
                LIMIT 1)
            RETURNING j.execution_id, j.task_id, j.claims, j.started_position
            """,
            self.owner, self.lease_seconds, execution_id,
        )
        return Job(row["execution_id"], row["task_id"], row["claims"], row["started_position"]) if row else None

    async def renew(self, execution_id: str) -> bool:
        """Renew our lease; False when we lost it (another worker took the job over)."""
        status = await self._pool.execute(
            "UPDATE execution_jobs SET heartbeat_at = now(), lease_until = now() + make_interval(secs => $3) "
            "WHERE execution_id = $1 AND owner = $2 AND finished_at IS NULL",
            execution_id, self.owner, self.lease_seconds,
        )
        return status.endswith(" 1")

    async def finish(self, execution_id: str) -> None:
        """The execution reached its final event: nobody needs to run it again."""
        await self._pool.execute(
            "UPDATE execution_jobs SET finished_at = now() WHERE execution_id = $1", execution_id
        )

    async def hand_back(self, execution_id: str) -> None:
        """Give up the lease without finishing (shutting down): another worker may claim at once."""
        await self._pool.execute(
            "UPDATE execution_jobs SET owner = NULL, lease_until = NULL WHERE execution_id = $1 AND owner = $2",
            execution_id, self.owner,
        )

    async def record_missing(self, grace_seconds: float, limit: int = 100) -> list[str]:
        """Record the jobs of open executions that have none, requested more than
        ``grace_seconds`` ago: their TaskStarted never reached a worker (a start message given
        up on, a topic recreated or cut by retention). Returns the execution ids recorded."""
        rows = await self._pool.fetch(
            """
            SELECT x.id, x.task_id, e.position FROM task_executions x
            JOIN events e ON e.routing_key = x.task_id AND e.type = 'TaskStarted'
                         AND e.data->>'execution_id' = x.id
            WHERE x.status IN ('PENDING', 'RUNNING')
              AND x.requested_at < now() - make_interval(secs => $1)
              AND NOT EXISTS (SELECT 1 FROM execution_jobs j WHERE j.execution_id = x.id)
            ORDER BY x.requested_at
            LIMIT $2
            """,
            grace_seconds, limit,
        )
        return [row["id"] for row in rows if await self.record(row["id"], row["task_id"], row["position"])]

    async def open_count(self) -> int:
        """Jobs not finished (running or waiting to be claimed)."""
        return await self._pool.fetchval("SELECT count(*) FROM execution_jobs WHERE finished_at IS NULL")
