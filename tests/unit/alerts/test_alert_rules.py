"""Which stored events raise which alerts (pure: no database)."""

from __future__ import annotations

from datetime import datetime, timezone

from xget.alerts.projection import alerts_of, payload_of
from xget.events import (
    Event,
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionStarted,
    ExecutionStopped,
    ExecutionWaiting,
    Metadata,
    RecordedEvent,
)


def recorded(event: Event) -> RecordedEvent:
    return RecordedEvent(position=7, stream_id=f"task-{event.task_id}", version=3, event_id="e-1",
                         type=type(event).type_name(), schema_version=1,
                         occurred_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
                         metadata=Metadata(correlation_id="corr-1"), event=event)


def names(event: Event) -> list[str]:
    return [a.event for a in alerts_of(recorded(event))]


def test_a_failed_execution_is_a_task_failed_alert() -> None:
    failed = ExecutionFailed(task_id="t", execution_id="x", error_class="target_not_found",
                             error_message="no such user", result_count=3, pages=1, duration=1.5)
    (alert,) = alerts_of(recorded(failed))
    assert alert.event == "task.failed" and alert.dedupe_key == "x"
    body = payload_of("d-1", alert, "alice", "USER_INFO")
    assert body == {
        "id": "d-1", "event": "task.failed", "occurred_at": "2026-01-02T03:04:05+00:00",
        "data": {"task_id": "t", "execution_id": "x", "user_id": "alice", "task_type": "USER_INFO",
                 "error_class": "target_not_found", "error_message": "no such user", "result_count": 3,
                 "pages": 1, "duration": 1.5},
        "source": {"event_id": "e-1", "type": "ExecutionFailed", "position": 7, "correlation_id": "corr-1"},
    }


def test_a_failure_for_want_of_accounts_is_also_an_accounts_exhausted_alert() -> None:
    failed = ExecutionFailed(task_id="t", execution_id="x", error_class="no_account_available", error_message="none")
    assert names(failed) == ["task.failed", "accounts.exhausted"]


def test_only_an_empty_completion_alerts() -> None:
    assert names(ExecutionCompleted(task_id="t", execution_id="x", result_count=0, pages=1, duration=1)) == \
        ["execution.empty"]
    assert names(ExecutionCompleted(task_id="t", execution_id="x", result_count=1, pages=1, duration=1)) == []


def test_only_a_wait_for_accounts_alerts() -> None:
    assert names(ExecutionWaiting(task_id="t", execution_id="x", reason="accounts_exhausted", seconds=30)) == \
        ["accounts.exhausted"]
    assert names(ExecutionWaiting(task_id="t", execution_id="x", reason="proxies_exhausted", seconds=30)) == []


def test_other_events_raise_nothing() -> None:
    assert names(ExecutionStopped(task_id="t", execution_id="x")) == []
    assert names(ExecutionStarted(task_id="t", execution_id="x", account_id=None, proxy_id=None, worker_id="w")) == []
