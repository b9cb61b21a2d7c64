"""Parsing of request parts the API does itself: If-Match, task ids, body depth, cursors, fields."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from xget.api.bodies import MAX_DEPTH, check_json_body
from xget.api.deps import parse_if_match, task_id_of
from xget.api.instants import stored
from xget.api.problems import ProblemException
from xget.results.queries import QueryError, decode_cursor, encode_cursor, projection


def test_if_match_is_compared_strongly_and_takes_lists() -> None:
    assert parse_if_match(None) is None and parse_if_match(" * ") is None
    assert parse_if_match('"3"') == {3}
    assert parse_if_match('W/"3"') == set()
    assert parse_if_match('"1", W/"2", "5"') == {1, 5}
    for bad in ("3", '"x"', '"1",', "W/3"):
        with pytest.raises(ProblemException):
            parse_if_match(bad)


def test_task_ids_are_canonical_uuids_and_bad_ones_are_shortened() -> None:
    tid = uuid.uuid4()
    for form in (str(tid).upper(), tid.hex, f"{{{tid}}}", f"urn:uuid:{tid}"):
        assert task_id_of(form) == str(tid)
    with pytest.raises(ProblemException) as caught:
        task_id_of("x" * 5000)
    assert caught.value.status_code == 404 and len(caught.value.detail) < 120


def test_body_depth_and_encoding() -> None:
    check_json_body(b'{"a": [[["' + b"[" * 1000 + b'"]]]}')
    check_json_body(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    for bad in (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), b'{"a": "\xff"}'):
        with pytest.raises(ProblemException) as caught:
            check_json_body(bad)
        assert caught.value.status_code == 400 and caught.value.slug == "malformed-body"


def test_instants_round_fractions_up_to_whole_seconds() -> None:
    utc = dt.timezone.utc
    assert stored(dt.datetime(2026, 1, 1, tzinfo=utc)) == "2026-01-01T00:00:00Z"
    assert stored(dt.datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=utc)) == "2026-01-01T00:00:01Z"
    assert stored(dt.datetime.max.replace(tzinfo=utc)) == "9999-12-31T23:59:59Z"


def test_cursors_are_bound_to_their_query_and_hold_sane_values() -> None:
    cursor = encode_cursor([7, 3], ("task", "t1", "-likes", None))
    assert decode_cursor(cursor, ("task", "t1", "-likes", None), "like_count") == [7, 3]
    with pytest.raises(QueryError, match="does not belong"):
        decode_cursor(cursor, ("task", "t2", "-likes", None), "like_count")
    for values in ([2**63, 3], [7, 2**63], [7, "3"], [True, 3]):
        with pytest.raises(QueryError, match="not a cursor"):
            decode_cursor(encode_cursor(values, "q"), "q", "like_count")


def test_field_paths_have_no_empty_names_and_no_prefix_collisions() -> None:
    assert projection("author,author.screen_name,id") == {"_id": 0, "seq": 1, "author": 1, "id": 1}
    assert "created_at.x" not in projection("created_at.x", "created_at")
    for bad in ("author..x", "author.", "id.", ".id"):
        with pytest.raises(QueryError):
            projection(bad)
