"""ASGI middleware: a correlation id on every request and response, request metrics and the
access log."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from xget.api.problems import PROBLEM_JSON, problem_body
from xget.observability.logs import log_context
from xget.observability.metrics import HTTP_LATENCY, HTTP_REQUESTS

HEADER = b"x-correlation-id"
access_log = logging.getLogger("xget.api.access")


def correlation_middleware(app: ASGIApp, access: bool = True) -> ASGIApp:
    """Take the caller's X-Correlation-ID (or X-Request-ID), or make one; echo it in the response.
    Requests whose path or query carries a NUL character are refused with 400 here.

    The id is kept in ``scope["state"]["correlation_id"]`` for handlers and events, and in the log
    context for every line logged while the request is served. Each request is timed into the
    latency histogram under its route template and, with ``access``, logged.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if _has_nul(scope):
            await _refuse(send, 400, "validation", "Invalid request",
                          "the path or query string contains a NUL character (%00), which no field accepts")
            return
        correlation = None
        for name, value in scope["headers"]:
            if name in (HEADER, b"x-request-id") and 0 < len(value) <= 200:
                correlation = value.decode("latin-1")
                break
        correlation = correlation or str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation  # type: ignore[typeddict-unknown-key]
        raw = correlation.encode("latin-1")
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers: Any = list(message.get("headers", []))
                headers.append((HEADER, raw))
                message["headers"] = headers  # type: ignore[typeddict-unknown-key]
            await send(message)

        started = time.perf_counter()
        try:
            with log_context(correlation_id=correlation):
                await app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            # The route template (set by the router) keeps label cardinality bounded.
            route = scope.get("path_template") or "<unmatched>"
            method = scope["method"]
            HTTP_LATENCY.labels(method, route).observe(elapsed)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            if access:
                access_log.info("%s %s %d %.1fms", method, scope["path"], status, elapsed * 1000,
                                extra={"correlation_id": correlation, "route": route, "status": status,
                                       "duration_ms": round(elapsed * 1000, 2)})

    return middleware


def _has_nul(scope: Scope) -> bool:
    # PostgreSQL text cannot hold NUL: refuse it at the door rather than fail (or store) deeper.
    query = scope.get("query_string", b"").lower()
    return "\x00" in scope["path"] or b"%00" in query or b"\x00" in query


_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def browser_guard(app: ASGIApp, allowed_hosts: frozenset[str] | None,
                  listed_hosts: frozenset[str] = frozenset()) -> ASGIApp:
    """Keep other web sites out of the API when it runs without authentication (``allowed_hosts``
    is then the host names it answers to): a ``Host`` outside them is refused (a page that rebinds
    its own name to 127.0.0.1 could otherwise read the API), and so is a state-changing request
    a browser marks as coming from another site (``Origin`` or ``Sec-Fetch-Site``), which a form
    or a ``no-cors`` fetch could otherwise send. A page served under a name of ``listed_hosts``
    (a reverse proxy's) counts as this site. With API keys (``allowed_hosts`` None) nothing is
    checked here: another site's page cannot send the key header without a CORS preflight, which
    the API never grants. Programs other than browsers send neither header and are not affected."""
    if allowed_hosts is None:
        return app

    async def guard(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
                       if k in (b"host", b"origin", b"sec-fetch-site")}
            host = headers.get("host", "").strip().lower()
            # No Host at all (an HTTP/1.0 probe) is no browser: only browsers are kept out here.
            if host and _hostname(host) not in allowed_hosts:
                await _refuse(send, 421, "host-not-allowed", "Misdirected Request",
                              f"this API does not answer to the host name {host[:100]!r} (XGET_ALLOWED_HOSTS)")
                return
            if scope["method"] not in _SAFE_METHODS and _cross_site(headers, host, listed_hosts):
                await _refuse(send, 403, "cross-site-request", "Forbidden",
                              "requests from another web site cannot change anything here")
                return
        await app(scope, receive, send)

    return guard


def _cross_site(headers: dict[str, str], host: str, listed_hosts: frozenset[str]) -> bool:
    origin = headers.get("origin")
    if origin is not None and origin != "null":
        hostport = _hostport(origin)
        if hostport == host or _hostname(hostport) in listed_hosts:
            return False
    # Fetch metadata, which pages cannot forge, where the browser sends it: a same-origin form
    # POST of a page with Referrer-Policy no-referrer (the dashboard) carries Origin "null".
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    return origin is not None


def _hostname(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return name.rstrip(".")


def _hostport(origin: str) -> str:
    return origin.split("://", 1)[-1].rstrip("/").lower()


async def _refuse(send: Send, status: int, slug: str, title: str, detail: str) -> None:
    """A problem+json answer from middleware, before any route handler (or Litestar's problem
    handlers) is involved."""
    body = json.dumps(problem_body(status, slug, title, detail)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", PROBLEM_JSON.encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
