"""Where the sandbox listens by default, and the engine environment that points at it.

This module is imported by the X runtime (``xget.x.runtime``), so it stays free of the
sandbox's heavier modules: only constants and environment arithmetic.

The sandbox is the embedded default when no real X is configured: when none of
``XGET_X_BASE_URL``, ``ACCOUNT_SERVICE_URL`` and ``XGET_ACCOUNTS_FILE`` is set (and
``XGET_SANDBOX`` is not ``off``), the engine talks to the sandbox X, account and proxy services
on their default ports. Setting an account source switches to real X (or to whatever
``XGET_X_BASE_URL`` names).
"""

from __future__ import annotations

from collections.abc import Mapping

ENV_SWITCH = "XGET_SANDBOX"
ENV_HOST = "XGET_SANDBOX_HOST"
ENV_X_PORT = "XGET_SANDBOX_X_PORT"
ENV_ACCOUNTS_PORT = "XGET_SANDBOX_ACCOUNTS_PORT"
ENV_PROXIES_PORT = "XGET_SANDBOX_PROXIES_PORT"
ENV_FORWARD_PORT = "XGET_SANDBOX_FORWARD_PORT"
ENV_BASE_PATH = "XGET_SANDBOX_BASE_PATH"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_X_PORT = 8010
DEFAULT_ACCOUNTS_PORT = 8011
DEFAULT_PROXIES_PORT = 8012
DEFAULT_FORWARD_PORT = 8013
DEFAULT_BASE_PATH = "/i/api/graphql"

_REAL_X_MARKERS = ("XGET_X_BASE_URL", "ACCOUNT_SERVICE_URL", "XGET_ACCOUNTS_FILE")


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name) or ""
    return int(raw) if raw.strip() else default


def sandbox_urls(env: Mapping[str, str]) -> dict[str, str]:
    """The sandbox's X base URL and service URLs for this environment's host and ports."""
    host = env.get(ENV_HOST) or DEFAULT_HOST
    base_path = "/" + (env.get(ENV_BASE_PATH) or DEFAULT_BASE_PATH).strip("/")
    return {
        "XGET_X_BASE_URL": f"http://{host}:{_port(env, ENV_X_PORT, DEFAULT_X_PORT)}{base_path}",
        "ACCOUNT_SERVICE_URL": f"http://{host}:{_port(env, ENV_ACCOUNTS_PORT, DEFAULT_ACCOUNTS_PORT)}",
        "PROXY_SERVICE_URL": f"http://{host}:{_port(env, ENV_PROXIES_PORT, DEFAULT_PROXIES_PORT)}",
    }


def uses_sandbox(env: Mapping[str, str]) -> bool:
    """True when no real X is configured and the sandbox default is not switched off."""
    if (env.get(ENV_SWITCH) or "").strip().lower() in ("off", "false", "0", "no"):
        return False
    return not any(env.get(name) for name in _REAL_X_MARKERS)


def engine_env(env: Mapping[str, str]) -> Mapping[str, str]:
    """``env`` completed with the sandbox URLs when :func:`uses_sandbox`; else ``env`` as is.

    Only unset (or empty) variables are filled: a configured ``PROXY_SERVICE_URL`` or
    ``XGET_PROXIES_FILE`` is kept.
    """
    if not uses_sandbox(env):
        return env
    out = dict(env)
    urls = sandbox_urls(env)
    out["XGET_X_BASE_URL"] = urls["XGET_X_BASE_URL"]
    out["ACCOUNT_SERVICE_URL"] = urls["ACCOUNT_SERVICE_URL"]
    if not env.get("PROXY_SERVICE_URL") and not env.get("XGET_PROXIES_FILE"):
        out["PROXY_SERVICE_URL"] = urls["PROXY_SERVICE_URL"]
    return out
