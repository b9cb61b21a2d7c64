"""The proxy port: lease a proxy (or a direct connection), release it as ok or failed."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal, Protocol

import msgspec

ProxyOutcome = Literal["ok", "failed"]


class ProxyLease(msgspec.Struct, frozen=True, kw_only=True):
    """One proxy handed to one holder. ``url`` is None for a direct connection."""

    lease_id: str
    proxy_id: str
    url: str | None = None
    expires_at: str | None = None

    def __repr__(self) -> str:  # proxy URLs carry credentials
        return f"ProxyLease(lease_id={self.lease_id!r}, proxy_id={self.proxy_id!r})"


class ProxyUnavailable(Exception):
    """No proxy can be leased now; ``retry_after`` (seconds) when known."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProxyNotFound(Exception):
    """The pinned proxy id does not exist."""


class ProxyServiceError(Exception):
    """The proxy service failed or answered something outside the contract."""


class ProxyPort(Protocol):
    """Where the engine gets proxies from."""

    async def lease(self, pinned_id: str | None = None, *,
                    exclude: Collection[str] = ()) -> ProxyLease:
        """Lease ``pinned_id`` if given, else any proxy not in ``exclude``."""
        ...

    async def release(self, lease_id: str, outcome: ProxyOutcome, detail: str | None = None) -> None:
        """Return a proxy: ``ok`` or ``failed`` (connection error, timeout, 5xx through it)."""
        ...

    async def aclose(self) -> None:
        """Free the adapter's resources."""
        ...
