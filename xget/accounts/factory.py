"""Choose the account adapter from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping

from xget.accounts.http import HttpAccountService
from xget.accounts.port import AccountPort
from xget.accounts.static import StaticAccountPool

ENV_URL = "ACCOUNT_SERVICE_URL"
ENV_TOKEN = "ACCOUNT_SERVICE_TOKEN"
ENV_FILE = "XGET_ACCOUNTS_FILE"


def account_port_from_env(env: Mapping[str, str] | None = None) -> AccountPort:
    """``ACCOUNT_SERVICE_URL`` (HTTP adapter) wins over ``XGET_ACCOUNTS_FILE`` (static pool)."""
    env = os.environ if env is None else env
    if env.get(ENV_URL):
        return HttpAccountService(env[ENV_URL], token=env.get(ENV_TOKEN) or None)
    if env.get(ENV_FILE):
        return StaticAccountPool.from_file(env[ENV_FILE])
    raise RuntimeError(f"no account source: set {ENV_URL} or {ENV_FILE}")
