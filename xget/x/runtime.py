"""Process-wide wiring of the X engine for a worker: one client, the two ports, the store.

    runtime = XRuntime.from_env(pg_pool=pool)          # once per process
    session = runtime.session(pinned_account_id=..., deadline=..., on_wait=..., stop=...)
    async for page in collect(task_type, params, session, resume_cursor=...): ...
    await session.aclose()                             # per execution
    await runtime.aclose()                             # at shutdown

Environment: ``XGET_X_BASE_URL`` (default: the operations config's, i.e. X itself),
``XGET_X_OPERATIONS_FILE``, ``XGET_X_TXID_PROVIDER``, ``ACCOUNT_SERVICE_URL`` or
``XGET_ACCOUNTS_FILE``, ``PROXY_SERVICE_URL`` or ``XGET_PROXIES_FILE``.

When none of ``XGET_X_BASE_URL``, ``ACCOUNT_SERVICE_URL`` and ``XGET_ACCOUNTS_FILE`` is set, the
sandbox is the embedded default (``xget.sandbox.defaults``): the sandbox X on 127.0.0.1:8010 and
its account and proxy services on 8011 and 8012 (``XGET_SANDBOX=off`` disables this).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

from xget.accounts.factory import account_port_from_env
from xget.accounts.port import AccountPort
from xget.proxies.factory import proxy_port_from_env
from xget.proxies.port import ProxyPort
from xget.sandbox.defaults import engine_env
from xget.x.client import XClient
from xget.x.operations import load_operations
from xget.x.ratelimits import MemoryRateLimitStore, PostgresRateLimitStore, RateLimitStore
from xget.x.session import OnWait, XSession
from xget.x.transaction import provider_from_env

ENV_BASE_URL = "XGET_X_BASE_URL"


class XRuntime:
    """The engine's long-lived objects, shared by every execution of a worker process."""

    def __init__(self, client: XClient, accounts: AccountPort, proxies: ProxyPort,
                 limits: RateLimitStore) -> None:
        self.client = client
        self.accounts = accounts
        self.proxies = proxies
        self.limits = limits

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, pg_pool: Any = None) -> XRuntime:
        """Build from the environment; rate limits go to PostgreSQL when ``pg_pool`` is given
        (shared by every worker process), else to this process's memory. With no real X
        configured the sandbox's URLs are filled in (see the module docstring)."""
        env = engine_env(os.environ if env is None else env)
        registry = load_operations(env=env)
        client = XClient(registry, base_url=env.get(ENV_BASE_URL) or None,
                         txid=provider_from_env(env))
        limits: RateLimitStore = (PostgresRateLimitStore(pg_pool) if pg_pool is not None
                                  else MemoryRateLimitStore())
        return cls(client, account_port_from_env(env), proxy_port_from_env(env), limits)

    def session(self, *, pinned_account_id: str | None = None, pinned_proxy_id: str | None = None,
                deadline: float | None = None, on_wait: OnWait | None = None,
                stop: asyncio.Event | None = None) -> XSession:
        """A session for one execution (the PageFetcher ``collect`` runs on)."""
        return XSession(self.client, self.accounts, self.proxies, self.limits,
                        pinned_account_id=pinned_account_id, pinned_proxy_id=pinned_proxy_id,
                        deadline=deadline, on_wait=on_wait, stop=stop)

    async def aclose(self) -> None:
        """Close the pooled HTTP clients of the client and the adapters."""
        await self.client.aclose()
        await self.accounts.aclose()
        await self.proxies.aclose()
