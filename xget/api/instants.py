"""Date and time query parameters: one format everywhere (``created_after``, ``since``, ...).

Each takes a date (``2026-01-01``, midnight UTC) or an RFC 3339 date-time
(``2026-01-01T12:00:00Z``, ``2026-01-01T14:00:00+02:00``; without an offset it is UTC). Lower
bounds include the instant, upper bounds (``created_before``, ``until``) exclude it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar.params import QueryParameter

from xget.api.deps import shorten
from xget.api.problems import ProblemException
from xget.timeutil import format_utc, parse_utc

FORMAT = "a date (2026-01-01, midnight UTC) or an RFC 3339 date-time (2026-01-01T12:00:00Z)"

Instant = Annotated[str | None, QueryParameter(max_length=40, description=FORMAT[0].upper() + FORMAT[1:])]


def instant(value: str | None, name: str) -> dt.datetime | None:
    """``value`` of the query parameter ``name`` as an aware UTC datetime; 422 naming it if it is
    neither form."""
    if value is None:
        return None
    try:
        return parse_utc(value)
    except ValueError:
        message = f"expected {FORMAT}, got {shorten(value)}"
        raise ProblemException(422, "validation", f"query.{name}: {message}",
                               [{"field": f"query.{name}", "message": message}]) from None


def stored(value: dt.datetime | None) -> str | None:
    """``value`` in the form result documents keep created_at (``2026-01-01T12:00:00Z``, whole
    seconds). A fraction rounds up: with whole-second values, ``>= t`` and ``< t`` then keep
    exactly the items they would keep with the fraction."""
    if value is None:
        return None
    if value.microsecond:
        value = value.replace(microsecond=0)
        if value < dt.datetime.max.replace(tzinfo=dt.timezone.utc) - dt.timedelta(seconds=1):
            value += dt.timedelta(seconds=1)
    return format_utc(value)
