"""Choose the proxy adapter from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping

from xget.proxies.http import HttpProxyService
from xget.proxies.port import ProxyPort
from xget.proxies.static import StaticProxyPool

ENV_URL = "PROXY_SERVICE_URL"
ENV_TOKEN = "PROXY_SERVICE_TOKEN"
ENV_FILE = "XGET_PROXIES_FILE"


def proxy_port_from_env(env: Mapping[str, str] | None = None) -> ProxyPort:
    """``PROXY_SERVICE_URL`` (HTTP adapter), else ``XGET_PROXIES_FILE``, else direct connections."""
    env = os.environ if env is None else env
    if env.get(ENV_URL):
        return HttpProxyService(env[ENV_URL], token=env.get(ENV_TOKEN) or None)
    if env.get(ENV_FILE):
        return StaticProxyPool.from_file(env[ENV_FILE])
    return StaticProxyPool()
