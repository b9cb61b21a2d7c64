"""Republishing stored events to Kafka on demand (``xget replay --to-kafka``)."""

from __future__ import annotations

import time
from collections.abc import Callable

from xget.eventstore.postgres import PostgresEventStore
from xget.outbox.relay import RAW_COLUMNS, Relay
from xget.outbox.topics import ensure_topics
from xget.settings import Settings


async def replay_to_kafka(settings: Settings, store: PostgresEventStore, from_position: int = 0,
                          task_id: str | None = None, progress: Callable[[int, float], None] | None = None,
                          batch_size: int = 2000) -> int:
    """Send every event after ``from_position`` (of one task, if given) again; returns how many.
    Uses the relay's message format; the relay's own checkpoint is not touched."""
    await ensure_topics(settings)
    relay = Relay(settings, store)
    producer = relay.producer()
    await producer.start()
    sent = 0
    started = time.monotonic()
    position = from_position
    try:
        while True:
            rows = await store.read_all_raw(position, batch_size, routing_key=task_id, columns=RAW_COLUMNS)
            if not rows:
                break
            await relay.publish_batch(producer, rows)
            sent += len(rows)
            position = rows[-1][0]
            if progress:
                progress(position, sent / max(time.monotonic() - started, 1e-6))
    finally:
        await producer.stop()
    return sent
