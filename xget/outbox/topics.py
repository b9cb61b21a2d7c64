"""Creating XGet's Kafka topics with their partition count and retention."""

from __future__ import annotations

import logging

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from xget.settings import Settings

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 8 * 1024 * 1024
"""A page of collected items can be large; topics and producers accept messages up to this size."""


def topic_specs(settings: Settings) -> list[NewTopic]:
    """The topics XGet publishes to: task events kept forever, results for a week."""
    common = {"max.message.bytes": str(MAX_MESSAGE_BYTES)}
    return [
        NewTopic(
            settings.kafka_topic_tasks,
            num_partitions=settings.kafka_partitions,
            replication_factor=settings.kafka_replication_factor,
            topic_configs={**common, "retention.ms": "-1", "retention.bytes": "-1"},
        ),
        NewTopic(
            settings.kafka_topic_results,
            num_partitions=settings.kafka_partitions,
            replication_factor=settings.kafka_replication_factor,
            topic_configs={**common, "retention.ms": str(7 * 24 * 3600 * 1000)},
        ),
    ]


async def ensure_topics(settings: Settings) -> list[str]:
    """Create the missing topics; returns the names created now. Existing topics are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers, request_timeout_ms=15000)
    await admin.start()
    created: list[str] = []
    try:
        existing = set(await admin.list_topics())
        for spec in topic_specs(settings):
            if spec.name in existing:
                continue
            try:
                await admin.create_topics([spec])
                created.append(spec.name)
                log.info("created topic %s with %d partitions", spec.name, spec.num_partitions)
            except TopicAlreadyExistsError:
                pass
    finally:
        await admin.close()
    return created
