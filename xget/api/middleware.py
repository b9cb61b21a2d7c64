"""ASGI middleware: a correlation id on every request and response."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-correlation-id"


def correlation_middleware(app: ASGIApp) -> ASGIApp:
    """Take the caller's X-Correlation-ID (or X-Request-ID), or make one; echo it in the response.
    Requests whose path or query carries a NUL character are refused with 400 here.

    The id is kept in ``scope["state"]["correlation_id"]`` for handlers, events and logs.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if _has_nul(scope):
            await _reject_nul(scope, send)
            return
        correlation = None
        for name, value in scope["headers"]:
            if name in (HEADER, b"x-request-id") and 0 < len(value) <= 200:
                correlation = value.decode("latin-1")
                break
        correlation = correlation or str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation  # type: ignore[typeddict-unknown-key]
        raw = correlation.encode("latin-1")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: Any = list(message.get("headers", []))
                headers.append((HEADER, raw))
                message["headers"] = headers  # type: ignore[typeddict-unknown-key]
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


def _has_nul(scope: Scope) -> bool:
    # PostgreSQL text cannot hold NUL: refuse it at the door rather than fail (or store) deeper.
    query = scope.get("query_string", b"").lower()
    return "\x00" in scope["path"] or b"%00" in query or b"\x00" in query


async def _reject_nul(scope: Scope, send: Send) -> None:
    body = (b'{"type":"https://xget.dev/problems/validation","title":"Invalid request","status":400,'
            b'"detail":"the path or query string contains a NUL character (%00), which no field accepts"}')
    await send({"type": "http.response.start", "status": 400,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
