"""The sandbox's knobs: one Struct read from ``XGET_SANDBOX_*`` variables, changeable at run time.

Every knob has an environment variable (the table in docs/sandbox.md) and can be changed on a
running sandbox X with ``POST /_sandbox/config`` (a JSON object of field names), which is how
tests and demos adjust rate limits and fault rates without a restart. Fields under
:data:`WORLD_FIELDS` define the synthetic world; changing one rebuilds it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from xget.timeutil import parse_utc

# X's own 15-minute budgets for these operations (requests per window and account).
X_RATE_LIMITS: dict[str, int] = {
    "UserByScreenName": 95,
    "UserByRestId": 500,
    "UserTweets": 50,
    "UserTweetsAndReplies": 50,
    "SearchTimeline": 50,
    "Followers": 50,
    "Following": 50,
}

REALISM_FIELDS = ("visibility_rate", "views_hidden_rate", "escape_rate", "tombstone_rate",
                  "unavailable_rate", "promoted_rate")
WORLD_FIELDS = frozenset({"seed", "users", "now", "suspended_users", "protected_users",
                          "suspended_rate", "protected_rate", *REALISM_FIELDS})


class ConfigError(ValueError):
    """A knob has a value the sandbox cannot use; the message names the variable or field."""


class SandboxConfig(msgspec.Struct, kw_only=True):
    """Every knob of the sandbox X, account and proxy services (see docs/sandbox.md)."""

    # the world
    seed: str = "xget"
    users: int = 12_000
    now: str = "2026-08-01T00:00:00Z"
    suspended_users: list[str] = []
    protected_users: list[str] = []
    suspended_rate: float = 0.005
    protected_rate: float = 0.01
    # realism: X's odd items at seeded rates, all off by default (xget/sandbox/realism.py)
    visibility_rate: float = 0.0
    """Share of tweet results wrapped in ``TweetWithVisibilityResults``."""
    views_hidden_rate: float = 0.0
    """Share of tweets whose ``views`` has no count."""
    escape_rate: float = 0.0
    """Share of posts whose text gains a phrase with ``& < >`` (``full_text`` HTML-escaped)."""
    tombstone_rate: float = 0.0
    """Per served tweet, chance of an extra ``TweetTombstone`` entry before it."""
    unavailable_rate: float = 0.0
    """Per served tweet, chance of an extra ``TweetUnavailable`` (or empty) entry before it."""
    promoted_rate: float = 0.0
    """Per served tweet, chance of an extra promoted entry before it."""
    # the API
    base_path: str = "/i/api/graphql"
    page_size: int = 0
    """0: honour the request's ``count`` (X's 20 from the engine); N: always serve N items."""
    max_page_size: int = 100
    modules: bool = True
    """Who-to-follow and people modules on first pages, as X injects them."""
    check_bearer: bool = True
    denylisted_terms: list[str] = msgspec.field(default_factory=lambda: ["denylisted"])
    # rate limits
    rate_limits: bool = True
    rate_window: float = 900.0
    rate_limit: dict[str, int] = {}
    """Per-operation overrides of :data:`X_RATE_LIMITS`."""
    # accounts X knows (credentials derive from the seed) and their states
    accounts: int = 20
    suspended_accounts: list[str] = []
    locked_accounts: list[str] = []
    logged_out_accounts: list[str] = []
    # faults
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 30.0
    slow_rate: float = 0.0
    slow_seconds: float = 1.0
    latency_ms: float = 0.0
    # the proxy service
    proxies: int = 10
    proxy_mode: str = "forward"
    proxy_fail_rate: float = 0.0
    proxy_fail: dict[str, float] = {}
    proxy_bench_seconds: float = 60.0

    def limit_for(self, operation: str) -> int:
        """Requests per window and account for ``operation``."""
        return self.rate_limit.get(operation, X_RATE_LIMITS.get(operation, 50))

    def anchor(self) -> int:
        """The world's "now" as unix seconds (the newest tweets are just before it)."""
        return parse_instant(self.now, "now")

    def check(self) -> SandboxConfig:
        """Validate the values that types alone do not; returns self."""
        if self.users < 100:
            raise ConfigError("users must be at least 100")
        if not 1 <= self.max_page_size <= 1000 or not 0 <= self.page_size <= 1000:
            raise ConfigError("page sizes must be within 0..1000")
        for name in (f for f in self.__struct_fields__ if f.endswith("_rate")):  # every share or chance
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ConfigError(f"{name} must be within 0..1")
        if self.proxy_mode not in ("forward", "direct"):
            raise ConfigError("proxy_mode must be forward or direct")
        if self.rate_window <= 0:
            raise ConfigError("rate_window must be positive")
        self.anchor()
        return self

    def updated(self, patch: Mapping[str, Any]) -> SandboxConfig:
        """A copy with ``patch`` applied (field names as keys); raises ConfigError."""
        unknown = set(patch) - set(self.__struct_fields__)
        if unknown:
            raise ConfigError(f"unknown knob(s): {', '.join(sorted(unknown))}")
        merged = {**msgspec.to_builtins(self), **patch}
        try:
            return msgspec.convert(merged, SandboxConfig).check()
        except msgspec.ValidationError as exc:
            raise ConfigError(str(exc)) from None


def parse_instant(raw: str, name: str) -> int:
    """``2026-08-01``, ``2026-08-01T12:00:00Z`` or with an offset, as unix seconds (UTC)."""
    try:
        return int(parse_utc(raw).timestamp())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an ISO date or time") from None


def _list(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()]


def _pairs(cast: Callable[[str], Any]) -> Callable[[str], dict[str, Any]]:
    def parse(raw: str) -> dict[str, Any]:
        out = {}
        for part in _list(raw):
            key, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"{part!r} is not NAME=VALUE")
            out[key.strip()] = cast(value.strip())
        return out

    return parse


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("not a boolean (on/off)")


_PARSERS: dict[type, Callable[[str], Any]] = {str: str.strip, int: int, float: float, bool: _bool}


def _parser(field: str, annotation: Any) -> Callable[[str], Any]:
    if field == "rate_limit":
        return _pairs(int)
    if field == "proxy_fail":
        return _pairs(float)
    if annotation == list[str]:
        return _list
    return _PARSERS[annotation]


def env_name(field: str) -> str:
    """The environment variable of a knob: ``XGET_SANDBOX_<FIELD>``."""
    return f"XGET_SANDBOX_{field.upper()}"


def config_from_env(env: Mapping[str, str], **overrides: Any) -> SandboxConfig:
    """Read every knob from ``XGET_SANDBOX_<FIELD>`` variables; ``overrides`` (fields) win."""
    values: dict[str, Any] = {}
    hints = {f.name: f.type for f in msgspec.structs.fields(SandboxConfig)}
    for field, annotation in hints.items():
        raw = env.get(env_name(field))
        if raw is None or not raw.strip():
            continue
        try:
            values[field] = _parser(field, annotation)(raw)
        except (ValueError, KeyError) as exc:
            raise ConfigError(f"{env_name(field)}={raw!r}: {exc}") from None
    values.update(overrides)
    return SandboxConfig().updated(values)
