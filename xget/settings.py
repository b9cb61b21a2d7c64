"""Settings read from the environment (the seed's variables plus a few of XGet's own).

Every variable has a local default that works with ``make up``; pointing one at an external
service (a real MongoDB, a Kafka cluster) is configuration only. Invalid values fail at start
with a :class:`SettingsError` naming the variable.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Callable
from urllib.parse import urlsplit


class SettingsError(ValueError):
    """An environment variable holds a value XGet cannot use; the message names the variable."""


def _url(schemes: tuple[str, ...]) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        parts = urlsplit(raw)
        if parts.scheme not in schemes or not parts.netloc:
            raise SettingsError(f"{name}={raw!r} is not a URL with scheme {' or '.join(schemes)}")
        return raw

    return parse


def _optional_url(schemes: tuple[str, ...]) -> Callable[[str, str], str | None]:
    parse = _url(schemes)

    def optional(name: str, raw: str) -> str | None:
        return parse(name, raw) if raw.strip() else None

    return optional


def _int(lo: int, hi: int) -> Callable[[str, str], int]:
    def parse(name: str, raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw!r} is not an integer") from None
        if not lo <= value <= hi:
            raise SettingsError(f"{name}={value} is out of range [{lo}, {hi}]")
        return value

    return parse


def _float(lo: float, hi: float) -> Callable[[str, str], float]:
    def parse(name: str, raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{name}={raw!r} is not a number") from None
        if not lo <= value <= hi:
            raise SettingsError(f"{name}={value} is out of range [{lo}, {hi}]")
        return value

    return parse


def _bool(name: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean (use true or false)")


def _auto_bool(name: str, raw: str) -> bool | None:
    """A boolean, or None for ``auto`` (the default depends on other settings)."""
    return None if raw.strip().lower() in ("", "auto") else _bool(name, raw)


def _choice(*allowed: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        if raw not in allowed:
            raise SettingsError(f"{name}={raw!r} must be one of: {', '.join(allowed)}")
        return raw

    return parse


def _text(name: str, raw: str) -> str:
    if not raw.strip():
        raise SettingsError(f"{name} must not be empty")
    return raw


def _optional_text(name: str, raw: str) -> str | None:
    return raw or None


def _topic(name: str, raw: str) -> str:
    if not raw or len(raw) > 249 or not all(c.isalnum() or c in "._-" for c in raw):
        raise SettingsError(f"{name}={raw!r} is not a valid Kafka topic name ([a-zA-Z0-9._-], 1-249 chars)")
    return raw


def _bootstrap(name: str, raw: str) -> str:
    for server in raw.split(","):
        host, _, port = server.strip().rpartition(":")
        if not host or not port.isdigit():
            raise SettingsError(f"{name}={raw!r}: each server must be host:port")
    return raw


def _env(var: str, default: str, parse: Callable[[str, str], Any]) -> Any:
    return field(default=None, metadata={"var": var, "default": default, "parse": parse})


@dataclass(frozen=True, slots=True)
class Settings:
    """All configuration of an XGet process. Build it with :meth:`from_env`."""

    postgres_server: str = _env("POSTGRES_SERVER", "127.0.0.1", _text)
    postgres_port: int = _env("POSTGRES_PORT", "5432", _int(1, 65535))
    postgres_user: str = _env("POSTGRES_USER", "xget", _text)
    postgres_password: str = _env("POSTGRES_PASSWORD", "xget", _optional_text)
    postgres_db: str = _env("POSTGRES_DB", "xget", _text)
    postgres_pool_size: int = _env("XGET_POSTGRES_POOL_SIZE", "10", _int(1, 200))
    mongodb_url: str = _env(
        "MONGODB_URL", "mongodb://127.0.0.1:27017/xget?directConnection=true", _url(("mongodb", "mongodb+srv"))
    )
    kafka_bootstrap_servers: str = _env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", _bootstrap)
    kafka_topic_tasks: str = _env("KAFKA_TOPIC_TASKS", "xget.task-events", _topic)
    kafka_topic_results: str = _env("KAFKA_TOPIC_RESULTS", "xget.results", _topic)
    kafka_partitions: int = _env("XGET_KAFKA_PARTITIONS", "12", _int(1, 1000))
    kafka_replication_factor: int = _env("XGET_KAFKA_REPLICATION_FACTOR", "1", _int(1, 10))
    redis_url: str | None = _env("REDIS_URL", "", _optional_url(("redis", "rediss", "unix")))
    account_service_url: str | None = _env("ACCOUNT_SERVICE_URL", "", _optional_url(("http", "https")))
    proxy_service_url: str | None = _env("PROXY_SERVICE_URL", "", _optional_url(("http", "https")))
    api_host: str = _env("XGET_API_HOST", "127.0.0.1", _text)
    api_port: int = _env("XGET_API_PORT", "8003", _int(1, 65535))
    auth_mode: str = _env("XGET_AUTH_MODE", "none", _choice("none", "api_key"))
    allow_insecure_bind: bool = _env("XGET_ALLOW_INSECURE_BIND", "false", _bool)
    webhooks_allow_private: bool | None = _env("XGET_WEBHOOKS_ALLOW_PRIVATE", "auto", _auto_bool)
    allowed_hosts_raw: str = _env("XGET_ALLOWED_HOSTS", "auto", _text)
    read_your_writes_timeout: float = _env("XGET_READ_YOUR_WRITES_TIMEOUT", "5", _float(0, 60))
    results_layout: str = _env("XGET_RESULTS_LAYOUT", "auto", _choice("auto", "shared", "per_task"))
    worker_concurrency: int = _env("XGET_WORKER_CONCURRENCY", "8", _int(1, 1000))
    worker_lease_seconds: float = _env("XGET_WORKER_LEASE_SECONDS", "15", _float(2, 3600))
    worker_id: str | None = _env("XGET_WORKER_ID", "", _optional_text)
    worker_group: str | None = _env("XGET_WORKER_GROUP", "", _optional_text)
    log_level: str = _env("XGET_LOG_LEVEL", "INFO", _choice("DEBUG", "INFO", "WARNING", "ERROR"))
    log_format: str = _env("XGET_LOG_FORMAT", "json", _choice("json", "text"))
    access_log: bool = _env("XGET_ACCESS_LOG", "true", _bool)
    metrics_port: int = _env("XGET_METRICS_PORT", "0", _int(0, 65535))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> "Settings":
        """Read every setting from ``environ`` (default ``os.environ``); ``overrides`` win."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in overrides:
                values[f.name] = overrides[f.name]
                continue
            meta = f.metadata
            raw = env.get(meta["var"], meta["default"])
            values[f.name] = meta["parse"](meta["var"], raw)
        settings = cls(**values)
        settings._check()
        return settings

    @staticmethod
    def variables() -> list[tuple[str, str, str]]:
        """(variable, default, field name) for every setting, for docs and ``xget config``."""
        return [(f.metadata["var"], f.metadata["default"], f.name) for f in fields(Settings)]

    def _check(self) -> None:
        host, _, port = self.postgres_server.rpartition(":")
        if host and port.isdigit():
            # POSTGRES_SERVER may carry the port ("db:5433"), as many deployments write it.
            object.__setattr__(self, "postgres_server", host)
            object.__setattr__(self, "postgres_port", int(port))

    def check_api_bind(self) -> None:
        """Refuse to serve without authentication on an address other machines can reach."""
        if self.auth_mode == "none" and not self.allow_insecure_bind and not is_loopback(self.api_host):
            raise SettingsError(
                f"XGET_API_HOST={self.api_host!r} is not a loopback address and XGET_AUTH_MODE=none: "
                "set XGET_AUTH_MODE=api_key, or XGET_ALLOW_INSECURE_BIND=true to accept anyone as any user"
            )

    @property
    def allowed_hosts(self) -> frozenset[str] | None:
        """Host names the API answers to (``Host`` header), or None for any (XGET_ALLOWED_HOSTS;
        auto: without authentication only this machine's names, so a web page that rebinds its
        own name to 127.0.0.1 cannot read the API; with API keys any)."""
        raw = self.allowed_hosts_raw.strip()
        if raw == "*" or (raw == "auto" and self.auth_mode != "none"):
            return None
        names = {"localhost", "127.0.0.1", "::1"}
        if raw == "auto":
            if self.api_host not in ("0.0.0.0", "::", ""):
                names.add(self.api_host.strip("[]").lower())
        else:
            names |= self.listed_hosts
        return frozenset(names)

    @property
    def listed_hosts(self) -> frozenset[str]:
        """The names XGET_ALLOWED_HOSTS lists explicitly (none for auto and *): the public names of
        a reverse proxy in front of the API, whose pages may also change things."""
        raw = self.allowed_hosts_raw.strip()
        if raw in ("auto", "*"):
            return frozenset()
        return frozenset(n.strip().strip("[]").lower() for n in raw.split(",") if n.strip())

    @property
    def allow_private_webhooks(self) -> bool:
        """Whether webhooks may target loopback, private and link-local addresses
        (XGET_WEBHOOKS_ALLOW_PRIVATE; auto: yes without authentication, no with API keys)."""
        if self.webhooks_allow_private is None:
            return self.auth_mode == "none"
        return self.webhooks_allow_private

    @property
    def postgres_dsn(self) -> str:
        """asyncpg DSN of the service database."""
        return self.dsn_for(self.postgres_db)

    def dsn_for(self, database: str) -> str:
        """asyncpg DSN of ``database`` on the configured server."""
        from urllib.parse import quote

        auth = quote(self.postgres_user, safe="")
        if self.postgres_password:
            auth += ":" + quote(self.postgres_password, safe="")
        return f"postgresql://{auth}@{self.postgres_server}:{self.postgres_port}/{quote(database, safe='')}"

    @property
    def mongodb_database(self) -> str:
        """Database named in MONGODB_URL's path, ``xget`` when it names none."""
        name = urlsplit(self.mongodb_url).path.lstrip("/")
        return name or "xget"

    def redacted(self) -> dict[str, Any]:
        """Settings with secrets masked, for logs and ``xget config``."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.metadata["var"]] = "***" if "password" in f.name and value else value
        return out


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
