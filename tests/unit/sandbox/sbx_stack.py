"""The sandbox X, account service, proxy service and forward proxy on ephemeral ports, in the
test's event loop, for the length of an ``async with`` block."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from xget.sandbox.accounts import AccountService
from xget.sandbox.config import SandboxConfig
from xget.sandbox.proxies import ForwardProxy, ProxyPool, ProxyService
from xget.sandbox.serve import Served, bind, running
from xget.sandbox.xapp import SandboxX
from xget.x.runtime import XRuntime


class Stack:
    """Handles on the running apps and the engine environment that points at them."""

    def __init__(self, x: SandboxX, x_url: str, accounts: AccountService, accounts_url: str,
                 proxies: ProxyService, proxies_url: str, forward: ForwardProxy) -> None:
        self.x, self.x_url = x, x_url
        self.accounts, self.accounts_url = accounts, accounts_url
        self.proxies, self.proxies_url = proxies, proxies_url
        self.forward = forward

    def env(self, *, proxies: bool = True, **extra: str) -> dict[str, str]:
        """The environment for ``XRuntime.from_env``."""
        env = {"XGET_X_BASE_URL": f"{self.x_url}/i/api/graphql", "ACCOUNT_SERVICE_URL": self.accounts_url}
        if proxies:
            env["PROXY_SERVICE_URL"] = self.proxies_url
        env.update(extra)
        return env

    def runtime(self, *, proxies: bool = True, **client: Any) -> XRuntime:
        """An engine runtime on this stack; ``client`` overrides XClient attributes (retries...)."""
        rt = XRuntime.from_env(self.env(proxies=proxies))
        for name, value in client.items():
            setattr(rt.client, name, value)
        return rt


@contextlib.asynccontextmanager
async def sandbox_stack(**knobs: Any) -> AsyncIterator[Stack]:
    """Start everything with ``knobs`` applied to the default configuration."""
    config = SandboxConfig().updated(knobs)
    forward = ForwardProxy(config)
    fsock = bind("127.0.0.1", 0)
    fserved = Served(forward, fsock)
    await fserved.start()
    x_app = SandboxX(config)
    accounts = AccountService(config)
    proxies = ProxyService(ProxyPool(config, fserved.url))
    try:
        async with running(x_app) as xs, running(accounts) as acs, running(proxies) as pxs:
            yield Stack(x_app, xs.url, accounts, acs.url, proxies, pxs.url, forward)
    finally:
        await fserved.stop()
        await forward.aclose()
