"""The session: one execution's access to X through leased accounts and proxies.

:class:`XSession` is the production :class:`~xget.x.collect.PageFetcher`. It keeps one account
and one proxy leased across pages and, per error class (see :mod:`xget.x.errors`):

- records every response's rate-limit window in the shared store, and never leases an account
  the store says is exhausted for the operation;
- rate limited: releases the account as ``rate_limited(until)`` and rotates to another;
- auth failed / suspended / locked: releases it as ``auth_failed`` / ``banned`` / ``locked``
  and rotates;
- transient (5xx, timeout, proxy error): releases the proxy as ``failed`` and retries on
  another one, a bounded number of times;
- target errors, bad requests and an outdated operation: raised as they are (the task fails).

When every account is exhausted it waits for the earliest reset, if that comes before the
task's deadline, reporting the wait through ``on_wait`` and returning at once (raising
:class:`Stopped`) when the ``stop`` event is set.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import msgspec

from xget.accounts.port import (
    AccountLease,
    AccountNotFound,
    AccountOutcome,
    AccountPort,
    AccountServiceError,
    AccountUnavailable,
)
from xget.proxies.port import ProxyLease, ProxyNotFound, ProxyPort, ProxyServiceError, ProxyUnavailable
from xget.observability.metrics import (
    ACCOUNT_LEASES,
    ACCOUNT_RELEASES,
    PROXY_LEASES,
    PROXY_RELEASES,
    X_ERRORS,
)
from xget.x.client import XClient
from xget.x.errors import (
    AccountLocked,
    AccountSuspended,
    AuthFailed,
    BadRequest,
    LeaseServiceUnavailable,
    NoAccountAvailable,
    RateLimited,
    Transient,
    XError,
)
from xget.x.page import Page
from xget.x.ratelimits import RateLimitStore

log = logging.getLogger(__name__)

# X's windows are 15 minutes; when a 429 says nothing about the reset, assume a full one.
DEFAULT_RATE_LIMIT_PAUSE = 900.0


class Stopped(Exception):
    """The stop signal was set while the session was waiting."""


class WaitInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A wait the session is in: why, for which operation, until when, how long is left."""

    reason: str
    operation: str | None
    until: float
    seconds_left: float


OnWait = Callable[[WaitInfo], Awaitable[None]]


class XSession:
    """Fetches pages for one execution; see the module docstring for the rotation policy."""

    def __init__(self, client: XClient, accounts: AccountPort, proxies: ProxyPort,
                 limits: RateLimitStore, *, pinned_account_id: str | None = None,
                 pinned_proxy_id: str | None = None, deadline: float | None = None,
                 on_wait: OnWait | None = None, stop: asyncio.Event | None = None,
                 max_transient_attempts: int = 4, max_account_rotations: int = 20,
                 poll_interval: float = 30.0, report_every: float = 10.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.client = client
        self.accounts = accounts
        self.proxies = proxies
        self.limits = limits
        self.pinned_account_id = pinned_account_id
        self.pinned_proxy_id = pinned_proxy_id
        self.deadline = deadline
        self.on_wait = on_wait
        self.stop = stop if stop is not None else asyncio.Event()
        self.max_transient_attempts = max_transient_attempts
        self.max_account_rotations = max_account_rotations
        self.poll_interval = poll_interval
        self.report_every = report_every
        self.clock = clock
        self._account: AccountLease | None = None
        self._proxy: ProxyLease | None = None
        self._failed_proxies: set[str] = set()

    # ------------------------------------------------------------------ waiting

    async def wait_until(self, until: float, reason: str, operation: str | None = None) -> None:
        """Sleep until ``until`` (unix time), reporting through ``on_wait``; raise
        :class:`Stopped` as soon as the stop event is set."""
        while True:
            left = until - self.clock()
            if self.stop.is_set():
                raise Stopped(f"stopped while waiting ({reason})")
            if left <= 0:
                return
            if self.on_wait is not None:
                await self.on_wait(WaitInfo(reason=reason, operation=operation, until=until,
                                            seconds_left=left))
            try:
                await asyncio.wait_for(self.stop.wait(), timeout=min(left, self.report_every))
            except asyncio.TimeoutError:
                continue
            raise Stopped(f"stopped while waiting ({reason})")

    def _check_deadline(self, until: float, what: str) -> None:
        if self.deadline is not None and until > self.deadline:
            raise NoAccountAvailable(
                f"{what}; the earliest is at {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(until))}, "
                f"after the task's deadline")

    # ------------------------------------------------------------------ leases

    async def _release_account(self, outcome: AccountOutcome) -> None:
        lease, self._account = self._account, None
        if lease is not None:
            ACCOUNT_RELEASES.labels(outcome.kind).inc()
            try:
                await self.accounts.release(lease.lease_id, outcome)
            except (AccountServiceError, OSError) as exc:
                # A failed release must not fail the task: the lease expires on its own.
                log.warning("cannot release account lease %s (%s): %s", lease.lease_id, outcome.kind, exc)

    async def _release_proxy(self, outcome: str, detail: str | None = None) -> None:
        lease, self._proxy = self._proxy, None
        if lease is not None:
            PROXY_RELEASES.labels(outcome).inc()
            try:
                await self.proxies.release(lease.lease_id, outcome, detail)  # type: ignore[arg-type]
            except (ProxyServiceError, OSError) as exc:
                log.warning("cannot release proxy lease %s (%s): %s", lease.lease_id, outcome, exc)

    @property
    def _exhausted_reason(self) -> str:
        # A task pinned to one account waits for that account, not for the pool.
        return "pinned_account_busy" if self.pinned_account_id else "accounts_exhausted"

    async def _account_for(self, operation: str) -> AccountLease:
        while True:
            if self.stop.is_set():
                raise Stopped("stopped")
            now = self.clock()
            exhausted = await self.limits.exhausted(operation, now)
            if self._account is not None:
                until = exhausted.get(self._account.account_id)
                if until is None:
                    return self._account
                await self._release_account(AccountOutcome.rate_limited(until, operation))
            try:
                lease = await self.accounts.lease(operation, self.pinned_account_id,
                                                  exclude=set(exhausted))
                ACCOUNT_LEASES.labels("granted").inc()
            except AccountNotFound as exc:
                ACCOUNT_LEASES.labels("not_found").inc()
                raise BadRequest(f"pinned account {self.pinned_account_id}: {exc}") from None
            except AccountServiceError as exc:
                ACCOUNT_LEASES.labels("service_error").inc()
                raise LeaseServiceUnavailable(f"account service: {exc}") from exc
            except AccountUnavailable as exc:
                ACCOUNT_LEASES.labels("unavailable").inc()
                candidates = list(exhausted.values())
                if exc.retry_after is not None:
                    candidates.append(now + exc.retry_after)
                until = min(candidates) if candidates else now + self.poll_interval
                self._check_deadline(until, f"no account can call {operation} now")
                await self.wait_until(until, self._exhausted_reason, operation)
                continue
            until = exhausted.get(lease.account_id)
            if until is not None:
                # the service handed out an account our shared windows say is spent
                self._account = lease
                await self._release_account(AccountOutcome.rate_limited(until, operation))
                self._check_deadline(until, f"account {lease.account_id} is rate limited")
                await self.wait_until(until, self._exhausted_reason, operation)
                continue
            self._account = lease
            return lease

    async def _proxy_lease(self) -> ProxyLease:
        while self._proxy is None:
            try:
                self._proxy = await self.proxies.lease(self.pinned_proxy_id,
                                                       exclude=self._failed_proxies)
                PROXY_LEASES.labels("granted").inc()
            except ProxyNotFound as exc:
                PROXY_LEASES.labels("not_found").inc()
                raise BadRequest(f"pinned proxy {self.pinned_proxy_id}: {exc}") from None
            except ProxyServiceError as exc:
                PROXY_LEASES.labels("service_error").inc()
                raise LeaseServiceUnavailable(f"proxy service: {exc}") from exc
            except ProxyUnavailable as exc:
                PROXY_LEASES.labels("unavailable").inc()
                if self._failed_proxies and self.pinned_proxy_id is None:
                    self._failed_proxies.clear()  # every proxy failed once: give them another go
                    continue
                until = self.clock() + (exc.retry_after or self.poll_interval)
                self._check_deadline(until, "no proxy available")
                await self.wait_until(until, "proxies_exhausted")
        return self._proxy

    async def acquire(self, operation: str) -> tuple[str, str | None]:
        """Lease an account for ``operation`` and a proxy before the first page, so the
        execution can say which it starts with; returns (account id, proxy id)."""
        account = await self._account_for(operation)
        proxy = await self._proxy_lease()
        return account.account_id, proxy.proxy_id

    @property
    def account_id(self) -> str | None:
        """The account currently leased, if any."""
        return self._account.account_id if self._account is not None else None

    @property
    def proxy_id(self) -> str | None:
        """The proxy currently leased, if any."""
        return self._proxy.proxy_id if self._proxy is not None else None

    # ------------------------------------------------------------------ fetching

    async def fetch(self, op_name: str, variables: Mapping[str, Any]) -> Page:
        """Fetch and parse one page, rotating accounts and proxies as the errors require."""
        transient = 0
        rotations = 0
        while True:
            account = await self._account_for(op_name)
            proxy = await self._proxy_lease()
            try:
                try:
                    result = await self.client.call(op_name, variables, account.credentials,
                                                    proxy_url=proxy.url)
                except XError as exc:
                    X_ERRORS.labels(exc.code).inc()
                    raise
            except RateLimited as exc:
                until = exc.reset_at or self.clock() + DEFAULT_RATE_LIMIT_PAUSE
                await self.limits.record(account.account_id, op_name, remaining=0, reset_at=until,
                                         limit=exc.rate_limit.limit if exc.rate_limit else None)
                await self._release_account(AccountOutcome.rate_limited(until, op_name))
            except (AuthFailed, AccountSuspended, AccountLocked) as exc:
                outcome = (AccountOutcome.auth_failed(exc.message) if isinstance(exc, AuthFailed)
                           else AccountOutcome.banned(exc.message)
                           if isinstance(exc, AccountSuspended) else AccountOutcome.locked(exc.message))
                await self._release_account(outcome)
                rotations += 1
                if self.pinned_account_id is not None or rotations >= self.max_account_rotations:
                    raise
            except Transient as exc:
                self._failed_proxies.add(proxy.proxy_id)
                await self._release_proxy("failed", exc.message)
                transient += 1
                if transient >= self.max_transient_attempts:
                    raise
            except XError as exc:
                await self._record(account.account_id, op_name, exc.rate_limit)
                raise
            else:
                await self._record(account.account_id, op_name, result.rate_limit)
                return result.page

    async def _record(self, account_id: str, operation: str, info: Any) -> None:
        if info is not None:
            await self.limits.record(account_id, operation, remaining=info.remaining,
                                     reset_at=info.reset_at, limit=info.limit)

    async def aclose(self) -> None:
        """Release the held account and proxy as fine."""
        await self._release_account(AccountOutcome.ok())
        await self._release_proxy("ok")
