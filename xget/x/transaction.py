"""x-client-transaction-id providers.

X's web client signs each GraphQL call with an ``x-client-transaction-id`` computed from the
home page (a verification key and animation frames) and an ``ondemand.s`` script bundle. X does
not demand it for every operation; when it does, a missing or stale id answers 404. The engine
therefore talks to a provider behind this interface: :class:`NullTransactionId` sends none,
and a real implementation (the public algorithm, or a service) is plugged in with
``XGET_X_TXID_PROVIDER=package.module:factory`` (a callable returning a provider).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from typing import Protocol

from xget.x.errors import TransactionIdUnavailable

ENV_PROVIDER = "XGET_X_TXID_PROVIDER"


class TransactionIdProvider(Protocol):
    """Produces the x-client-transaction-id header of one request."""

    async def get(self, method: str, path: str) -> str | None:
        """The header value for ``method`` on the URL ``path`` (None: send no header)."""
        ...

    async def refresh(self) -> None:
        """Fetch fresh inputs (called once after X answers 404 to an operation)."""
        ...


class NullTransactionId:
    """Sends no transaction id; enough for operations and servers that do not check it."""

    async def get(self, method: str, path: str) -> str | None:
        """No header."""
        return None

    async def refresh(self) -> None:
        """Nothing to refresh."""


class UnavailableTransactionId:
    """A provider that fails clearly: for deployments that must not call X without an id."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    async def get(self, method: str, path: str) -> str | None:
        """Always raises :class:`TransactionIdUnavailable` with the configured reason."""
        raise TransactionIdUnavailable(
            f"no x-client-transaction-id provider: {self.reason}. The public algorithm needs X's "
            f"home page and its ondemand.s script bundle; plug an implementation in with "
            f"{ENV_PROVIDER}=package.module:factory")

    async def refresh(self) -> None:
        """Nothing to refresh."""


def provider_from_env(env: Mapping[str, str] | None = None) -> TransactionIdProvider:
    """The provider named by ``XGET_X_TXID_PROVIDER`` (``module:factory``), else the null one."""
    env = os.environ if env is None else env
    spec = env.get(ENV_PROVIDER, "").strip()
    if not spec:
        return NullTransactionId()
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"{ENV_PROVIDER} must look like package.module:factory, got {spec!r}")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise TransactionIdUnavailable(f"{ENV_PROVIDER}={spec!r} cannot be loaded: {exc}") from exc
    return factory()
