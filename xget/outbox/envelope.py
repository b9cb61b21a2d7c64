"""The Kafka message format of XGet's events, for the relay and for every subscriber.

Value (JSON)::

    {"event_id": "...", "type": "TaskCreated", "schema_version": 1, "stream_id": "task-...",
     "version": 1, "position": 42, "occurred_at": "2026-11-28T08:00:00+00:00",
     "metadata": {"correlation_id": "...", "user_id": "..."}, "data": {"type": "TaskCreated", ...}}

Key: the task id (so one task's events stay ordered on one partition).
Headers: ``type``, ``schema_version``, ``event_id``, ``correlation_id`` (UTF-8 bytes).
Delivery is at least once: a redelivered event carries the same ``event_id``; drop duplicates on it.
"""

from __future__ import annotations

from typing import Any

import msgspec

from xget.events import Metadata, RecordedEvent, decode_event

RESULT_EVENT_TYPES = frozenset({"ResultsCollected"})
"""Event types sent to the results topic; every other type goes to the task-event topic."""

_json_str = msgspec.json.encode


def envelope_value(row: Any) -> bytes:
    """Build the message value from a raw event-store row without decoding its data."""
    (position, stream_id, version, event_id, type_name, schema_version, occurred_at, metadata, data, _key) = row
    return b"".join(
        (
            b'{"event_id":"', event_id.encode(),
            b'","type":', _json_str(type_name),
            b',"schema_version":', str(schema_version).encode(),
            b',"stream_id":', _json_str(stream_id),
            b',"version":', str(version).encode(),
            b',"position":', str(position).encode(),
            b',"occurred_at":"', occurred_at.isoformat().encode(),
            b'","metadata":', metadata.encode(),
            b',"data":', data.encode(),
            b"}",
        )
    )


class _Envelope(msgspec.Struct, frozen=True):
    event_id: str
    type: str
    schema_version: int
    stream_id: str
    version: int
    position: int
    occurred_at: str
    metadata: Metadata
    data: msgspec.Raw


_envelope_decoder = msgspec.json.Decoder(_Envelope)


def decode_envelope(value: bytes) -> RecordedEvent:
    """Decode a Kafka message value back into a :class:`RecordedEvent` (upcasting old versions)."""
    from datetime import datetime

    env = _envelope_decoder.decode(value)
    return RecordedEvent(
        position=env.position,
        stream_id=env.stream_id,
        version=env.version,
        event_id=env.event_id,
        type=env.type,
        schema_version=env.schema_version,
        occurred_at=datetime.fromisoformat(env.occurred_at),
        metadata=env.metadata,
        event=decode_event(env.type, env.schema_version, bytes(env.data)),
    )
