"""X's rate-limit windows per (account, operation), and the sandbox accounts' credentials.

A window opens at an account's first call of an operation and lasts ``rate_window`` seconds;
each call spends one of ``limit_for(operation)`` requests. Every answer carries
``x-rate-limit-limit/remaining/reset`` like X's; the call past the budget gets 429 / code 88.
With rate limits switched off the headers still come (so the engine's bookkeeping runs) but
nothing is refused.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable

from xget.sandbox.config import SandboxConfig

OFF_LIMIT = 1_000_000


def credentials(seed: str, account_id: str) -> tuple[str, str]:
    """The ``auth_token`` and ``ct0`` cookies of a sandbox account (derived from the seed, so the
    sandbox X and the account service agree without sharing state)."""
    digest = hashlib.blake2b(f"{seed}:{account_id}".encode(), digest_size=36).hexdigest()
    return digest[:40], digest[40:72]


SEED_EXAMPLE_ACCOUNT = "your-account-id"
SEED_EXAMPLE_PROXY = "your-proxy-id"
"""The placeholder ids of the seed's curl example: the sandbox has them too, so the example
pins an account and a proxy that exist and runs exactly as written."""


def account_ids(count: int) -> list[str]:
    """The ids of the sandbox account pool: ``acc-1`` .. ``acc-N`` and the seed example's."""
    return [f"acc-{i}" for i in range(1, count + 1)] + [SEED_EXAMPLE_ACCOUNT]


def proxy_ids(count: int) -> list[str]:
    """The ids of the sandbox proxy pool: ``px-1`` .. ``px-N`` and the seed example's."""
    return [f"px-{i}" for i in range(1, count + 1)] + [SEED_EXAMPLE_PROXY]


class RateLimiter:
    """Windows of every (account, operation) seen so far."""

    def __init__(self, config: SandboxConfig, clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self._windows: dict[tuple[str, str], list[float]] = {}

    def spend(self, account: str, operation: str) -> tuple[bool, list[tuple[bytes, bytes]]]:
        """Spend one request; returns (allowed, the x-rate-limit headers to send)."""
        now = self.clock()
        enforced = self.config.rate_limits
        limit = self.config.limit_for(operation) if enforced else OFF_LIMIT
        window = self._windows.get((account, operation))
        if window is None or now >= window[0]:
            window = self._windows[(account, operation)] = [now + self.config.rate_window, 0]
        allowed = window[1] < limit
        if allowed:
            window[1] += 1
        headers = [(b"x-rate-limit-limit", str(limit).encode()),
                   (b"x-rate-limit-remaining", str(max(0, limit - int(window[1]))).encode()),
                   (b"x-rate-limit-reset", str(math.ceil(window[0])).encode())]
        return allowed, headers

    def reset(self) -> None:
        """Forget every window."""
        self._windows.clear()
