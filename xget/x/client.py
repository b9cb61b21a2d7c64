"""The GraphQL client: X's web-client request for one operation, with the account's cookies,
through one proxy, mapped to a parsed page or a typed error.

One ``httpx.AsyncClient`` is pooled per proxy URL and shared by every account; cookies are sent
per request and never stored, so accounts cannot leak into each other's requests. Transient
failures are retried with jittered exponential backoff before :class:`Transient` is raised (the
session then moves to another proxy). A 404 on an operation refreshes the transaction id once,
then raises :class:`OperationOutdated` naming the operations config.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable, Mapping
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import httpx
import msgspec

from xget.accounts.port import Credentials
from xget.x.errors import (
    AuthFailed,
    OperationOutdated,
    RateLimited,
    Transient,
    UnexpectedResponse,
    XError,
    error_from_x_errors,
)
from xget.x.operations import Operation, OperationRegistry
from xget.x.page import Page, parse_page
from xget.x.transaction import NullTransactionId, TransactionIdProvider

DEFAULT_USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                      "(KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36")
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=10.0)


class RateLimitInfo(msgspec.Struct, frozen=True, kw_only=True):
    """An operation's window for one account, from the ``x-rate-limit-*`` headers."""

    limit: int | None
    remaining: int | None
    reset_at: float | None
    """Unix time (seconds) when the window resets."""


class XResponse(msgspec.Struct, kw_only=True):
    """A successful call: the parsed page, the rate-limit window and the HTTP status."""

    page: Page
    rate_limit: RateLimitInfo | None
    status: int


def parse_rate_limit_headers(headers: Mapping[str, str]) -> RateLimitInfo | None:
    """Read ``x-rate-limit-limit/remaining/reset``; None when X sent none of them."""

    def num(name: str) -> int | None:
        value = headers.get(name)
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None

    limit, remaining, reset = (num("x-rate-limit-limit"), num("x-rate-limit-remaining"),
                               num("x-rate-limit-reset"))
    if limit is None and remaining is None and reset is None:
        return None
    return RateLimitInfo(limit=limit, remaining=remaining,
                         reset_at=float(reset) if reset is not None else None)


def _no_cookie_jar() -> CookieJar:
    # The pooled client is shared by accounts: never keep a Set-Cookie from X.
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def _compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"))


class XClient:
    """Calls configured GraphQL operations; see the module docstring for the policy."""

    def __init__(self, registry: OperationRegistry, *, base_url: str | None = None,
                 timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
                 txid: TransactionIdProvider | None = None, max_retries: int = 2,
                 backoff_base: float = 0.5, backoff_cap: float = 8.0,
                 user_agent: str = DEFAULT_USER_AGENT,
                 transport_factory: Callable[[str | None], httpx.AsyncBaseTransport] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.registry = registry
        self.base_url = (base_url or registry.base_url).rstrip("/")
        parts = urlsplit(self.base_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._timeout = timeout
        self.txid = txid or NullTransactionId()
        self.max_retries = max_retries
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._user_agent = user_agent
        self._transport_factory = transport_factory
        self._sleep = sleep
        self._clients: dict[str | None, httpx.AsyncClient] = {}

    def http_client(self, proxy_url: str | None) -> httpx.AsyncClient:
        """The pooled client for one proxy (None: direct), created on first use."""
        client = self._clients.get(proxy_url)
        if client is None:
            kwargs: dict[str, Any] = {"timeout": self._timeout, "cookies": _no_cookie_jar(),
                                      "follow_redirects": False}
            if self._transport_factory is not None:
                kwargs["transport"] = self._transport_factory(proxy_url)
            elif proxy_url is not None:
                kwargs["proxy"] = proxy_url
            client = self._clients[proxy_url] = httpx.AsyncClient(**kwargs)
        return client

    def headers(self, credentials: Credentials) -> dict[str, str]:
        """The web client's headers for an account."""
        bearer = credentials.bearer_token or self.registry.bearer_token
        return {
            "authorization": f"Bearer {bearer}",
            "x-csrf-token": credentials.ct0,
            "cookie": f"auth_token={credentials.auth_token}; ct0={credentials.ct0}",
            "x-twitter-auth-type": "OAuth2Session",
            "x-twitter-active-user": "yes",
            "x-twitter-client-language": "en",
            "user-agent": credentials.user_agent or self._user_agent,
            "content-type": "application/json",
            "accept": "*/*",
            "origin": self._origin,
            "referer": f"{self._origin}/",
        }

    def _request(self, op: Operation, variables: Mapping[str, Any],
                 headers: dict[str, str]) -> httpx.Request:
        url = f"{self.base_url}{op.path}"
        merged = op.build_variables(variables)
        if op.method == "GET":
            params = {"variables": _compact(merged), "features": _compact(op.features)}
            if op.field_toggles:
                params["fieldToggles"] = _compact(op.field_toggles)
            return httpx.Request("GET", url, params=params, headers=headers)
        body = {"variables": merged, "features": op.features, "queryId": op.query_id}
        if op.field_toggles:
            body["fieldToggles"] = op.field_toggles
        return httpx.Request(op.method, url, json=body, headers=headers)

    def _backoff(self, attempt: int) -> float:
        # full jitter: spreads retries of many workers hitting the same failure
        return random.uniform(0, min(self._backoff_cap, self._backoff_base * 2 ** attempt))

    async def call(self, op_name: str, variables: Mapping[str, Any], credentials: Credentials, *,
                   proxy_url: str | None = None) -> XResponse:
        """Run one operation and parse its page. Raises the typed errors of :mod:`errors`."""
        op = self.registry.get(op_name)
        client = self.http_client(proxy_url)
        refreshed = False
        attempt = 0
        while True:
            headers = self.headers(credentials)
            txid = await self.txid.get(op.method, urlsplit(f"{self.base_url}{op.path}").path)
            if txid:
                headers["x-client-transaction-id"] = txid
            try:
                resp = await client.send(self._request(op, variables, headers))
                body = await resp.aread()
                await resp.aclose()
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                error: XError = Transient(f"{op_name}: {type(exc).__name__}: {exc}")
            else:
                if resp.status_code == 404 and not refreshed:
                    refreshed = True
                    await self.txid.refresh()
                    continue
                try:
                    return self._result(op, resp, body)
                except Transient as exc:
                    error = exc
            if attempt >= self.max_retries:
                raise error
            await self._sleep(self._backoff(attempt))
            attempt += 1

    def _result(self, op: Operation, resp: httpx.Response, body: bytes) -> XResponse:
        status = resp.status_code
        info = parse_rate_limit_headers(resp.headers)
        try:
            if status == 200:
                return XResponse(page=parse_page(op.name, body), rate_limit=info, status=status)
            raise self._status_error(op, status, body, info)
        except XError as exc:
            exc.rate_limit = info
            if isinstance(exc, RateLimited) and exc.reset_at is None and info is not None:
                exc.reset_at = info.reset_at
            raise

    def _status_error(self, op: Operation, status: int, body: bytes,
                      info: RateLimitInfo | None) -> XError:
        if status == 429:
            return RateLimited(f"{op.name}: 429 Too Many Requests",
                               reset_at=info.reset_at if info else None, x_code=88)
        if status == 404:
            return OperationOutdated(op.name, self.registry.source)
        if status >= 500:
            return Transient(f"{op.name}: HTTP {status}", status=status)
        mapped = None
        try:
            doc = msgspec.json.decode(body)
        except msgspec.DecodeError:
            doc = None
        if isinstance(doc, dict) and isinstance(doc.get("errors"), list) and doc["errors"]:
            mapped = error_from_x_errors(doc["errors"])
        if mapped is not None and not isinstance(mapped, UnexpectedResponse):
            return mapped
        if status in (401, 403):
            return AuthFailed(f"{op.name}: HTTP {status}")
        return UnexpectedResponse(f"{op.name}: HTTP {status}: {body[:200]!r}")

    async def aclose(self) -> None:
        """Close every pooled client."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

