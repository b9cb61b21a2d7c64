"""Throughput of a running sandbox X: UserTweets pages per second, walking many timelines.

Each worker task pages through a different user's timeline (so most pages are generated cold,
not served from the caches), with the sandbox accounts' cookies, until ``pages`` are fetched.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

import httpx

from xget.sandbox.config import config_from_env
from xget.sandbox.limits import account_ids, credentials
from xget.sandbox.world import World
from xget.x.operations import load_operations


async def run_bench(base_url: str, *, pages: int, concurrency: int, count: int) -> dict[str, Any]:
    """Fetch ``pages`` UserTweets pages with ``concurrency`` requests in flight; returns the
    counts and rates."""
    config = config_from_env(os.environ)
    world = World(config)
    registry = load_operations()
    op = registry.get("UserTweets")
    accounts = [credentials(config.seed, a) for a in account_ids(config.accounts)]
    done = {"pages": 0, "tweets": 0, "bytes": 0, "errors": 0}
    next_user = iter(range(0, world.size))
    budget = pages

    async def walk(client: httpx.AsyncClient, worker: int) -> None:
        nonlocal budget
        token, ct0 = accounts[worker % len(accounts)]
        headers = {"authorization": f"Bearer {registry.bearer_token}", "x-csrf-token": ct0,
                   "cookie": f"auth_token={token}; ct0={ct0}"}
        while budget > 0:
            u = next(next_user, None)
            if u is None:
                return
            if not world.visible(u) or world.user(u).tweets < count:
                continue
            cursor = None
            while budget > 0:
                budget -= 1
                variables = {**op.variables, "userId": world.user_id(u), "count": count}
                if cursor:
                    variables["cursor"] = cursor
                resp = await client.get(f"{base_url}{op.path}", headers=headers, params={
                    "variables": json.dumps(variables), "features": json.dumps(op.features)})
                if resp.status_code != 200:
                    done["errors"] += 1
                    break
                body = resp.content
                done["pages"] += 1
                done["bytes"] += len(body)
                done["tweets"] += body.count(b'"itemType":"TimelineTweet"')
                cursor = _bottom_cursor(body)
                if cursor is None or b'"tweet_results"' not in body:
                    break

    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=concurrency)) as client:
        started = time.perf_counter()
        await asyncio.gather(*(walk(client, i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {**done, "seconds": round(elapsed, 3), "pages_per_s": round(done["pages"] / elapsed, 1),
            "tweets_per_s": round(done["tweets"] / elapsed, 1),
            "mb_per_s": round(done["bytes"] / elapsed / 1e6, 2), "concurrency": concurrency}


def _bottom_cursor(body: bytes) -> str | None:
    marker = b'"cursorType":"Bottom","entryType":"TimelineTimelineCursor","value":"'
    at = body.find(marker)
    if at < 0:
        return None
    start = at + len(marker)
    return body[start:body.index(b'"', start)].decode()
