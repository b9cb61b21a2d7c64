"""Proxy adapters: the static list (with direct connections) and the HTTP contract."""

from __future__ import annotations

import json

import httpx
import pytest

from xget.proxies.factory import proxy_port_from_env
from xget.proxies.http import HttpProxyService
from xget.proxies.port import ProxyNotFound, ProxyUnavailable
from xget.proxies.static import StaticProxyPool

PROXIES = [{"id": "p1", "url": "http://u:p@127.0.0.1:8001"},
           {"id": "p2", "url": "http://127.0.0.1:8002"}]


async def test_no_proxies_configured_means_direct_connections():
    pool = proxy_port_from_env({})
    lease = await pool.lease()
    assert (lease.proxy_id, lease.url) == ("direct", None)
    with pytest.raises(ProxyNotFound):
        await pool.lease("p1")


async def test_round_robin_pinning_and_benching_failed_proxies():
    now = [0.0]
    pool = StaticProxyPool(PROXIES, cooldown=30, clock=lambda: now[0])
    first, second = await pool.lease(), await pool.lease()
    assert {first.proxy_id, second.proxy_id} == {"p1", "p2"}
    assert (await pool.lease("p2")).url == "http://127.0.0.1:8002"
    await pool.release(first.lease_id, "failed")
    for _ in range(3):
        assert (await pool.lease()).proxy_id == second.proxy_id
    await pool.release(second.lease_id, "failed")
    with pytest.raises(ProxyUnavailable) as err:
        await pool.lease()
    assert err.value.retry_after == pytest.approx(30)
    now[0] = 31.0
    assert (await pool.lease(exclude={"p1"})).proxy_id == "p2"


def test_proxy_credentials_are_not_printed():
    lease = StaticProxyPool(PROXIES)._lease("p1", PROXIES[0]["url"])
    assert "u:p@" not in repr(lease)


async def test_http_proxy_adapter_follows_the_contract():
    seen = []

    def service(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append((request.url.path, body))
        if request.url.path == "/v1/proxy-leases":
            if body["proxy_id"] == "missing":
                return httpx.Response(404, json={"error": "proxy_not_found"})
            if body["proxy_id"] == "busy":
                return httpx.Response(409, json={"error": "proxy_unavailable"},
                                      headers={"retry-after": "5"})
            return httpx.Response(201, json={"lease_id": "PL1", "proxy_id": "p1",
                                             "url": "http://127.0.0.1:8001"})
        return httpx.Response(204)

    adapter = HttpProxyService("http://proxies.test", transport=httpx.MockTransport(service))
    lease = await adapter.lease()
    assert (lease.lease_id, lease.proxy_id, lease.url) == ("PL1", "p1", "http://127.0.0.1:8001")
    await adapter.release("PL1", "failed", "connect timeout")
    assert seen[1] == ("/v1/proxy-leases/PL1/release", {"outcome": "failed",
                                                         "detail": "connect timeout"})
    with pytest.raises(ProxyNotFound):
        await adapter.lease("missing")
    with pytest.raises(ProxyUnavailable) as err:
        await adapter.lease("busy")
    assert err.value.retry_after == 5
    await adapter.aclose()
