"""A few raw-ASGI helpers shared by the sandbox apps (no framework on the hot path)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

import msgspec

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

JSON = b"application/json; charset=utf-8"
_ENCODE = msgspec.json.Encoder().encode


async def read_body(receive: Receive, limit: int = 1 << 20) -> bytes:
    """The request body (at most ``limit`` bytes; more raises ValueError)."""
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ValueError("request body too large")
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def respond(send: Send, status: int, body: bytes = b"",
                  headers: Iterable[tuple[bytes, bytes]] = (), content_type: bytes | None = JSON) -> None:
    """Send a whole response."""
    hdrs = [(b"content-length", str(len(body)).encode())]
    if content_type is not None and body:
        hdrs.append((b"content-type", content_type))
    hdrs.extend(headers)
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": body})


async def respond_json(send: Send, status: int, doc: Any,
                       headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    """Send ``doc`` as JSON."""
    await respond(send, status, _ENCODE(doc), headers)


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (``name`` lower-case), decoded as latin-1."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


async def lifespan(receive: Receive, send: Send) -> None:
    """Answer the lifespan protocol (nothing to start or stop)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def service_preamble(scope: Scope, receive: Receive, send: Send, token: str | None) -> bool:
    """What the sandbox lease services do before routing: lifespan, ``/health``, and the bearer
    token when one is set. True when the request was answered here."""
    if scope["type"] == "lifespan":
        await lifespan(receive, send)
        return True
    if scope["type"] != "http":
        return True
    if scope["path"] == "/health":
        await respond_json(send, 200, {"status": "ok"})
        return True
    if token and header(scope, b"authorization") != f"Bearer {token}":
        await respond_json(send, 401, {"error": "unauthorized", "message": "bad or missing token"})
        return True
    return False
