"""The browser guard alone, on a bare ASGI app: which requests a browser could send reach it."""

from __future__ import annotations

import asyncio

from xget.api.middleware import browser_guard

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def status_of(method: str, headers: dict[str, str], allowed: frozenset[str] | None = LOOPBACK,
              listed: frozenset[str] = frozenset()) -> int:
    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[dict] = []

    async def send(message):  # type: ignore[no-untyped-def]
        sent.append(message)

    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": b""}

    scope = {"type": "http", "method": method, "path": "/api/v1/tasks",
             "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(browser_guard(app, allowed, listed)(scope, receive, send))
    return sent[0]["status"]


def test_programs_without_browser_headers_pass() -> None:
    assert status_of("POST", {"host": "127.0.0.1:8003"}) == 200
    assert status_of("GET", {}) == 200  # an HTTP/1.0 probe without Host
    assert status_of("GET", {"host": "localhost.:8003"}) == 200


def test_a_foreign_host_name_is_misdirected_and_a_foreign_origin_forbidden() -> None:
    assert status_of("GET", {"host": "rebound.example:8003"}) == 421
    assert status_of("POST", {"host": "127.0.0.1:8003", "origin": "http://evil.example"}) == 403
    assert status_of("POST", {"host": "127.0.0.1:8003", "origin": "http://localhost:3000"}) == 403
    assert status_of("DELETE", {"host": "127.0.0.1:8003", "sec-fetch-site": "same-site"}) == 403
    assert status_of("POST", {"host": "127.0.0.1:8003", "origin": "http://127.0.0.1:8003"}) == 200
    assert status_of("GET", {"host": "127.0.0.1:8003", "origin": "http://evil.example"}) == 200  # reads need CORS


def test_a_reverse_proxys_listed_name_is_this_site() -> None:
    listed = frozenset({"xget.example.org"})
    allowed = LOOPBACK | listed
    headers = {"host": "127.0.0.1:8003", "origin": "https://xget.example.org"}  # Host rewritten by the proxy
    assert status_of("POST", headers, allowed, listed) == 200
    assert status_of("POST", headers, allowed) == 403


def test_with_api_keys_nothing_is_checked_here() -> None:
    assert status_of("POST", {"host": "anything.example", "origin": "http://evil.example"}, allowed=None) == 200


def test_a_same_origin_form_of_a_no_referrer_page_is_this_site() -> None:
    same = {"host": "127.0.0.1:8003", "origin": "null", "sec-fetch-site": "same-origin"}
    assert status_of("POST", same) == 200  # the dashboard's export form
    assert status_of("POST", {**same, "sec-fetch-site": "cross-site"}) == 403
    assert status_of("POST", {"host": "127.0.0.1:8003", "origin": "null"}) == 403  # no metadata: refuse
