"""``xget sandbox proxies``: the proxy service of docs/accounts-and-proxies.md, plus a tiny
forward HTTP proxy so the engine's proxy rotation runs for real.

In ``forward`` mode (the default) every proxy ``px-N`` is a credential of one forward proxy
(``http://px-N:<secret>@host:8013``); it relays absolute-form HTTP requests (plain ``http://``
targets such as the sandbox X; no CONNECT) and fails a configurable share of them with 502, per
proxy (``proxy_fail``) or for all (``proxy_fail_rate``). In ``direct`` mode leases carry
``url: null``. A proxy may be leased by many holders at once; a ``failed`` release benches it
for ``proxy_bench_seconds``.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import random
import time
from collections.abc import Callable
from typing import Any

import httpx
import msgspec

from xget.sandbox.accounts import MAX_TTL, ServiceError, iso
from xget.sandbox.asgi import Receive, Scope, Send, header, lifespan, read_body, respond, respond_json, service_preamble
from xget.sandbox.config import SandboxConfig
from xget.sandbox.limits import SEED_EXAMPLE_PROXY, proxy_ids
from xget.sandbox.rand import seed_int

_HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-authorization", b"proxy-connection",
                         b"te", b"trailer", b"transfer-encoding", b"upgrade", b"content-length"})


def proxy_secret(seed: str, proxy_id: str) -> str:
    """The password of a sandbox proxy's credential (derived from the seed)."""
    return hashlib.blake2b(f"{seed}:proxy:{proxy_id}".encode(), digest_size=8).hexdigest()


class ProxyLeaseRequest(msgspec.Struct):
    proxy_id: str | None = None
    exclude: list[str] = []
    ttl_seconds: float = 600.0
    holder: str = ""


class ProxyReleaseRequest(msgspec.Struct):
    outcome: str
    detail: str | None = None


class ProxyPool:
    """The proxies, their leases and benches."""

    def __init__(self, config: SandboxConfig, forward_url: str | None,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.clock = clock
        self.ids = proxy_ids(config.proxies)
        self.urls: dict[str, str | None] = {}
        for pid in self.ids:
            if config.proxy_mode == "forward" and forward_url:
                scheme, _, hostport = forward_url.partition("://")
                self.urls[pid] = f"{scheme}://{pid}:{proxy_secret(config.seed, pid)}@{hostport}"
            else:
                self.urls[pid] = None
        self.benched: dict[str, float] = {}
        self.leases: dict[str, tuple[str, float]] = {}
        self.in_use: dict[str, int] = dict.fromkeys(self.ids, 0)
        self._ids = itertools.count(1)
        self._turn = 0

    def _expire(self, now: float) -> None:
        for lease_id, (pid, expires) in list(self.leases.items()):
            if expires <= now:
                del self.leases[lease_id]
                self.in_use[pid] -= 1

    def lease(self, req: ProxyLeaseRequest) -> dict[str, Any]:
        """Lease a proxy (see the contract); raises ServiceError."""
        if not 0 < req.ttl_seconds <= MAX_TTL:
            raise ServiceError(400, "bad_request", "ttl_seconds must be within (0, 86400]")
        now = self.clock()
        self._expire(now)
        if req.proxy_id is not None:
            if req.proxy_id not in self.urls:
                raise ServiceError(404, "proxy_not_found", f"no proxy {req.proxy_id}")
            until = self.benched.get(req.proxy_id, 0.0)
            if until > now:
                raise ServiceError(409, "proxy_unavailable", f"{req.proxy_id} failed recently",
                                   until - now)
            return self._grant(req.proxy_id, req, now)
        excluded = set(req.exclude) | {SEED_EXAMPLE_PROXY}  # pinned-only: the pool keeps its size
        candidates = [pid for pid in self.ids if pid not in excluded and self.benched.get(pid, 0.0) <= now]
        if not candidates:
            ends = [self.benched[p] for p in self.ids if p not in excluded and p in self.benched]
            raise ServiceError(503, "no_proxy_available", "every proxy is excluded or benched",
                               (min(ends) - now) if ends else None)
        # fewest holders first, then round robin
        turn = self._turn
        self._turn += 1
        pid = min(candidates, key=lambda p: (self.in_use[p], (self.ids.index(p) - turn) % len(self.ids)))
        return self._grant(pid, req, now)

    def _grant(self, pid: str, req: ProxyLeaseRequest, now: float) -> dict[str, Any]:
        lease_id = f"pl-{next(self._ids)}"
        expires = now + req.ttl_seconds
        self.leases[lease_id] = (pid, expires)
        self.in_use[pid] += 1
        return {"lease_id": lease_id, "proxy_id": pid, "url": self.urls[pid], "expires_at": iso(expires)}

    def release(self, lease_id: str, req: ProxyReleaseRequest) -> bool:
        """Release a lease; ``failed`` benches the proxy. False for an unknown lease."""
        if req.outcome not in ("ok", "failed"):
            raise ServiceError(400, "bad_request", f"unknown outcome {req.outcome!r}")
        now = self.clock()
        self._expire(now)
        entry = self.leases.pop(lease_id, None)
        if entry is None:
            return False
        pid = entry[0]
        self.in_use[pid] -= 1
        if req.outcome == "failed":
            self.benched[pid] = now + self.config.proxy_bench_seconds
        return True


class ProxyService:
    """The ASGI app of the lease API over a :class:`ProxyPool`."""

    def __init__(self, pool: ProxyPool, token: str | None = None) -> None:
        self.pool = pool
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if await service_preamble(scope, receive, send, self.token):
            return
        path, method = scope["path"], scope["method"]
        try:
            if path == "/v1/proxy-leases" and method == "POST":
                req = msgspec.json.decode(await read_body(receive), type=ProxyLeaseRequest)
                await respond_json(send, 201, self.pool.lease(req))
            elif path.startswith("/v1/proxy-leases/") and path.endswith("/release") and method == "POST":
                lease_id = path[len("/v1/proxy-leases/"):-len("/release")]
                req_r = msgspec.json.decode(await read_body(receive), type=ProxyReleaseRequest)
                released = self.pool.release(lease_id, req_r)
                await respond(send, 204 if released else 404, b"" if released else
                              b'{"error":"lease_not_found","message":"unknown or expired lease"}')
            elif path == "/v1/proxies" and method == "GET":
                now = self.pool.clock()
                await respond_json(send, 200, {"proxies": [
                    {"id": p, "holders": self.pool.in_use[p],
                     "benched_until": iso(self.pool.benched[p]) if self.pool.benched.get(p, 0) > now else None}
                    for p in self.pool.ids]})
            else:
                await respond_json(send, 404, {"error": "not_found", "message": f"{method} {path}"})
        except ServiceError as exc:
            await respond_json(send, exc.status, exc.body)
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError) as exc:
            await respond_json(send, 400, {"error": "bad_request", "message": str(exc)})


class ForwardProxy:
    """A forward HTTP proxy for absolute-form requests, one credential per sandbox proxy id."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.secrets = {pid: proxy_secret(config.seed, pid) for pid in proxy_ids(config.proxies)}
        self.faults = random.Random(seed_int(config.seed) ^ 0x5EED)
        self.relayed = 0
        self._client: httpx.AsyncClient | None = None

    def _proxy_id(self, scope: Scope) -> str | None:
        value = header(scope, b"proxy-authorization") or ""
        if not value.lower().startswith("basic "):
            return None
        try:
            user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        except ValueError:
            return None
        return user if self.secrets.get(user) == password else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        pid = self._proxy_id(scope)
        if pid is None:
            await respond(send, 407, b"proxy authentication required",
                          [(b"proxy-authenticate", b'Basic realm="xget-sandbox"')], b"text/plain")
            return
        rate = self.config.proxy_fail.get(pid, self.config.proxy_fail_rate)
        if rate and self.faults.random() < rate:
            await respond(send, 502, b"sandbox proxy failure (injected)", content_type=b"text/plain")
            return
        host = header(scope, b"host")
        if not host:
            await respond(send, 400, b"absolute-form request needed", content_type=b"text/plain")
            return
        qs = scope.get("query_string", b"").decode("latin-1")
        url = f"http://{host}{scope.get('raw_path', scope['path'].encode()).decode('latin-1').split('?')[0]}"
        if qs:
            url += f"?{qs}"
        headers = [(k, v) for k, v in scope["headers"] if k not in _HOP_BY_HOP]
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(60.0), trust_env=False,
                                             limits=httpx.Limits(max_connections=200))
        try:
            body = await read_body(receive)
            resp = await self._client.request(scope["method"], url, headers=headers, content=body)
        except httpx.HTTPError as exc:
            await respond(send, 502, f"upstream error: {type(exc).__name__}".encode(),
                          content_type=b"text/plain")
            return
        self.relayed += 1
        out = [(k.lower(), v) for k, v in resp.headers.raw if k.lower() not in _HOP_BY_HOP]
        await respond(send, resp.status_code, resp.content, out, content_type=None)

    async def aclose(self) -> None:
        """Close the upstream connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
