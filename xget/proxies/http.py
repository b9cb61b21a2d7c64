"""The proxy port over the proxy service's HTTP API (docs/accounts-and-proxies.md).

    POST {base}/v1/proxy-leases                     lease   -> 201 lease | 404 | 409 | 503
    POST {base}/v1/proxy-leases/{lease_id}/release  release -> 204 | 404 (already gone: fine)
"""

from __future__ import annotations

from collections.abc import Collection

from xget.leasing import LeaseClient
from xget.proxies.port import (
    ProxyLease,
    ProxyNotFound,
    ProxyOutcome,
    ProxyServiceError,
    ProxyUnavailable,
)


class HttpProxyService(LeaseClient):
    """Leases proxies from the proxy service; one pooled httpx client per adapter."""

    service = "proxy service"
    not_found = ProxyNotFound
    unavailable = ProxyUnavailable
    service_error = ProxyServiceError

    async def lease(self, pinned_id: str | None = None, *,
                    exclude: Collection[str] = ()) -> ProxyLease:
        """POST /v1/proxy-leases; see the contract for statuses."""
        return await self._lease("/v1/proxy-leases", {"proxy_id": pinned_id, "exclude": sorted(exclude)},
                                 ProxyLease)

    async def release(self, lease_id: str, outcome: ProxyOutcome, detail: str | None = None) -> None:
        """POST /v1/proxy-leases/{lease_id}/release with the outcome."""
        await self._release(f"/v1/proxy-leases/{lease_id}/release", {"outcome": outcome, "detail": detail})
