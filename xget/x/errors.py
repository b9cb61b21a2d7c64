"""Typed errors for everything X can answer besides data, and what each one implies.

Every class has a stable ``code`` (stored by the worker in ExecutionFailed) and two policy flags:
``retryable`` (another attempt, possibly with another account or proxy, can succeed) and
``blames`` (``"account"``, ``"proxy"``, ``"target"``, ``"request"`` or ``"config"``), which the
session uses to decide what to rotate and with which outcome to release a lease.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar


class XError(Exception):
    """Base class of every error the X engine raises."""

    code: ClassVar[str] = "x_error"
    retryable: ClassVar[bool] = False
    blames: ClassVar[str] = "request"

    def __init__(self, message: str, *, x_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.x_code = x_code
        self.rate_limit: Any = None
        """The x-rate-limit-* window of the response that raised this, when there was one."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description: code, class name and message."""
        return {"code": self.code, "error": type(self).__name__, "message": self.message}


class RateLimited(XError):
    """The account has exhausted this operation's window (HTTP 429 or X code 88)."""

    code = "rate_limited"
    retryable = True
    blames = "account"

    def __init__(self, message: str = "rate limited", *, reset_at: float | None = None,
                 x_code: int | None = None) -> None:
        super().__init__(message, x_code=x_code)
        self.reset_at = reset_at
        """Unix time (seconds) when the window resets, when X said so."""


class AuthFailed(XError):
    """The account's cookies are invalid or expired (HTTP 401, X code 32/89/239)."""

    code = "auth_failed"
    retryable = True
    blames = "account"


class AccountSuspended(XError):
    """The account used for the request is suspended (X code 64 or 37)."""

    code = "account_suspended"
    retryable = True
    blames = "account"


class AccountLocked(XError):
    """The account is locked until a challenge is solved (X code 326)."""

    code = "account_locked"
    retryable = True
    blames = "account"


class TargetNotFound(XError):
    """The requested user or tweet does not exist. The task fails; retrying cannot help."""

    code = "target_not_found"
    blames = "target"


class TargetSuspended(XError):
    """The requested user is suspended. The task fails; retrying cannot help."""

    code = "target_suspended"
    blames = "target"


class TargetProtected(XError):
    """The requested user's posts are protected and the account does not follow them."""

    code = "target_protected"
    blames = "target"


class BadRequest(XError):
    """X rejected the request itself (code 214: empty, too long or denylisted search query)."""

    code = "bad_request"
    blames = "request"


class OperationOutdated(XError):
    """X no longer serves this query id (404 on the operation): the operations config is stale."""

    code = "operation_outdated"
    blames = "config"

    def __init__(self, operation: str, config: str) -> None:
        super().__init__(
            f"operation {operation} is outdated: X answered 404 for its query id; update the "
            f"query id and features of {operation} in {config} (or set XGET_X_OPERATIONS_FILE)"
        )
        self.operation = operation
        self.config = config


class Transient(XError):
    """A failure another attempt (on another proxy) can get past: 5xx, timeout, proxy error."""

    code = "transient"
    retryable = True
    blames = "proxy"

    def __init__(self, message: str, *, status: int | None = None, x_code: int | None = None) -> None:
        super().__init__(message, x_code=x_code)
        self.status = status


class TransactionIdUnavailable(XError):
    """The x-client-transaction-id provider could not produce an id."""

    code = "transaction_id_unavailable"
    blames = "config"


class NoAccountAvailable(XError):
    """No account could serve the operation before the task's deadline."""

    code = "no_account_available"
    retryable = True
    blames = "account"


class LeaseServiceUnavailable(XError):
    """The account or proxy service failed or could not be reached: retried with backoff until
    the task's deadline, since the service (not the task) is at fault."""

    code = "lease_service_unavailable"
    retryable = True
    blames = "service"


class NotXResponse(XError):
    """The payload is not an X GraphQL response this engine knows how to read."""

    code = "not_x_response"


class UnexpectedResponse(XError):
    """X answered with an error this engine does not classify."""

    code = "unexpected_response"


# X's numeric error codes; the names of the classes say why each is grouped as it is.
_CODE_MAP: dict[int, type[XError]] = {
    88: RateLimited,
    32: AuthFailed,
    89: AuthFailed,
    239: AuthFailed,
    64: AccountSuspended,
    37: AccountSuspended,
    326: AccountLocked,
    50: TargetNotFound,
    144: TargetNotFound,
    63: TargetSuspended,
    179: TargetProtected,
    214: BadRequest,
    0: Transient,
    29: Transient,
    130: Transient,
    131: Transient,
}


def error_from_x_errors(errors: Sequence[Mapping[str, Any]]) -> XError:
    """Turn the ``errors`` array of an X response into the most meaningful typed error.

    The first entry whose code is known wins; an entry named ``TimeoutError`` or
    ``DeadlineExceeded`` is transient; anything else becomes :class:`UnexpectedResponse`.
    """
    first_message = "X returned an error"
    for item in errors:
        message = str(item.get("message") or item.get("name") or first_message)
        if first_message == "X returned an error":
            first_message = message
        code = item.get("code")
        if code is None and isinstance(item.get("extensions"), Mapping):
            code = item["extensions"].get("code")
        cls = _CODE_MAP.get(code) if isinstance(code, int) else None
        if cls is None and item.get("name") in ("TimeoutError", "DeadlineExceeded"):
            cls = Transient
        if cls is RateLimited:
            return RateLimited(message, x_code=code)
        if cls is not None:
            return cls(message, x_code=code)
    return UnexpectedResponse(first_message)
