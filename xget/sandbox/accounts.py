"""``xget sandbox accounts``: the account service of docs/accounts-and-proxies.md, in memory.

The pool is ``acc-1`` .. ``acc-N`` (plus ``your-account-id``, the seed example's placeholder,
leased only when pinned) with the credentials the sandbox X accepts (derived from the
seed, :func:`xget.sandbox.limits.credentials`). One holder per account; a lease not released
within its TTL is taken back; ``rate_limited`` keeps the account away from that operation until
``until``; ``banned``, ``locked`` and ``auth_failed`` disable it (``POST /v1/accounts/{id}/enable``
or a restart brings it back). Accounts are handed out least recently used first, which spreads
the rate-limit windows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable
from typing import Any

import msgspec

from xget.sandbox.asgi import Receive, Scope, Send, read_body, respond, respond_json, service_preamble
from xget.sandbox.config import SandboxConfig
from xget.sandbox.limits import SEED_EXAMPLE_ACCOUNT, account_ids, credentials

OPERATIONS = frozenset({"UserByScreenName", "UserByRestId", "UserTweets", "UserTweetsAndReplies",
                        "SearchTimeline", "Followers", "Following"})
OUTCOMES = frozenset({"ok", "rate_limited", "banned", "locked", "auth_failed"})
MAX_TTL = 86_400.0


def iso(ts: float) -> str:
    """ISO 8601 UTC with a Z."""
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> float:
    """Seconds since the epoch from an ISO 8601 string (a Z or an offset)."""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    return parsed.timestamp()


class LeaseRequest(msgspec.Struct, forbid_unknown_fields=False):
    operation: str
    account_id: str | None = None
    exclude: list[str] = []
    ttl_seconds: float = 600.0
    holder: str = ""


class ReleaseRequest(msgspec.Struct, forbid_unknown_fields=False):
    outcome: str
    until: str | None = None
    operation: str | None = None
    detail: str | None = None


class Account(msgspec.Struct, kw_only=True):
    """One account's state in the service."""

    id: str
    order: int
    auth_token: str
    ct0: str
    lease_id: str | None = None
    holder: str | None = None
    lease_expires: float = 0.0
    last_used: float = 0.0
    limited_until: dict[str, float] = {}
    disabled: str | None = None
    detail: str | None = None


class ServiceError(Exception):
    """An answer other than success: status and the contract's error body."""

    def __init__(self, status: int, error: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"error": error, "message": message}
        if retry_after is not None:
            self.body["retry_after"] = round(max(0.0, retry_after), 3)


class AccountPool:
    """The accounts and their leases; every method takes the current time from ``clock``."""

    def __init__(self, seed: str, size: int, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.accounts = {}
        for order, acc in enumerate(account_ids(size)):
            token, ct0 = credentials(seed, acc)
            self.accounts[acc] = Account(id=acc, order=order, auth_token=token, ct0=ct0)
        self.leases: dict[str, str] = {}
        self._ids = itertools.count(1)

    def _expire(self, now: float) -> None:
        for lease_id, acc_id in list(self.leases.items()):
            acc = self.accounts[acc_id]
            if acc.lease_expires <= now:
                del self.leases[lease_id]
                acc.lease_id = acc.holder = None

    def _free_at(self, acc: Account, operation: str, now: float) -> float | None:
        """When ``acc`` can serve ``operation`` (now or later); None when disabled."""
        if acc.disabled:
            return None
        at = now
        if acc.lease_id is not None:
            at = max(at, acc.lease_expires)
        return max(at, acc.limited_until.get(operation, 0.0))

    def lease(self, req: LeaseRequest) -> dict[str, Any]:
        """Lease an account (see the contract); raises ServiceError."""
        if req.operation not in OPERATIONS:
            raise ServiceError(400, "bad_request", f"unknown operation {req.operation!r}")
        if not 0 < req.ttl_seconds <= MAX_TTL:
            raise ServiceError(400, "bad_request", "ttl_seconds must be within (0, 86400]")
        now = self.clock()
        self._expire(now)
        if req.account_id is not None:
            acc = self.accounts.get(req.account_id)
            if acc is None:
                raise ServiceError(404, "account_not_found", f"no account {req.account_id}")
            at = self._free_at(acc, req.operation, now)
            if at is None or at > now:
                why = acc.disabled or ("leased" if acc.lease_id else "rate limited")
                raise ServiceError(409, "account_unavailable", f"{acc.id} is {why}",
                                   None if at is None else at - now)
            return self._grant(acc, req, now)
        excluded = set(req.exclude) | {SEED_EXAMPLE_ACCOUNT}  # pinned-only: the pool keeps its size
        free, later = [], []
        for acc in self.accounts.values():
            if acc.id in excluded:
                continue
            at = self._free_at(acc, req.operation, now)
            if at is None:
                continue
            (free if at <= now else later).append((acc.last_used, acc.order, acc.id, at))
        if not free:
            retry = min(row[-1] for row in later) - now if later else None
            raise ServiceError(503, "no_account_available",
                               f"no account can call {req.operation} now", retry)
        return self._grant(self.accounts[min(free)[2]], req, now)

    def _grant(self, acc: Account, req: LeaseRequest, now: float) -> dict[str, Any]:
        lease_id = f"al-{next(self._ids)}"
        acc.lease_id, acc.holder = lease_id, req.holder
        acc.lease_expires = now + req.ttl_seconds
        acc.last_used = now
        self.leases[lease_id] = acc.id
        return {"lease_id": lease_id, "account_id": acc.id, "expires_at": iso(acc.lease_expires),
                "credentials": {"auth_token": acc.auth_token, "ct0": acc.ct0,
                                "bearer_token": None, "user_agent": None}}

    def release(self, lease_id: str, req: ReleaseRequest) -> bool:
        """Release a lease with its outcome; False when the lease is unknown or expired."""
        if req.outcome not in OUTCOMES:
            raise ServiceError(400, "bad_request", f"unknown outcome {req.outcome!r}")
        until = None
        if req.outcome == "rate_limited":
            if not req.until or not req.operation:
                raise ServiceError(400, "bad_request", "rate_limited needs until and operation")
            try:
                until = parse_iso(req.until)
            except ValueError:
                raise ServiceError(400, "bad_request", f"until={req.until!r} is not ISO 8601") from None
        self._expire(self.clock())
        acc_id = self.leases.pop(lease_id, None)
        if acc_id is None:
            return False
        acc = self.accounts[acc_id]
        acc.lease_id = acc.holder = None
        if until is not None and req.operation:
            acc.limited_until[req.operation] = until
        elif req.outcome in ("banned", "locked", "auth_failed"):
            acc.disabled, acc.detail = req.outcome, req.detail
        return True


class AccountService:
    """The ASGI app over an :class:`AccountPool`."""

    def __init__(self, config: SandboxConfig, token: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.pool = AccountPool(config.seed, config.accounts, clock)
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if await service_preamble(scope, receive, send, self.token):
            return
        path, method = scope["path"], scope["method"]
        try:
            if path == "/v1/account-leases" and method == "POST":
                req = msgspec.json.decode(await read_body(receive), type=LeaseRequest)
                await respond_json(send, 201, self.pool.lease(req))
            elif path.startswith("/v1/account-leases/") and path.endswith("/release") and method == "POST":
                lease_id = path[len("/v1/account-leases/"):-len("/release")]
                req_r = msgspec.json.decode(await read_body(receive), type=ReleaseRequest)
                released = self.pool.release(lease_id, req_r)
                await respond(send, 204 if released else 404, b"" if released else
                              b'{"error":"lease_not_found","message":"unknown or expired lease"}')
            elif path == "/v1/accounts" and method == "GET":
                now = self.pool.clock()
                self.pool._expire(now)
                await respond_json(send, 200, {"accounts": [
                    {"id": a.id, "leased": a.lease_id is not None, "holder": a.holder,
                     "disabled": a.disabled, "rate_limited": {op: iso(t) for op, t in a.limited_until.items()
                                                             if t > now}}
                    for a in self.pool.accounts.values()]})
            elif path.startswith("/v1/accounts/") and path.endswith("/enable") and method == "POST":
                acc = self.pool.accounts.get(path[len("/v1/accounts/"):-len("/enable")])
                if acc is None:
                    raise ServiceError(404, "account_not_found", "no such account")
                acc.disabled = acc.detail = None
                acc.limited_until.clear()
                await respond(send, 204)
            else:
                await respond_json(send, 404, {"error": "not_found", "message": f"{method} {path}"})
        except ServiceError as exc:
            await respond_json(send, exc.status, exc.body)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
            await respond_json(send, 400, {"error": "bad_request", "message": str(exc)})
