"""An in-memory stand-in for the X runtime (our own port: ``runtime.session(...)`` returning a
page fetcher), serving a synthetic user's timeline with controllable delays and faults."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from xget.x.errors import TargetNotFound, Transient
from xget.x.page import Page
from xget.x.records import TweetRecord, UserRecord
from xget.x.session import Stopped

PAGE = 20


def user(user_id: str = "42", name: str = "alice") -> UserRecord:
    return UserRecord(id=user_id, screen_name=name, name=name.title(), description="", location="", url=None,
                      created_at="2020-01-01T00:00:00Z", followers_count=10, following_count=1, tweet_count=500,
                      like_count=0, media_count=0, listed_count=None, verified=False, is_blue_verified=False,
                      protected=False, profile_image_url=None, profile_banner_url=None)


def tweet(n: int, author: UserRecord) -> TweetRecord:
    return TweetRecord(id=str(10_000 - n), url=f"https://x.com/{author.screen_name}/status/{10_000 - n}",
                       text=f"post {n}", lang="en", created_at="2026-11-01T00:00:00Z", author=author,
                       conversation_id=None, in_reply_to_tweet_id=None, in_reply_to_user_id=None,
                       in_reply_to_screen_name=None, reply_count=0, retweet_count=0, like_count=n, quote_count=0,
                       bookmark_count=0, view_count=None, hashtags=[], mentions=[], urls=[], media=[],
                       is_retweet=False, retweeted_tweet=None, quoted_tweet=None, source=None,
                       possibly_sensitive=False)


class FakeX:
    """The world and the knobs: ``tweets`` posts by @alice; per-page ``delay``; ``transient``
    maps a page offset to how many times it fails first; ``wait_forever`` makes every fetch
    wait like a rate-limited session (until stopped)."""

    def __init__(self, tweets: int = 200, delay: float = 0.0) -> None:
        self.author = user()
        self.tweets = [tweet(n, self.author) for n in range(tweets)]
        self.delay = delay
        self.transient: dict[int, int] = {}
        self.wait_forever = False
        self.timeouts = 0
        """Fetches that raise TimeoutError first, like a database or socket timeout inside."""
        self.fetches = 0
        self.sessions: list[FakeSession] = []

    def session(self, *, pinned_account_id: str | None = None, pinned_proxy_id: str | None = None,
                deadline: float | None = None, on_wait: Any = None, stop: asyncio.Event | None = None
                ) -> "FakeSession":
        s = FakeSession(self, stop or asyncio.Event(), on_wait)
        self.sessions.append(s)
        return s


class FakeSession:
    """A page fetcher over :class:`FakeX`, with the XSession surface the worker uses."""

    def __init__(self, world: FakeX, stop: asyncio.Event, on_wait: Any) -> None:
        self.world = world
        self.stop = stop
        self.on_wait = on_wait
        self.account_id: str | None = None
        self.proxy_id: str | None = None
        self.closed = False

    async def acquire(self, operation: str) -> tuple[str, str | None]:
        self.account_id, self.proxy_id = "acct-1", "px-1"
        return self.account_id, self.proxy_id

    async def fetch(self, op_name: str, variables: Mapping[str, Any]) -> Page:
        world = self.world
        if world.wait_forever:
            from xget.x.session import WaitInfo

            if self.on_wait:
                await self.on_wait(WaitInfo(reason="rate_limited", operation=op_name, until=2e9, seconds_left=900))
            await self.stop.wait()
            raise Stopped("stopped while waiting (rate_limited)")
        if op_name == "UserByScreenName":
            if variables["screen_name"] == "ghost":
                raise TargetNotFound("user @ghost not found")
            return Page(operation=op_name, items=[world.author])
        offset = int((variables.get("cursor") or "c0")[1:])
        if world.timeouts > 0:
            world.timeouts -= 1
            raise TimeoutError("timed out")
        if world.transient.get(offset, 0) > 0:
            world.transient[offset] -= 1
            raise Transient(f"HTTP 503 on page at {offset}")
        if world.delay:
            await asyncio.sleep(world.delay)
        world.fetches += 1
        items = world.tweets[offset:offset + PAGE]
        more = offset + PAGE < len(world.tweets)
        return Page(operation=op_name, items=list(items), cursor_bottom=f"c{offset + PAGE}" if more else None)

    async def aclose(self) -> None:
        self.closed = True
