"""Encoding and decoding of events to the JSON stored in the event store and sent to Kafka."""

from __future__ import annotations

from typing import Any, Union

import msgspec

from xget.events.base import Event
from xget.events.execution import EXECUTION_EVENTS
from xget.events.task import TASK_EVENTS
from xget.events.upcasting import upcast

# The registry of every event type, by stable name: the one place to add a new type.
EVENT_TYPES: dict[str, type[Event]] = {cls.type_name(): cls for cls in (*TASK_EVENTS, *EXECUTION_EVENTS)}

DomainEvent = Union[tuple(EVENT_TYPES.values())]  # type: ignore[valid-type]

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(DomainEvent)


class UnknownEventType(LookupError):
    """A stored event names a type this code does not know (written by a newer release?)."""


def encode_event(event: Event) -> bytes:
    """JSON of ``event``, including its ``type`` tag."""
    return _encoder.encode(event)


def decode_event(type_name: str, schema_version: int, data: bytes | str) -> Event:
    """Decode stored event data, upcasting it first when it was written by an older schema."""
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        raise UnknownEventType(f"unknown event type {type_name!r}")
    if schema_version == cls.schema_version:
        return _decoder.decode(data)
    if schema_version > cls.schema_version:
        raise UnknownEventType(f"{type_name} v{schema_version} is newer than this code's v{cls.schema_version}")
    raw: dict[str, Any] = msgspec.json.decode(data)
    raw = upcast(type_name, schema_version, cls.schema_version, raw)
    raw["type"] = type_name
    return msgspec.convert(raw, DomainEvent)
