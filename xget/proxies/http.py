"""The proxy port over the proxy service's HTTP API (docs/accounts-and-proxies.md).

    POST {base}/v1/proxy-leases                     lease   -> 201 lease | 404 | 409 | 503
    POST {base}/v1/proxy-leases/{lease_id}/release  release -> 204 | 404 (already gone: fine)
"""

from __future__ import annotations

import os
import socket
from collections.abc import Collection
from typing import Any

import httpx
import msgspec

from xget.proxies.port import (
    ProxyLease,
    ProxyNotFound,
    ProxyOutcome,
    ProxyServiceError,
    ProxyUnavailable,
)


def _body(resp: httpx.Response) -> dict[str, Any]:
    try:
        data = resp.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class HttpProxyService:
    """Leases proxies from the proxy service; one pooled httpx client per adapter."""

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
        if self._client is None:
            self._client = httpx.AsyncClient(base_url=self._base, headers=self._headers,
                                             timeout=self._timeout, transport=self._transport)
        return self._client

    async def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        try:
            return await self._http().post(path, json=body)
        except httpx.HTTPError as exc:
            raise ProxyServiceError(f"proxy service unreachable: {exc!r}") from exc

    async def lease(self, pinned_id: str | None = None, *,
                    exclude: Collection[str] = ()) -> ProxyLease:
        """POST /v1/proxy-leases; see the contract for statuses."""
        resp = await self._post("/v1/proxy-leases", {
            "proxy_id": pinned_id, "exclude": sorted(exclude), "ttl_seconds": self._ttl,
            "holder": f"{socket.gethostname()}:{os.getpid()}"})
        body = _body(resp)
        if resp.status_code in (200, 201):
            try:
                return msgspec.convert(body, ProxyLease)
            except msgspec.ValidationError as exc:
                raise ProxyServiceError(f"proxy service lease body: {exc}") from None
        message = str(body.get("message") or body.get("error") or resp.reason_phrase)
        if resp.status_code == 404:
            raise ProxyNotFound(message)
        if resp.status_code in (409, 503):
            retry = body.get("retry_after", resp.headers.get("retry-after"))
            try:
                retry_after = float(retry) if retry is not None else None
            except (TypeError, ValueError):
                retry_after = None
            raise ProxyUnavailable(message, retry_after=retry_after)
        raise ProxyServiceError(f"proxy service answered {resp.status_code}: {message}")

    async def release(self, lease_id: str, outcome: ProxyOutcome, detail: str | None = None) -> None:
        """POST /v1/proxy-leases/{lease_id}/release with the outcome."""
        resp = await self._post(f"/v1/proxy-leases/{lease_id}/release",
                                {"outcome": outcome, "detail": detail})
        if resp.status_code in (200, 204, 404):
            return
        raise ProxyServiceError(f"proxy service answered {resp.status_code} to a release")

    async def aclose(self) -> None:
        """Close the pooled HTTP client."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
