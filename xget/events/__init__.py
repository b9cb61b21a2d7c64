"""Domain events: frozen msgspec Structs in a tagged union with stable names. No I/O here."""

from xget.events.base import Event, Metadata, NewEvent, RecordedEvent, new_id
from xget.events.codec import EVENT_TYPES, DomainEvent, UnknownEventType, decode_event, encode_event
from xget.events.execution import (
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionStarted,
    ExecutionStopped,
    ExecutionWaiting,
    ResultsCollected,
)
from xget.events.task import TaskCreated, TaskDeleted, TaskStarted, TaskStopped, TaskUpdated

__all__ = [
    "Event", "Metadata", "NewEvent", "RecordedEvent", "new_id",
    "EVENT_TYPES", "DomainEvent", "UnknownEventType", "decode_event", "encode_event",
    "TaskCreated", "TaskUpdated", "TaskDeleted", "TaskStarted", "TaskStopped",
    "ExecutionStarted", "ResultsCollected", "ExecutionWaiting", "ExecutionCompleted", "ExecutionFailed",
    "ExecutionStopped",
]
