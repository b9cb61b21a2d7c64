"""Dates and times as users give them and as X and the stored records spell them."""

from __future__ import annotations

import pytest

from xget.timeutil import format_utc, parse_utc
from xget.x.collect import search_instant
from xget.x.errors import BadRequest


def test_instants_keep_a_four_digit_year_so_text_comparison_holds() -> None:
    early = format_utc(parse_utc("0999-01-01"))
    assert early == "0999-01-01T00:00:00Z" and early < "2026-01-01T00:00:00Z"
    assert format_utc(parse_utc("2026-07-20T01:02:03+02:00"), "_", "_UTC") == "2026-07-19_23:02:03_UTC"


def test_an_instant_past_year_9999_in_utc_is_refused_as_a_value_error() -> None:
    # the caller's ValueError handling names the field (a 400 to X, a 422 from the API) instead
    # of an OverflowError escaping as a crash
    with pytest.raises(ValueError, match="outside the years 1 to 9999"):
        parse_utc("9999-12-31T23:59:59-01:00")
    with pytest.raises(BadRequest, match="until must be an ISO date"):
        search_instant("9999-12-31T23:59:59-01:00", "until")
