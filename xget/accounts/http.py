"""The account port over the account service's HTTP API (docs/accounts-and-proxies.md).

    POST {base}/v1/account-leases                     lease   -> 201 lease | 404 | 409 | 503
    POST {base}/v1/account-leases/{lease_id}/release  release -> 204 | 404 (already gone: fine)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from xget.accounts.port import (
    AccountLease,
    AccountNotFound,
    AccountOutcome,
    AccountServiceError,
    AccountUnavailable,
)
from xget.leasing import LeaseClient


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class HttpAccountService(LeaseClient):
    """Leases accounts from the account service; one pooled httpx client per adapter."""

    service = "account service"
    not_found = AccountNotFound
    unavailable = AccountUnavailable
    service_error = AccountServiceError

    async def lease(self, operation: str, pinned_id: str | None = None, *,
                    exclude: Collection[str] = ()) -> AccountLease:
        """POST /v1/account-leases; see the contract for statuses."""
        return await self._lease("/v1/account-leases", {
            "operation": operation, "account_id": pinned_id, "exclude": sorted(exclude)}, AccountLease)

    async def release(self, lease_id: str, outcome: AccountOutcome) -> None:
        """POST /v1/account-leases/{lease_id}/release with the outcome."""
        await self._release(f"/v1/account-leases/{lease_id}/release", {
            "outcome": outcome.kind, "until": _iso(outcome.until), "operation": outcome.operation,
            "detail": outcome.detail})
