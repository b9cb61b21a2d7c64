"""Webhook signatures: ``X-XGet-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>``.

The MAC covers ``f"{t}.{body}"`` with the webhook's secret as key, so a receiver checks both that
the body came from XGet and when it was signed (and refuses old ones: a captured request cannot be
replayed later). ``v1`` names the scheme, so another can be added beside it without breaking
receivers. Receivers in Python can use :func:`verify_signature` as it is (docs/webhooks.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

DEFAULT_TOLERANCE = 300
"""Seconds a signature stays acceptable (clock skew plus transit)."""


def new_secret() -> str:
    """A random secret for a webhook registered without one (256 bits)."""
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``f"{timestamp}.{body}"`` under ``secret``."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The ``X-XGet-Signature`` value for ``body`` signed now (or at ``timestamp``)."""
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={sign(secret, t, body)}"


def verify_signature(secret: str, header: str, body: bytes, tolerance: float = DEFAULT_TOLERANCE,
                     now: float | None = None) -> bool:
    """Whether ``header`` (an ``X-XGet-Signature`` value) signs ``body`` under ``secret`` within
    ``tolerance`` seconds of ``now``. Constant-time comparison; any malformed header is False."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            return False
        if key == "t":
            if not value.isdigit():
                return False
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
