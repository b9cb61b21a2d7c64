"""The account port: lease an X account for an operation, release it with an outcome."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal, Protocol

import msgspec

OutcomeKind = Literal["ok", "rate_limited", "banned", "locked", "auth_failed"]
OUTCOMES: tuple[str, ...] = ("ok", "rate_limited", "banned", "locked", "auth_failed")


class Credentials(msgspec.Struct, frozen=True, kw_only=True):
    """What the web client needs to act as the account: the ``auth_token`` and ``ct0`` cookies,
    and optionally a bearer token or user agent that override the configured ones."""

    auth_token: str
    ct0: str
    bearer_token: str | None = None
    user_agent: str | None = None

    def __repr__(self) -> str:  # never print secrets in logs
        return "Credentials(<redacted>)"


class AccountLease(msgspec.Struct, frozen=True, kw_only=True):
    """One account handed to one holder until released (or until ``expires_at``)."""

    lease_id: str
    account_id: str
    credentials: Credentials
    expires_at: str | None = None


class AccountOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """How the account fared: ``ok``, ``rate_limited`` (with ``until``, unix seconds),
    ``banned`` (suspended), ``locked`` or ``auth_failed``; ``operation`` scopes a rate limit."""

    kind: OutcomeKind
    until: float | None = None
    operation: str | None = None
    detail: str | None = None

    @classmethod
    def ok(cls) -> AccountOutcome:
        """The account worked."""
        return cls(kind="ok")

    @classmethod
    def rate_limited(cls, until: float | None, operation: str | None = None) -> AccountOutcome:
        """The account may not call ``operation`` again before ``until``."""
        return cls(kind="rate_limited", until=until, operation=operation)

    @classmethod
    def banned(cls, detail: str | None = None) -> AccountOutcome:
        """X suspended the account."""
        return cls(kind="banned", detail=detail)

    @classmethod
    def locked(cls, detail: str | None = None) -> AccountOutcome:
        """X locked the account until a challenge is solved."""
        return cls(kind="locked", detail=detail)

    @classmethod
    def auth_failed(cls, detail: str | None = None) -> AccountOutcome:
        """The account's cookies were refused."""
        return cls(kind="auth_failed", detail=detail)


class AccountUnavailable(Exception):
    """No account can be leased now; ``retry_after`` (seconds) says when one may be, if known."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccountNotFound(Exception):
    """The pinned account id does not exist (a task error, not worth waiting for)."""


class AccountServiceError(Exception):
    """The account service failed or answered something outside the contract."""


class AccountPort(Protocol):
    """Where the engine gets X accounts from."""

    async def lease(self, operation: str, pinned_id: str | None = None, *,
                    exclude: Collection[str] = ()) -> AccountLease:
        """Lease an account usable for ``operation``: ``pinned_id`` if given, else any account
        not in ``exclude``. Raises AccountUnavailable, AccountNotFound or AccountServiceError."""
        ...

    async def release(self, lease_id: str, outcome: AccountOutcome) -> None:
        """Return a leased account with what happened to it. Releasing twice is harmless."""
        ...

    async def aclose(self) -> None:
        """Free the adapter's resources."""
        ...
