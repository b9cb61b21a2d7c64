"""The synthetic world's people: users with power-law audiences, built on demand from the seed.

A user is a pure function of (seed, index): nothing is stored at start, so a world of any size
starts at once. Index 0 is ``elonmusk``; the last indices are fixed test users (``sbx_small``,
``sbx_protected``, ``sbx_suspended``, ``sbx_empty``). Timelines are laid out so that any tweet's
time, and the tweet at any time, are O(1): tweet ``k`` (0 = newest) of user ``u`` is at
``newest - k*gap - jitter(k)`` with ``0 <= jitter < gap``, which keeps times strictly decreasing.
"""

from __future__ import annotations

import math
from functools import lru_cache

from xget.sandbox.config import SandboxConfig
from xget.sandbox.rand import Rng, key, seed_int
from xget.sandbox.realism import Realism
from xget.sandbox.vocab import (
    BIOS,
    FIRST_NAMES,
    LANGS,
    LAST_NAMES,
    LOCATIONS,
    NAME_HEADS,
    NAME_TAILS,
)

SNOWFLAKE_EPOCH_MS = 1288834974657
ELON_ID = "44196397"
# What each key of the world is about (mixed into every hash so the streams never collide).
T_USER, T_TWEET, T_JITTER, T_FOLLOWERS, T_FOLLOWING, T_SUSPENDED, T_PROTECTED = range(1, 8)

SMALL, PROTECTED, SUSPENDED, EMPTY = "sbx_small", "sbx_protected", "sbx_suspended", "sbx_empty"
_LANG_CODES = tuple(code for code, _ in LANGS)
_LANG_CUM = tuple(sum(w for _, w in LANGS[: i + 1]) for i in range(len(LANGS)))


class User:
    """One user of the world (see the module docstring for how times are laid out)."""

    __slots__ = ("index", "id", "screen_name", "name", "created_at", "lang", "followers",
                 "following", "tweets", "likes", "verified", "blue", "protected", "suspended",
                 "bio", "location", "website", "pinned", "newest_ms", "gap_ms", "reply_rate",
                 "retweet_rate", "quote_rate", "avatar")

    def time_ms(self, world: World, k: int) -> int:
        """When tweet ``k`` (0 = newest) was posted, in unix milliseconds."""
        return self.newest_ms - k * self.gap_ms - key(world.base, T_JITTER, self.index, k) % self.gap_ms

    def index_at(self, world: World, t_ms: int) -> int:
        """The first (newest) tweet index posted at or before ``t_ms`` (may be >= tweets)."""
        if t_ms >= self.newest_ms:
            return 0
        k = -((t_ms - self.newest_ms) // self.gap_ms)  # ceil((newest - t) / gap)
        if k > 0 and self.time_ms(world, k - 1) <= t_ms:
            return k - 1
        return k


class World:
    """Users, follower graphs and timeline geometry of one seed (tweets: ``xget.sandbox.tweets``)."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.base = seed_int(config.seed)
        self.size = config.users
        self.anchor_ms = config.anchor() * 1000
        self.special = {"elonmusk": 0, SMALL: self.size - 1, PROTECTED: self.size - 2,
                        SUSPENDED: self.size - 3, EMPTY: self.size - 4}
        self._special_by_index = {v: k for k, v in self.special.items()}
        self._suspended_names = {n.lower() for n in config.suspended_users}
        self._protected_names = {n.lower() for n in config.protected_users}
        self.user = lru_cache(maxsize=200_000)(self._build_user)
        self.realism = Realism.from_config(self.base, config)

    # ------------------------------------------------------------------ lookups

    def screen_name(self, u: int) -> str:
        """The handle of user ``u``: fixed for special users, ``<head><tail><index>`` else."""
        special = self._special_by_index.get(u)
        if special is not None:
            return special
        r = Rng(key(self.base, T_USER, u, 1))
        return f"{r.pick(NAME_HEADS)}{r.pick(NAME_TAILS)}{u}"

    def user_id(self, u: int) -> str:
        """The rest id of user ``u`` (a snowflake whose low bits are the index)."""
        if u == 0:
            return ELON_ID
        created = self._created_at(u)
        return str(((created * 1000 - SNOWFLAKE_EPOCH_MS) << 22 | u) if created * 1000 > SNOWFLAKE_EPOCH_MS
                   else 100_000_000 + u)

    def by_screen_name(self, name: str) -> int | None:
        """The index of the user with this handle (case-insensitive), or None."""
        lowered = name.lower().lstrip("@")
        if lowered in self.special:
            return self.special[lowered]
        digits = len(lowered) - len(lowered.rstrip("0123456789"))
        if not digits or digits > 9:
            return None
        u = int(lowered[-digits:])
        if 0 <= u < self.size and self.screen_name(u).lower() == lowered:
            return u
        return None

    def by_id(self, user_id: str) -> int | None:
        """The index of the user with this rest id, or None."""
        if user_id == ELON_ID:
            return 0
        if not user_id.isdigit():
            return None
        n = int(user_id)
        for u in (n & 0x3FFFFF, n - 100_000_000):
            if 0 <= u < self.size and self.user_id(u) == user_id:
                return u
        return None

    def is_suspended(self, u: int) -> bool:
        """X suspended this user: lookups answer UserUnavailable, timelines fail."""
        special = self._special_by_index.get(u)
        if special is not None:
            return special == SUSPENDED or special in self._suspended_names
        if self.screen_name(u).lower() in self._suspended_names:
            return True
        return Rng(key(self.base, T_SUSPENDED, u)).unit() < self.config.suspended_rate

    def is_protected(self, u: int) -> bool:
        """This user's posts and lists are protected (code 179 on timelines)."""
        special = self._special_by_index.get(u)
        if special is not None:
            return special == PROTECTED or special in self._protected_names
        if self.screen_name(u).lower() in self._protected_names:
            return True
        return Rng(key(self.base, T_PROTECTED, u)).unit() < self.config.protected_rate

    def visible(self, u: int) -> bool:
        """Whether others may show this user's posts (retweets, quotes, search)."""
        return not self.is_suspended(u) and not self.is_protected(u)

    # ------------------------------------------------------------------ building

    def _created_at(self, u: int) -> int:
        if u == 0:
            return 1243987200  # 2009-06-03
        r = Rng(key(self.base, T_USER, u, 2))
        youngest = self.anchor_ms // 1000 - 30 * 86400
        oldest = 1167609600  # 2007-01-01
        return oldest + int(r.unit() ** 0.7 * (youngest - oldest))

    def _build_user(self, u: int) -> User:
        r = Rng(key(self.base, T_USER, u, 3))
        x = User()
        x.index = u
        x.id = self.user_id(u)
        x.screen_name = self.screen_name(u)
        x.created_at = self._created_at(u)
        x.name = f"{r.pick(FIRST_NAMES)} {r.pick(LAST_NAMES)}"
        pick = r.below(100)
        x.lang = next(code for code, cum in zip(_LANG_CODES, _LANG_CUM) if pick < cum)
        x.bio = r.pick(BIOS)
        x.location = r.pick(LOCATIONS)
        x.website = f"https://{x.screen_name.lower()}.example.com" if r.chance(0.3) else None
        x.blue = r.chance(0.08 + 0.5 / math.sqrt(u + 1))
        x.verified = u < 50 and r.chance(0.3)
        x.protected = self.is_protected(u)
        x.suspended = self.is_suspended(u)
        x.avatar = f"{r.next() % 10**19:019d}"
        cap = int(self.size * 0.9)
        x.followers = min(cap, int(cap / (u + 1) ** 0.95) + r.below(40))
        x.following = min(self.size // 2, int(math.exp(r.unit() * 7.0)) + 5)
        x.tweets = int(math.exp(1.5 + r.unit() * 5.5)) if r.chance(0.93) else 0
        if u < 100:
            x.tweets = max(x.tweets, 300 + r.below(1700))
        gap_s = int(math.exp(9.0 + r.unit() * 6.5))  # ~2 hours to ~60 days
        x.reply_rate, x.retweet_rate, x.quote_rate = 0.22, 0.12, 0.06
        special = self._special_by_index.get(u)
        if u == 0:
            x.name, x.lang, x.bio, x.location = "Elon Musk", "en", "Mars & Cars, Chips & Dips", ""
            x.blue, x.verified, x.website = True, False, None
            x.tweets = 1750 + r.below(300)  # >= 1,000 own posts without replies or retweets
            x.followers = max(x.followers, min(10_800, self.size - 100))
            x.following = 800
            gap_s = 1500
            x.reply_rate, x.retweet_rate, x.quote_rate = 0.30, 0.05, 0.08
        elif special == SMALL:
            x.tweets, x.followers, x.following, gap_s = 57, 45, 33, 20_000
        elif special == EMPTY:
            x.tweets = 0
        x.likes = int(x.tweets * (1 + r.unit() * 20))
        newest_s = self.anchor_ms // 1000 - int(r.unit() * 2 * gap_s) - 60
        if x.tweets:
            # a timeline never reaches back before the account existed
            gap_s = max(60, min(gap_s, (newest_s - x.created_at) // (x.tweets + 1)))
        x.newest_ms = newest_s * 1000
        x.gap_ms = gap_s * 1000
        x.pinned = None
        if x.tweets >= 10 and (u == 0 or special == SMALL or r.chance(0.15)):
            x.pinned = x.tweets // 3 + r.below(max(1, x.tweets // 3))
        return x

    # ------------------------------------------------------------------ graphs

    def _permutation(self, u: int, tag: int) -> tuple[int, int]:
        r = Rng(key(self.base, tag, u))
        a = r.below(self.size - 1) + 1
        while math.gcd(a, self.size) != 1:
            a += 1
        return a, r.below(self.size)

    def graph_page(self, u: int, followers: bool, pos: int, listed: int,
                   count: int) -> tuple[list[int], int, int, bool]:
        """Up to ``count`` followers (or followings) of ``u`` from permutation position ``pos``
        with ``listed`` already served; returns (users, next pos, listed, ended)."""
        user = self.user(u)
        total = user.followers if followers else user.following
        a, b = self._permutation(u, T_FOLLOWERS if followers else T_FOLLOWING)
        out: list[int] = []
        while len(out) < count and listed < total and pos < self.size:
            v = (a * pos + b) % self.size
            pos += 1
            if v == u or self.is_suspended(v):
                continue
            out.append(v)
            listed += 1
        return out, pos, listed, listed >= total or pos >= self.size
