"""Event encoding: stable names, round trips, upcasting of old schema versions."""

from __future__ import annotations

import msgspec
import pytest

from xget.events import EVENT_TYPES, TaskCreated, TaskUpdated, UnknownEventType, decode_event, encode_event
from xget.events.upcasting import upcast


def test_every_event_type_has_a_stable_name_that_is_not_its_python_path() -> None:
    for name, cls in EVENT_TYPES.items():
        assert name == cls.type_name()
        assert "." not in name


def test_events_round_trip_through_json() -> None:
    event = TaskCreated(task_id="t", task_name="n", task_type="USER_INFO", parameters={"username": "a"}, user_id="u")
    assert decode_event("TaskCreated", 1, encode_event(event)) == event


def test_unset_fields_of_an_update_are_left_out_of_the_json() -> None:
    data = msgspec.json.decode(encode_event(TaskUpdated(task_id="t", describe=None)))
    assert data == {"type": "TaskUpdated", "task_id": "t", "describe": None}


def test_events_are_frozen() -> None:
    event = TaskUpdated(task_id="t")
    with pytest.raises(AttributeError):
        event.task_id = "other"  # type: ignore[misc]


def test_an_unknown_type_or_a_newer_version_is_refused_clearly() -> None:
    with pytest.raises(UnknownEventType, match="unknown event type"):
        decode_event("Nope", 1, b"{}")
    with pytest.raises(UnknownEventType, match="newer"):
        decode_event("TaskCreated", 99, b"{}")


def test_upcasters_lift_old_versions_step_by_step() -> None:
    table = {
        ("Thing", 1): lambda d: {"b": d["a"]},
        ("Thing", 2): lambda d: {**d, "c": d["b"] * 2},
    }
    assert upcast("Thing", 1, 3, {"a": 2}, table) == {"b": 2, "c": 4}
    with pytest.raises(LookupError, match="no upcaster for Thing v3"):
        upcast("Thing", 3, 4, {}, table)


def test_decoding_an_old_version_goes_through_the_upcaster_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from xget.events import upcasting

    # Pretend v0 of TaskCreated called the name "title".
    monkeypatch.setitem(upcasting.UPCASTERS, ("TaskCreated", 0),
                        lambda d: {**{k: v for k, v in d.items() if k != "title"}, "task_name": d["title"]})
    old = b'{"task_id":"t","title":"old name","task_type":"USER_INFO","parameters":{},"user_id":"u"}'
    event = decode_event("TaskCreated", 0, old)
    assert isinstance(event, TaskCreated) and event.task_name == "old name"


def test_a_v1_results_page_without_a_cursor_reads_as_the_last_page() -> None:
    v1 = b'{"type": "ResultsCollected", "task_id": "t", "execution_id": "x", "page": 2, "item_type": "tweet", ' \
         b'"items": [], "cursor": %s, "total": 40}'
    assert decode_event("ResultsCollected", 1, v1 % b"null").done is True
    assert decode_event("ResultsCollected", 1, v1 % b'"c40"').done is False
