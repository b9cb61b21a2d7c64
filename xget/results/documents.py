"""Result documents from ResultsCollected events (pure functions, no I/O).

A document is the normalized record (tweet or user) plus ``task_id``, ``execution_id`` (the
latest execution that saw it), ``executions`` (every one that did), ``user_id``, ``item_type``,
``collected_at`` (first seen), ``updated_at`` and ``seq``. ``_id`` is
``<task_id>:<item_type>:<item_id>``: unique per task, item type and item id, so a re-run updates
the same document. Every value comes from the event, so a rebuild produces identical documents.
"""

from __future__ import annotations

from typing import Any

from xget.events import RecordedEvent, ResultsCollected

SEQ_PER_EVENT = 1000
"""``seq`` = event position x 1000 + index in the page: globally increasing in collection order."""

META_FIELDS = ("task_id", "execution_id", "executions", "user_id", "item_type", "collected_at", "updated_at",
               "seq")


def document_id(task_id: str, item_type: str, item_id: str) -> str:
    """The document's ``_id``."""
    return f"{task_id}:{item_type}:{item_id}"


def documents(recorded: RecordedEvent) -> list[dict[str, Any]]:
    """The documents of one ResultsCollected event, in page order."""
    event = recorded.event
    assert isinstance(event, ResultsCollected)
    base = recorded.position * SEQ_PER_EVENT
    out = []
    for index, item in enumerate(event.items):
        doc = dict(item)
        doc.update(
            _id=document_id(event.task_id, event.item_type, str(item.get("id"))),
            task_id=event.task_id,
            execution_id=event.execution_id,
            executions=[event.execution_id],
            user_id=event.user_id,
            item_type=event.item_type,
            collected_at=recorded.occurred_at,
            updated_at=recorded.occurred_at,
            seq=base + index,
        )
        out.append(doc)
    return out


def merge(existing: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """A re-collected item: the newest record, first-seen time and place kept, executions joined."""
    executions = list(existing.get("executions") or [])
    for execution_id in new["executions"]:
        if execution_id not in executions:
            executions.append(execution_id)
    merged = dict(new)
    merged.update(executions=executions, collected_at=existing.get("collected_at", new["collected_at"]),
                  seq=existing.get("seq", new["seq"]))
    return merged
