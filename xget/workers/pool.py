"""A worker process's executions: claim jobs up to a concurrency limit, keep their leases
alive, run each one, and hand unfinished ones back on shutdown."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from xget.aio import sleep_or_stop, until_first
from xget.observability.logs import log_context
from xget.observability.metrics import EXECUTIONS_FINISHED, EXECUTIONS_RUNNING, EXECUTIONS_STARTED
from xget.outages import OUTAGES
from xget.workers.execution import Execution, LostOwnership, WorkerContext
from xget.workers.jobs import Job, JobQueue
from xget.workers.signals import StopSignals

log = logging.getLogger(__name__)


class ExecutionPool:
    """Runs up to ``concurrency`` executions at once; a long one never blocks the others."""

    def __init__(self, ctx: WorkerContext, jobs: JobQueue, signals: StopSignals, concurrency: int,
                 poll_interval: float = 1.0) -> None:
        self.ctx = ctx
        self.jobs = jobs
        self.signals = signals
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.running: dict[str, asyncio.Task[str]] = {}
        self._claiming = 0
        self._wake = asyncio.Event()

    @property
    def free(self) -> int:
        """Execution slots free now (a claim in flight holds its slot)."""
        return self.concurrency - len(self.running) - self._claiming

    async def _claim(self, execution_id: str | None = None) -> Job | None:
        # The slot is taken before the query: two claims racing across the await must not both
        # see the last free slot.
        self._claiming += 1
        try:
            job = await self.jobs.claim(execution_id)
            if job is not None:
                self._start(job)
            return job
        finally:
            self._claiming -= 1

    async def offer(self, execution_id: str) -> None:
        """A TaskStarted arrived: run it here at once if a slot is free (else the poll will, here
        or on another worker)."""
        if self.free > 0 and execution_id not in self.running:
            await self._claim(execution_id)

    def _start(self, job: Job) -> None:
        task = asyncio.create_task(self._run(job), name=f"execution-{job.execution_id}")
        self.running[job.execution_id] = task
        task.add_done_callback(lambda _t: (self.running.pop(job.execution_id, None), self._wake.set()))

    async def _run(self, job: Job) -> str:
        with log_context(task_id=job.task_id, execution_id=job.execution_id, worker_id=self.ctx.worker_id):
            EXECUTIONS_STARTED.inc()
            EXECUTIONS_RUNNING.inc()
            try:
                outcome = await self._execute(job)
            finally:
                EXECUTIONS_RUNNING.dec()
            EXECUTIONS_FINISHED.labels(outcome).inc()
            return outcome

    async def _execute(self, job: Job) -> str:
        stop = self.signals.watch(job.execution_id, job.task_id, job.started_position)
        execution = Execution(self.ctx, job, stop)
        outcome = "failed"
        try:
            outcome = await execution.run()
        except LostOwnership:
            log.warning("execution %s: another worker took it over; leaving it", job.execution_id)
            return "lost"
        except asyncio.CancelledError:
            await asyncio.shield(self.jobs.hand_back(job.execution_id))
            raise
        except OUTAGES as exc:
            # Not the task's fault: leave the job to be claimed again (here or elsewhere) and
            # resumed from its last page once the database or broker is back.
            log.warning("execution %s interrupted by an outage (%s: %s); it will resume",
                        job.execution_id, type(exc).__name__, exc)
            try:
                await self.jobs.hand_back(job.execution_id)
            except OUTAGES:
                pass  # the lease expires by itself
            return "interrupted"
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the worker; the task fails visibly
            log.exception("execution %s crashed", job.execution_id)
            outcome = await execution.finish("failed", execution.progress, datetime.now(timezone.utc), exc)
        finally:
            self.signals.unwatch(job.execution_id)
        await self.jobs.finish(job.execution_id)
        log.info("execution %s of task %s: %s", job.execution_id, job.task_id, outcome, extra={"outcome": outcome})
        return outcome

    async def claim_forever(self, stop: asyncio.Event) -> None:
        """Claim waiting or abandoned jobs whenever a slot is free."""
        while not stop.is_set():
            while self.free > 0:
                try:
                    job = await self._claim()
                except OUTAGES as exc:
                    log.warning("cannot claim jobs: %s", exc)
                    break
                if job is None:
                    break
            self._wake.clear()
            # Sleep until the poll interval, a stop, or a finished execution freeing a slot.
            await until_first(stop, sleep_or_stop(self._wake, self.poll_interval))

    async def renew_forever(self, stop: asyncio.Event) -> None:
        """Renew the leases of running executions; cancel one whose lease was lost."""
        while not await sleep_or_stop(stop, self.jobs.lease_seconds / 3):
            for execution_id, task in list(self.running.items()):
                try:
                    if not await self.jobs.renew(execution_id):
                        log.warning("lease of execution %s lost; stopping it here", execution_id)
                        task.cancel()
                except OUTAGES as exc:
                    log.warning("cannot renew lease of %s: %s", execution_id, exc)

    async def shutdown(self) -> None:
        """Stop running executions at once and hand their jobs back for another worker."""
        tasks = list(self.running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
