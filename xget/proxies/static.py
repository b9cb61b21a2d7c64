"""A static proxy list read from a JSON file, for standalone use (no proxy service).

File shape: ``{"proxies": [{"id": "p1", "url": "http://user:pass@host:port"}]}``. An empty list
(or no file) means direct connections: every lease is ``proxy_id="direct"``, ``url=None``.
Proxies are shared (many leases at once) and handed out round-robin; a ``failed`` release
benches a proxy for ``cooldown`` seconds.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import msgspec

from xget.proxies.port import ProxyLease, ProxyNotFound, ProxyOutcome, ProxyUnavailable

DIRECT = "direct"


class _Proxy(msgspec.Struct, kw_only=True):
    id: str
    url: str


class _ProxyFile(msgspec.Struct):
    proxies: list[_Proxy] = []


class StaticProxyPool:
    """The proxy port over a fixed list of proxy URLs."""

    def __init__(self, proxies: list[dict[str, Any]] | list[_Proxy] = (), *, cooldown: float = 60.0,
                 clock: Callable[[], float] = time.time) -> None:
        self._proxies = {p.id: p for p in msgspec.convert(list(proxies), list[_Proxy])}
        self._order = list(self._proxies)
        self._cooldown = cooldown
        self._clock = clock
        self._benched: dict[str, float] = {}
        self._leases: dict[str, str] = {}
        self._rr = itertools.count()

    @classmethod
    def from_file(cls, path: str | Path) -> StaticProxyPool:
        """Load the list from a JSON file (see the module docstring for its shape)."""
        return cls(msgspec.json.decode(Path(path).read_bytes(), type=_ProxyFile).proxies)

    def _lease(self, proxy_id: str, url: str | None) -> ProxyLease:
        lease_id = uuid.uuid4().hex
        self._leases[lease_id] = proxy_id
        return ProxyLease(lease_id=lease_id, proxy_id=proxy_id, url=url)

    async def lease(self, pinned_id: str | None = None, *,
                    exclude: Collection[str] = ()) -> ProxyLease:
        """Lease the pinned proxy, the next healthy one, or a direct connection if none are set."""
        if not self._proxies:
            if pinned_id not in (None, DIRECT):
                raise ProxyNotFound(f"proxy {pinned_id} is not configured")
            return self._lease(DIRECT, None)
        now = self._clock()
        if pinned_id is not None:
            proxy = self._proxies.get(pinned_id)
            if proxy is None:
                raise ProxyNotFound(f"proxy {pinned_id} is not configured")
            return self._lease(proxy.id, proxy.url)
        start = next(self._rr)
        waits = []
        for i in range(len(self._order)):
            proxy = self._proxies[self._order[(start + i) % len(self._order)]]
            if proxy.id in exclude:
                continue
            until = self._benched.get(proxy.id, 0.0)
            if until > now:
                waits.append(until - now)
                continue
            return self._lease(proxy.id, proxy.url)
        raise ProxyUnavailable("no proxy available", retry_after=min(waits) if waits else None)

    async def release(self, lease_id: str, outcome: ProxyOutcome, detail: str | None = None) -> None:
        """Return a proxy; a failure benches it for the cooldown."""
        proxy_id = self._leases.pop(lease_id, None)
        if proxy_id is not None and outcome == "failed" and proxy_id != DIRECT:
            self._benched[proxy_id] = self._clock() + self._cooldown

    async def aclose(self) -> None:
        """Nothing to free."""
