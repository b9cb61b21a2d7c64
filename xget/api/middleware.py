"""ASGI middleware: a correlation id on every request and response."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-correlation-id"


def correlation_middleware(app: ASGIApp) -> ASGIApp:
    """Take the caller's X-Correlation-ID (or X-Request-ID), or make one; echo it in the response.

    The id is kept in ``scope["state"]["correlation_id"]`` for handlers, events and logs.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
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
