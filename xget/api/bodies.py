"""Checks of a JSON request body before Litestar decodes it into the handler's ``data``.

Litestar's decoder lets two malformed bodies through as exceptions that are not client errors:
bytes that are not UTF-8 (UnicodeDecodeError) and nesting deeper than the interpreter's recursion
limit (RecursionError). An empty body reaches validation as ``body: 'data'``. These are refused
here, before the handler's arguments are built, as 400 malformed-body / 422 naming the body.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from xget.api.problems import ProblemException

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects a body may have (task parameters need 2 or 3 levels)."""


def check_json_body(raw: bytes) -> None:
    """Raise a 400 malformed-body problem if ``raw`` is not UTF-8 or nests deeper than MAX_DEPTH."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemException(400, "malformed-body", f"body is not valid UTF-8 (byte {exc.start})") from None
    if _depth(raw) > MAX_DEPTH:
        raise ProblemException(400, "malformed-body",
                               f"body is nested too deeply (more than {MAX_DEPTH} levels of arrays and objects)")


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def _depth(raw: bytes) -> int:
    """Deepest nesting of ``raw`` as JSON, brackets inside strings not counted. A cheap bound
    first: a body with few brackets cannot be deep."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for bracket in _BRACKET.findall(_STRING.sub(b"", raw)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


async def check_request_body(request: Request[Any, Any, Any]) -> None:
    """Litestar ``before_request`` hook. Every query parameter of this API takes one value, so
    one given twice is refused (422) rather than silently resolved to its last value. For
    handlers that take a body: refuse a compressed one (415), a missing one (422 "request body
    is required") and the malformed ones :func:`check_json_body` finds."""
    # Only a query string with two parameters or more can repeat one (most requests have none).
    query = request.scope.get("query_string", b"")
    repeated = sorted({key for key, values in request.query_params.dict().items() if len(values) > 1}) \
        if b"&" in query else []
    if repeated:
        raise ProblemException(422, "validation", f"query parameter {', '.join(map(repr, repeated))} given more than "
                               "once; each takes one value",
                               [{"field": f"query.{key}", "message": "given more than once"} for key in repeated])
    if request.route_handler.parsed_data_field is None:
        return
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        # Also what keeps a cross-site form or no-cors fetch (text/plain) from creating anything.
        raise ProblemException(415, "unsupported-media-type",
                               f"Content-Type {media or '(none)'!r} is not accepted; send application/json")
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise ProblemException(415, "unsupported-encoding",
                               f"Content-Encoding {encoding!r} is not accepted; send the JSON body uncompressed")
    raw = await request.body()
    if not raw.strip():
        raise ProblemException(422, "validation", "request body is required",
                               [{"field": "body", "message": "request body is required (a JSON object)"}])
    check_json_body(raw)

