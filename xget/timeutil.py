"""Parsing the dates and times users and configuration give us."""

from __future__ import annotations

import datetime as dt


def parse_utc(text: str) -> dt.datetime:
    """``2026-08-01``, ``2026-08-01T12:00:00Z`` or an ISO time with an offset, as an aware UTC
    datetime (a time without a zone is taken as UTC). ValueError when it is none of these."""
    text = text.strip()
    if len(text) == 10:
        return dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc)
