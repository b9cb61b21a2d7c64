"""``xget sandbox x``: the raw-ASGI app serving X's web GraphQL endpoints from the world.

Per request, in X's order: injected faults (timeouts, slow answers, 5xx), the operation's path
(``{base_path}/{queryId}/{OperationName}``, 404 for an unknown query id), the web client's auth
(bearer, ``auth_token``/``ct0`` cookies, ``x-csrf-token`` == ``ct0``), the account's state
(suspended 64, locked 326, logged out 89), its rate-limit window (429 / 88), then the page.

Admin endpoints (not X's): ``GET /health``, ``GET|POST /_sandbox/config`` (read or patch the
knobs), ``POST /_sandbox/reset`` (forget rate-limit windows).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable, Mapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from xget.sandbox.asgi import Receive, Scope, Send, header, lifespan, read_body, respond, respond_json
from xget.sandbox.config import WORLD_FIELDS, ConfigError, SandboxConfig
from xget.sandbox.limits import RateLimiter, account_ids, credentials
from xget.sandbox.pages import Pages, XApiError
from xget.sandbox.rand import seed_int
from xget.x.operations import OperationRegistry, load_operations

_ENCODE = msgspec.json.Encoder().encode
NOT_FOUND = b'{"errors":[{"code":34,"message":"Sorry, that page does not exist."}]}'
RATE_LIMITED = b'{"errors":[{"code":88,"message":"Rate limit exceeded"}]}'
_ACCOUNT_STATES = {
    "suspended": (403, 64, "Your account is suspended and is not permitted to access this feature."),
    "locked": (403, 326, "To protect our users from spam and other malicious activity, this account "
                         "is temporarily locked. Please log in to https://x.com to unlock your account."),
    "logged_out": (401, 89, "Invalid or expired token."),
}


class SandboxX:
    """The ASGI application; ``config`` may be patched at run time (see module docstring)."""

    def __init__(self, config: SandboxConfig, registry: OperationRegistry | None = None) -> None:
        self.registry = registry or load_operations()
        self.limiter = RateLimiter(config)
        self.requests = 0
        self._apply(config, rebuild=True)
        self._handlers: dict[str, Callable[[Mapping[str, Any]], bytes]] = {
            "UserByScreenName": lambda v: self.pages.user_lookup(v, by_id=False),
            "UserByRestId": lambda v: self.pages.user_lookup(v, by_id=True),
            "UserTweets": lambda v: self.pages.user_tweets(v, with_replies=False),
            "UserTweetsAndReplies": lambda v: self.pages.user_tweets(v, with_replies=True),
            "SearchTimeline": lambda v: self.pages.search(v),
            "Followers": lambda v: self.pages.follows(v, followers=True),
            "Following": lambda v: self.pages.follows(v, followers=False),
        }

    def _apply(self, config: SandboxConfig, rebuild: bool) -> None:
        self.config = config
        self.limiter.config = config
        if rebuild:
            self.pages = Pages(config)
            self.faults = random.Random(seed_int(config.seed))
        else:
            self.pages.config = config
            self.pages.world.config = config
        self.tokens = {credentials(config.seed, acc)[0]: acc for acc in account_ids(config.accounts)}
        self.routes = {f"{config.base_path.rstrip('/')}{op.path}": name
                       for name, op in self.registry.operations.items()}

    def update(self, patch: Mapping[str, Any]) -> SandboxConfig:
        """Apply a knob patch; the world is rebuilt when a world field changes."""
        new = self.config.updated(patch)
        self._apply(new, rebuild=bool(WORLD_FIELDS & set(patch)))
        return new

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        operation = self.routes.get(path)
        if operation is None:
            await self._other(path, scope, receive, send)
            return
        self.requests += 1
        if await self._fault(send):
            return
        account = await self._authenticate(scope, send)
        if account is None:
            return
        allowed, limit_headers = self.limiter.spend(account, operation)
        if not allowed:
            await respond(send, 429, RATE_LIMITED, limit_headers)
            return
        try:
            variables = await self._variables(scope, receive)
            body = self._handlers[operation](variables)
            status = 200
        except XApiError as exc:
            status, body = exc.status, _ENCODE(exc.body)
        except (ValueError, TypeError) as exc:
            status, body = 400, _ENCODE({"errors": [{"code": 214, "message": f"BadRequest: {exc}"}]})
        await respond(send, status, body, limit_headers)

    async def _fault(self, send: Send) -> bool:
        cfg = self.config
        if cfg.latency_ms:
            await asyncio.sleep(cfg.latency_ms / 1000)
        if not (cfg.timeout_rate or cfg.error_rate or cfg.slow_rate):
            return False
        draw = self.faults.random()
        if draw < cfg.timeout_rate:
            await asyncio.sleep(cfg.timeout_seconds)
            await respond(send, 504, b'{"errors":[{"code":0,"message":"Gateway timeout"}]}')
            return True
        draw -= cfg.timeout_rate
        if draw < cfg.error_rate:
            if self.faults.random() < 0.5:
                await respond(send, 503, b'{"errors":[{"code":130,"message":"Over capacity"}]}')
            else:
                await respond(send, 500, b'{"errors":[{"code":131,"message":"Internal error"}]}')
            return True
        draw -= cfg.error_rate
        if draw < cfg.slow_rate:
            await asyncio.sleep(cfg.slow_seconds)
        return False

    async def _authenticate(self, scope: Scope, send: Send) -> str | None:
        auth = header(scope, b"authorization") or ""
        if self.config.check_bearer and auth != f"Bearer {self.registry.bearer_token}":
            await respond(send, 401, b'{"errors":[{"code":89,"message":"Invalid or expired token."}]}')
            return None
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(header(scope, b"cookie") or "")
        except Exception:  # noqa: BLE001 - a malformed cookie header is just "no cookies"
            pass
        token = cookies["auth_token"].value if "auth_token" in cookies else None
        ct0 = cookies["ct0"].value if "ct0" in cookies else None
        if not ct0 or header(scope, b"x-csrf-token") != ct0:
            await respond(send, 403, b'{"errors":[{"code":353,"message":"This request requires a '
                                     b'matching csrf cookie and header."}]}')
            return None
        account = self.tokens.get(token or "")
        if account is None or credentials(self.config.seed, account)[1] != ct0:
            await respond(send, 401, b'{"errors":[{"code":32,"message":"Could not authenticate you."}]}')
            return None
        for state, names in (("suspended", self.config.suspended_accounts),
                             ("locked", self.config.locked_accounts),
                             ("logged_out", self.config.logged_out_accounts)):
            if account in names:
                status, code, message = _ACCOUNT_STATES[state]
                await respond_json(send, status, {"errors": [{"code": code, "message": message}]})
                return None
        return account

    async def _variables(self, scope: Scope, receive: Receive) -> Mapping[str, Any]:
        if scope["method"] == "POST":
            body = json.loads(await read_body(receive) or b"{}")
            variables = body.get("variables") if isinstance(body, dict) else None
        else:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            variables = json.loads(query.get("variables") or "{}")
        if not isinstance(variables, dict):
            raise ValueError("variables must be a JSON object")
        return variables

    async def _other(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        if path == "/health":
            await respond_json(send, 200, {"status": "ok", "requests": self.requests})
        elif path == "/_sandbox/config" and method == "GET":
            await respond_json(send, 200, msgspec.to_builtins(self.config))
        elif path == "/_sandbox/config" and method == "POST":
            try:
                patch = json.loads(await read_body(receive) or b"{}")
                if not isinstance(patch, dict):
                    raise ConfigError("the body must be a JSON object of knobs")
                config = self.update(patch)
            except (ConfigError, ValueError) as exc:
                await respond_json(send, 400, {"error": "bad_config", "message": str(exc)})
                return
            await respond_json(send, 200, msgspec.to_builtins(config))
        elif path == "/_sandbox/reset" and method == "POST":
            self.limiter.reset()
            await respond(send, 204)
        else:
            await respond(send, 404, NOT_FOUND)
