"""Running one execution: claim it in the task's stream, collect page by page (each page an
event appended with its expected version: exactly once), end with exactly one final event.

Resuming is the same code: the execution stream says how far it got (pages, cursor, ids), and
collection continues from there, so a crash leaves neither a duplicate nor a gap.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import msgspec

from xget.commands.params import DEFAULT_DEADLINE
from xget.events import (
    Event,
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionStarted,
    ExecutionStopped,
    ExecutionWaiting,
    Metadata,
    NewEvent,
    ResultsCollected,
)
from xget.eventstore.port import ConcurrencyConflict
from xget.eventstore.postgres import PostgresEventStore
from xget.observability.logs import bind
from xget.observability.metrics import ITEMS, PAGES, WAIT_SECONDS, WAITS
from xget.workers.jobs import Job
from xget.workers.progress import ExecutionFacts, Progress
from xget.x.collect import collect
from xget.x.errors import XError
from xget.x.runtime import XRuntime
from xget.x.session import Stopped, WaitInfo, XSession

log = logging.getLogger(__name__)

USER_ITEM_TYPES = {"USER_INFO", "USER_FOLLOWERS", "USER_FOLLOWING"}


class LostOwnership(Exception):
    """Another worker wrote this execution's next page: we must stop writing (zombie guard)."""


def first_operation(task_type: str, params: Mapping[str, Any]) -> str:
    """The X operation a task calls first (its account is leased for that operation)."""
    if task_type in ("KEYWORD_SEARCH", "HASHTAG_SEARCH"):
        return "SearchTimeline"
    if params.get("username"):
        return "UserByScreenName"
    return {
        "USER_INFO": "UserByRestId",
        "USER_TWEETS": "UserTweetsAndReplies" if params.get("include_replies") else "UserTweets",
        "USER_FOLLOWERS": "Followers",
        "USER_FOLLOWING": "Following",
    }[task_type]


@dataclass(frozen=True)
class WorkerContext:
    """What every execution of a worker process shares."""

    store: PostgresEventStore
    runtime: XRuntime
    worker_id: str
    retry_base: float = 1.0
    retry_cap: float = 30.0


class Execution:
    """One claim of one execution, from its job to its final event."""

    def __init__(self, ctx: WorkerContext, job: Job, stop: asyncio.Event) -> None:
        self.ctx = ctx
        self.job = job
        self.stop = stop
        self._waits_reported: set[int] = set()
        self._metadata = Metadata(causation_id=job.execution_id)
        self._session: XSession | None = None
        self.user_id: str | None = None
        self.progress = Progress()
        """How far the execution got (read back at start, advanced page by page)."""

    @property
    def task_stream(self) -> str:
        return f"task-{self.job.task_id}"

    @property
    def execution_stream(self) -> str:
        return f"execution-{self.job.execution_id}"

    async def facts(self) -> ExecutionFacts:
        """The task stream's view of this execution, read now."""
        events = await self.ctx.store.read_stream(self.task_stream)
        return ExecutionFacts.from_stream(self.job.task_id, self.job.execution_id, events)

    async def append_to_task(self, event: Event) -> bool:
        """Append ``event`` to the task's stream while the execution is still open; False if
        it was closed meanwhile (by the API, or by another worker). Retries version races."""
        while True:
            facts = await self.facts()
            if not facts.is_current_and_open:
                return False
            try:
                await self.ctx.store.append(self.task_stream, facts.state.version,
                                            [NewEvent(event=event, metadata=self._metadata)])
                return True
            except ConcurrencyConflict:
                continue

    async def run(self) -> str:
        """Run the execution; returns its outcome (completed, failed, stopped, skipped)."""
        facts = await self.facts()
        if not facts.is_current_and_open:
            return "skipped"  # already ended, or superseded: a redelivered start
        assert facts.started is not None
        self.user_id = facts.started.user_id
        # The execution's events carry the request's correlation id, caused by its TaskStarted.
        correlation = facts.started_metadata.correlation_id if facts.started_metadata else None
        self._metadata = Metadata(correlation_id=correlation, causation_id=facts.started_event_id,
                                  user_id=self.user_id)
        bind(correlation_id=correlation, user_id=self.user_id)
        progress = self.progress = Progress.from_pages(await self.ctx.store.read_stream(self.execution_stream))
        started_clock = facts.first_started_at or datetime.now(timezone.utc)
        if facts.stop_requested:
            return await self.finish("stopped", progress, started_clock)
        if progress.done:
            # Crashed (or interrupted) between its last page and its final event.
            return await self.finish("completed", progress, started_clock)
        params = facts.started.parameters
        requested = (facts.requested_at or datetime.now(timezone.utc)).timestamp()
        deadline = requested + float(params.get("deadline_seconds") or DEFAULT_DEADLINE)
        session = self.ctx.runtime.session(
            pinned_account_id=facts.started.account_id, pinned_proxy_id=facts.started.proxy_id,
            deadline=deadline, on_wait=self._on_wait, stop=self.stop,
        )
        self._session = session
        try:
            outcome, error = await self._attempts(session, facts, progress, deadline)
        finally:
            await session.aclose()
        return await self.finish(outcome, progress, started_clock, error)

    async def _attempts(self, session: XSession, facts: ExecutionFacts, progress: Progress,
                        deadline: float) -> tuple[str, XError | Exception | None]:
        assert facts.started is not None
        task_type, params = facts.started.task_type, facts.started.parameters
        claimed = False
        failures = 0
        while True:
            budget = asyncio.timeout(max(0.0, deadline - time.time()))
            try:
                async with budget:
                    if not claimed:
                        account_id, proxy_id = await session.acquire(first_operation(task_type, params))
                        claimed = await self.append_to_task(ExecutionStarted(
                            task_id=self.job.task_id, execution_id=self.job.execution_id, account_id=account_id,
                            proxy_id=proxy_id, worker_id=self.ctx.worker_id, attempt=facts.attempts + 1,
                            resumed_from_page=progress.pages))
                        if not claimed:
                            return "skipped", None
                    return await self._collect(session, task_type, params, progress), None
            except TimeoutError:
                if not budget.expired():
                    raise  # a database or network timeout inside: an outage, not the deadline
                return "failed", TimeoutError(
                    f"task deadline of {params.get('deadline_seconds', DEFAULT_DEADLINE)}s exceeded")
            except Stopped:
                return "stopped", None
            except XError as exc:
                failures += 1
                delay = min(self.ctx.retry_cap, self.ctx.retry_base * 2 ** (failures - 1)) * (0.5 + random.random())
                if not exc.retryable or time.time() + delay >= deadline:
                    return "failed", exc
                log.warning("execution %s: %s (%s); retrying in %.1fs", self.job.execution_id, exc.code,
                            exc.message, delay)
                try:
                    await asyncio.wait_for(self.stop.wait(), delay)
                    return "stopped", None
                except TimeoutError:
                    pass

    async def _collect(self, session: XSession, task_type: str, params: Mapping[str, Any],
                       progress: Progress) -> str:
        item_type = "user" if task_type in USER_ITEM_TYPES else "tweet"
        async for page in collect(task_type, params, session, resume_cursor=progress.cursor,
                                  seen_ids=progress.seen, already=progress.total):
            if page.items or page.cursor != progress.cursor:
                number = progress.pages + 1
                event = ResultsCollected(
                    task_id=self.job.task_id, execution_id=self.job.execution_id, page=number,
                    item_type=item_type, items=[msgspec.to_builtins(i) for i in page.items],
                    cursor=page.cursor, total=page.total, skipped=dict(page.skipped),
                    account_id=session.account_id, proxy_id=session.proxy_id, user_id=self.user_id,
                    done=page.done,
                )
                try:
                    # The expected version is the page count: a page is written exactly once, and
                    # a zombie worker racing a successor fails here instead of duplicating.
                    await self.ctx.store.append(self.execution_stream, progress.pages,
                                                [NewEvent(event=event, metadata=self._metadata)])
                except ConcurrencyConflict:
                    raise LostOwnership(self.job.execution_id) from None
                progress.pages, progress.cursor, progress.total = number, page.cursor, page.total
                progress.done = page.done
                PAGES.labels(item_type).inc()
                ITEMS.labels(item_type).inc(len(page.items))
            if page.done:
                return "completed"
            if self.stop.is_set():
                return "stopped"
        return "completed"

    async def _on_wait(self, info: WaitInfo) -> None:
        key = int(info.until)
        if key in self._waits_reported:
            return
        self._waits_reported.add(key)
        WAITS.labels(info.reason).inc()
        WAIT_SECONDS.labels(info.reason).inc(max(0.0, info.seconds_left))
        log.info("waiting %.0fs: %s", info.seconds_left, info.reason)
        await self.append_to_task(ExecutionWaiting(
            task_id=self.job.task_id, execution_id=self.job.execution_id, reason=info.reason,
            seconds=round(info.seconds_left, 3), account_id=self._session.account_id if self._session else None))

    async def finish(self, outcome: str, progress: Progress, started: datetime,
                     error: BaseException | None = None) -> str:
        """Append the execution's one final event for ``outcome``; returns the outcome, or
        "skipped" when someone else closed the execution first."""
        if outcome == "skipped":
            return outcome
        duration = round((datetime.now(timezone.utc) - started).total_seconds(), 3)
        common = {"task_id": self.job.task_id, "execution_id": self.job.execution_id,
                  "result_count": progress.total, "pages": progress.pages, "duration": duration}
        final: Event
        if outcome == "completed":
            final = ExecutionCompleted(**common)
        elif outcome == "stopped":
            final = ExecutionStopped(**common)
        else:
            code = error.code if isinstance(error, XError) else "timeout" if isinstance(error, TimeoutError) \
                else "internal_error"
            message = error.message if isinstance(error, XError) else str(error)
            final = ExecutionFailed(error_class=code, error_message=message, **common)
        written = await self.append_to_task(final)
        return outcome if written else "skipped"
