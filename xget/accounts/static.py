"""A static account pool read from a JSON file, for standalone use (no account service).

File shape::

    {"accounts": [{"id": "acc-1", "auth_token": "...", "ct0": "...",
                   "user_agent": "optional", "bearer_token": "optional"}]}

An account is leased by one holder at a time. ``rate_limited`` outcomes cool the account down
for that operation until the given time; ``banned``, ``locked`` and ``auth_failed`` take it out
of the pool for the life of the process.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import msgspec

from xget.accounts.port import (
    AccountLease,
    AccountNotFound,
    AccountOutcome,
    AccountUnavailable,
    Credentials,
)


class _Account(msgspec.Struct, kw_only=True):
    id: str
    auth_token: str
    ct0: str
    user_agent: str | None = None
    bearer_token: str | None = None


class _PoolFile(msgspec.Struct):
    accounts: list[_Account]


class StaticAccountPool:
    """The account port over a fixed list of accounts held in memory."""

    def __init__(self, accounts: list[dict[str, Any]] | list[_Account], *,
                 clock: Callable[[], float] = time.time) -> None:
        self._accounts = {a.id: a for a in msgspec.convert(accounts, list[_Account])}
        self._order = list(self._accounts)
        self._clock = clock
        self._leases: dict[str, str] = {}  # lease id -> account id
        self._busy: set[str] = set()
        self._disabled: dict[str, str] = {}  # account id -> outcome kind
        self._cooldown: dict[tuple[str, str], float] = {}  # (account, operation) -> until
        self._rr = itertools.count()

    @classmethod
    def from_file(cls, path: str | Path) -> StaticAccountPool:
        """Load the pool from a JSON file (see the module docstring for its shape)."""
        data = msgspec.json.decode(Path(path).read_bytes(), type=_PoolFile)
        return cls(data.accounts)

    def _lease(self, account: _Account) -> AccountLease:
        lease_id = uuid.uuid4().hex
        self._leases[lease_id] = account.id
        self._busy.add(account.id)
        return AccountLease(lease_id=lease_id, account_id=account.id, credentials=Credentials(
            auth_token=account.auth_token, ct0=account.ct0,
            bearer_token=account.bearer_token, user_agent=account.user_agent))

    def _blocked_until(self, account_id: str, operation: str, now: float) -> float | None:
        until = self._cooldown.get((account_id, operation))
        return until if until is not None and until > now else None

    async def lease(self, operation: str, pinned_id: str | None = None, *,
                    exclude: Collection[str] = ()) -> AccountLease:
        """Lease the pinned account, or the next free account in round-robin order."""
        now = self._clock()
        if pinned_id is not None:
            account = self._accounts.get(pinned_id)
            if account is None:
                raise AccountNotFound(f"account {pinned_id} is not in the pool")
            if pinned_id in self._disabled:
                raise AccountUnavailable(f"account {pinned_id} is {self._disabled[pinned_id]}")
            until = self._blocked_until(pinned_id, operation, now)
            if until is not None or pinned_id in self._busy:
                raise AccountUnavailable(f"account {pinned_id} is busy or rate limited",
                                         retry_after=(until - now) if until else None)
            return self._lease(account)
        start = next(self._rr)
        waits = []
        for i in range(len(self._order)):
            account_id = self._order[(start + i) % len(self._order)]
            if account_id in self._disabled or account_id in self._busy or account_id in exclude:
                continue
            until = self._blocked_until(account_id, operation, now)
            if until is not None:
                waits.append(until - now)
                continue
            return self._lease(self._accounts[account_id])
        raise AccountUnavailable(f"no account available for {operation}",
                                 retry_after=min(waits) if waits else None)

    async def release(self, lease_id: str, outcome: AccountOutcome) -> None:
        """Return an account; its outcome decides whether and when it is leased again."""
        account_id = self._leases.pop(lease_id, None)
        if account_id is None:
            return
        self._busy.discard(account_id)
        if outcome.kind == "rate_limited" and outcome.operation and outcome.until:
            self._cooldown[(account_id, outcome.operation)] = outcome.until
        elif outcome.kind in ("banned", "locked", "auth_failed"):
            self._disabled[account_id] = outcome.kind

    async def aclose(self) -> None:
        """Nothing to free."""

