"""Parsing the dates and times users and configuration give us."""

from __future__ import annotations

import datetime as dt


def parse_utc(text: str) -> dt.datetime:
    """``2026-08-01``, ``2026-08-01T12:00:00Z`` or an ISO time with an offset, as an aware UTC
    datetime (a time without a zone is taken as UTC). ValueError when it is none of these, or
    when it falls outside the years 1 to 9999 in UTC (``9999-12-31T23:59:59-01:00``)."""
    text = text.strip()
    if len(text) == 10:
        return dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    try:
        return value.astimezone(dt.timezone.utc)
    except OverflowError:
        raise ValueError(f"{text} is outside the years 1 to 9999 in UTC") from None


def format_utc(value: dt.datetime, date_time_sep: str = "T", suffix: str = "Z") -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` (or X's ``YYYY-MM-DD_HH:MM:SS_UTC`` with ``"_", "_UTC"``) of an
    aware datetime, in UTC, with a four-digit year: ``strftime("%Y")`` leaves years before 1000
    unpadded, and these strings are compared as text with records' ``created_at``."""
    v = value.astimezone(dt.timezone.utc)
    return (f"{v.year:04d}-{v.month:02d}-{v.day:02d}{date_time_sep}"
            f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}{suffix}")
