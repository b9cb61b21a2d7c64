"""``xget worker``: a Faust app consuming the task-event topic, and the execution pool it feeds.

The Faust agent (one actor per process) handles each message in milliseconds: a TaskStarted
becomes a durable job in PostgreSQL before the message is acknowledged, so a committed Kafka
offset never passes a start request whose effect is not stored; a TaskStopped sets the running
execution's stop signal. Long executions run in the pool, under leases (see pool.py).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile

import faust

from xget.aio import sleep_or_stop
from xget.bootstrap import Container
from xget.events import TaskStarted, TaskStopped
from xget.leasing import holder
from xget.observability.metrics import KAFKA_LAG
from xget.outages import OUTAGES
from xget.outbox.envelope import decode_envelope
from xget.settings import Settings
from xget.workers.execution import WorkerContext
from xget.workers.jobs import JobQueue
from xget.workers.pool import ExecutionPool
from xget.workers.signals import StopSignals
from xget.x.runtime import XRuntime

log = logging.getLogger(__name__)



def group_id(settings: Settings) -> str:
    """The consumer group: XGET_WORKER_GROUP, else one per task-event topic, so workers of two
    stacks sharing a broker (a test run beside ``make up``) never rebalance each other."""
    return settings.worker_group or f"xget-workers.{settings.kafka_topic_tasks}"


class Worker:
    """One worker process: the Faust app, the execution pool and their shared resources."""

    def __init__(self, container: Container, runtime: XRuntime, *, worker_id: str | None = None,
                 concurrency: int | None = None, lease_seconds: float | None = None) -> None:
        settings = container.settings
        self.settings = settings
        self.worker_id = worker_id or settings.worker_id or holder()  # hostname:pid, unique per process
        self.jobs = JobQueue(container.pool, self.worker_id, lease_seconds or settings.worker_lease_seconds)
        self.signals = StopSignals(container.pool, container.notifier)
        ctx = WorkerContext(store=container.event_store, runtime=runtime, worker_id=self.worker_id)
        self.pool = ExecutionPool(ctx, self.jobs, self.signals, concurrency or settings.worker_concurrency)
        self.app = self._faust_app(settings)

    def _faust_app(self, settings: Settings) -> faust.App:
        # Faust wants a data directory even without tables; it holds nothing to keep, so it is a
        # temporary one, removed when the worker stops.
        self._datadir = tempfile.TemporaryDirectory(prefix="xget-faust-")
        app = faust.App(
            group_id(settings),
            broker=[f"kafka://{server.strip()}" for server in settings.kafka_bootstrap_servers.split(",")],
            value_serializer="raw",
            key_serializer="raw",
            web_enabled=False,
            topic_disable_leader=True,
            topic_allow_declare=False,  # the relay creates the topics with their partitions
            consumer_auto_offset_reset="earliest",
            broker_session_timeout=10,  # a lone restarted worker rejoins in seconds, not a minute
            broker_heartbeat_interval=3,
            broker_commit_interval=1.0,
            datadir=self._datadir.name,
        )
        topic = app.topic(settings.kafka_topic_tasks, value_type=bytes, key_type=bytes)

        @app.agent(topic, name="task-events", concurrency=1)
        async def task_events(stream: faust.StreamT) -> None:
            async for value in stream:
                await self.handle(value)

        return app

    async def handle(self, value: bytes) -> None:
        """Act on one task event; retries database errors rather than acknowledging a start
        request it could not store."""
        try:
            recorded = decode_envelope(value)
        except Exception:  # noqa: BLE001 - one unreadable message must not stop the consumer
            log.exception("undecodable message on the task-event topic skipped (%d bytes)", len(value))
            return
        event = recorded.event
        if isinstance(event, TaskStopped):
            self.signals.request(event.execution_id)
            return
        if not isinstance(event, TaskStarted):
            return
        delay, failures = 0.5, 0
        while True:
            try:
                await self.jobs.record(event.execution_id, event.task_id, recorded.position)
                break
            except OUTAGES as exc:  # wait the outage out: never acknowledge a start that was not stored
                log.warning("cannot record job %s (%s: %s); retrying in %.1fs", event.execution_id,
                            type(exc).__name__, exc, delay)
            except Exception:  # noqa: BLE001 - a bug must not stall every later start of this worker
                failures += 1
                if failures >= 5:
                    log.exception("giving up recording job %s; the missing-job sweep will record it",
                                  event.execution_id)
                    return
                log.exception("cannot record job %s; retrying in %.1fs", event.execution_id, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)
        try:
            await self.pool.offer(event.execution_id)
        except Exception as exc:  # noqa: BLE001 - the job is stored: the claim poll runs it
            log.warning("cannot claim job %s now (%s); the claim poll will", event.execution_id, exc)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume and execute until ``stop`` is set; then hand running executions back."""
        background = [
            asyncio.create_task(self.pool.claim_forever(stop), name="claim"),
            asyncio.create_task(self.pool.renew_forever(stop), name="renew"),
            asyncio.create_task(self.signals.poll_forever(stop), name="stop-poll"),
            asyncio.create_task(self._measure_lag_forever(stop), name="kafka-lag"),
            asyncio.create_task(self._sweep_forever(stop), name="missing-jobs"),
        ]
        await self._start_faust(stop)
        log.info("worker %s consuming %s (concurrency %d)", self.worker_id, self.settings.kafka_topic_tasks,
                 self.pool.concurrency)
        try:
            await stop.wait()
        finally:
            await self.app.stop()
            await self.pool.shutdown()
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            self._datadir.cleanup()

    async def _sweep_forever(self, stop: asyncio.Event, every: float = 30.0, grace: float = 30.0) -> None:
        """The safety net of the Kafka path: every ``every`` seconds, record the jobs of open
        executions that have none ``grace`` seconds after their start was requested (every worker
        may do it: recording is idempotent)."""
        while not await sleep_or_stop(stop, every):
            try:
                for execution_id in await self.jobs.record_missing(grace):
                    log.warning("execution %s had no job (its start never reached a worker): recorded",
                                execution_id)
            except OUTAGES as exc:
                log.warning("missing-job sweep failed: %s", exc)

    async def _measure_lag_forever(self, stop: asyncio.Event, every: float = 15.0) -> None:
        """The group's consumer lag on the task-event topic (end offsets - committed offsets)."""
        from aiokafka import AIOKafkaConsumer
        from aiokafka.admin import AIOKafkaAdminClient
        from aiokafka.errors import KafkaError
        from aiokafka.structs import TopicPartition

        topic = self.settings.kafka_topic_tasks
        admin = AIOKafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap_servers)
        consumer = AIOKafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap_servers, enable_auto_commit=False)
        admin_started = consumer_started = False
        delay = 2.0  # the first reading soon after start, then every ``every`` seconds
        try:
            while not await sleep_or_stop(stop, delay):
                delay = every
                try:
                    # each client started once, so a failed consumer start does not start the admin again
                    if not admin_started:
                        await admin.start()
                        admin_started = True
                    if not consumer_started:
                        await consumer.start()
                        consumer_started = True
                    await consumer.topics()  # refreshes the metadata partitions_for_topic reads
                    partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
                    committed = await admin.list_consumer_group_offsets(group_id(self.settings), partitions=partitions)
                    ends = await consumer.end_offsets(partitions)
                    lag = sum(max(0, ends[tp] - max(0, committed[tp].offset if tp in committed else 0))
                              for tp in partitions)
                    KAFKA_LAG.labels(topic).set(lag)
                except (KafkaError, *OUTAGES) as exc:
                    log.debug("consumer lag not measured: %s", exc)
        finally:
            if consumer_started:
                await consumer.stop()
            if admin_started:
                await admin.close()

    async def _start_faust(self, stop: asyncio.Event) -> None:
        # Topics are created by the relay; wait for them instead of failing on a fresh stack.
        from xget.outbox.topics import ensure_topics

        while True:
            try:
                await ensure_topics(self.settings)
                break
            except Exception as exc:  # noqa: BLE001 - Kafka not reachable yet: keep trying
                log.warning("kafka not ready (%s); retrying", exc)
                if await sleep_or_stop(stop, 2.0):
                    return
        await self.app.start()
