"""The event base type, metadata and the envelope of a stored event. Pure data, no I/O."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import ClassVar

import msgspec


class Event(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """Base of every domain event.

    Each subclass sets ``tag=`` to its stable wire name (never the Python path) and may raise
    ``schema_version`` when its shape changes; an upcaster in :mod:`xget.events.upcasting` then
    lifts stored older versions. Every event belongs to a task: ``task_id`` is the Kafka key,
    so one task's events stay ordered on one partition.
    """

    schema_version: ClassVar[int] = 1

    task_id: str

    @classmethod
    def type_name(cls) -> str:
        """The stable wire name of this event type."""
        return cls.__struct_config__.tag  # type: ignore[return-value]


class Metadata(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Who and what caused an event: kept beside it in the store and sent as Kafka headers."""

    correlation_id: str | None = None
    causation_id: str | None = None
    user_id: str | None = None


class NewEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event about to be appended, with the identity and time it will be stored under."""

    event: Event
    metadata: Metadata = Metadata()
    event_id: str = msgspec.field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: datetime = msgspec.field(default_factory=lambda: datetime.now(timezone.utc))


class RecordedEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An event as stored: its global position, stream and version, and its metadata."""

    position: int
    stream_id: str
    version: int
    event_id: str
    type: str
    schema_version: int
    occurred_at: datetime
    metadata: Metadata
    event: Event


def new_id() -> str:
    """A fresh random identifier for tasks, executions and events."""
    return str(uuid.uuid4())
