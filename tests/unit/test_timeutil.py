"""Dates and times as users give them and as X and the stored records spell them."""

from __future__ import annotations

from xget.timeutil import format_utc, parse_utc


def test_instants_keep_a_four_digit_year_so_text_comparison_holds() -> None:
    early = format_utc(parse_utc("0999-01-01"))
    assert early == "0999-01-01T00:00:00Z" and early < "2026-01-01T00:00:00Z"
    assert format_utc(parse_utc("2026-07-20T01:02:03+02:00"), "_", "_UTC") == "2026-07-19_23:02:03_UTC"
