"""The HTTP side shared by the account and proxy adapters (docs/accounts-and-proxies.md): a
pooled client created on first use, JSON POSTs, and the contract's answers mapped to each
adapter's own exception types."""

from __future__ import annotations

import os
import socket
from typing import Any, TypeVar

import httpx
import msgspec

T = TypeVar("T")


def holder() -> str:
    """Who holds a lease: this process (``hostname:pid``), for the service's diagnostics."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _body(resp: httpx.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _retry_after(resp: httpx.Response, body: dict[str, Any]) -> float | None:
    value = body.get("retry_after", resp.headers.get("retry-after"))
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class LeaseClient:
    """Base of the HTTP lease adapters. Subclasses name the service and its three errors:
    ``not_found`` (404: a pinned id that does not exist), ``unavailable`` (409/503, with
    ``retry_after``) and ``service_error`` (anything else, or unreachable)."""

    service = "lease service"
    not_found: type[Exception]
    unavailable: type[Exception]
    service_error: type[Exception]

    def __init__(self, base_url: str, *, token: str | None = None, timeout: float = 10.0,
                 lease_ttl: float = 600.0, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"accept": "application/json"}
        if token:
            self._headers["authorization"] = f"Bearer {token}"
        self._timeout = timeout
        self._ttl = lease_ttl
        self._transport = transport
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        # created on first use, inside the running loop
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self._base, headers=self._headers,
                                             timeout=self._timeout, transport=self._transport)
        return self._client

    async def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        try:
            return await self._http().post(path, json=body)
        except httpx.HTTPError as exc:
            raise self.service_error(f"{self.service} unreachable: {exc!r}") from exc

    async def _lease(self, path: str, body: dict[str, Any], into: type[T]) -> T:
        """POST a lease request; the lease on 200/201, else the contract's error."""
        resp = await self._post(path, {**body, "ttl_seconds": self._ttl, "holder": holder()})
        data = _body(resp)
        if resp.status_code in (200, 201):
            try:
                return msgspec.convert(data, into)
            except msgspec.ValidationError as exc:
                raise self.service_error(f"{self.service} lease body: {exc}") from None
        message = str(data.get("message") or data.get("error") or resp.reason_phrase)
        if resp.status_code == 404:
            raise self.not_found(message)
        if resp.status_code in (409, 503):
            raise self.unavailable(message, retry_after=_retry_after(resp, data))
        raise self.service_error(f"{self.service} answered {resp.status_code}: {message}")

    async def _release(self, path: str, body: dict[str, Any]) -> None:
        """POST a release; 404 means already gone (expired or released), which is fine."""
        resp = await self._post(path, body)
        if resp.status_code not in (200, 204, 404):
            raise self.service_error(f"{self.service} answered {resp.status_code} to a release")

    async def aclose(self) -> None:
        """Close the pooled HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
