"""The synthetic world's posts: tweet ``k`` of user ``u`` as a pure function of the seed.

Kinds: posts, replies (to another user's post, or a self-thread), retweets and quotes of other
users' posts; text in the author's language with hashtags, mentions, links, media and long
posts (note tweets). Reply, retweet and quote targets are always root posts (never replies),
found by time with :meth:`User.index_at`, so building one tweet touches at most a handful of
others and never recurses deeply.
"""

from __future__ import annotations

import math
from functools import lru_cache

from xget.sandbox.rand import Rng, key
from xget.sandbox.vocab import HASHTAGS, LANGS, SITES, SOURCES, WORDS
from xget.sandbox.world import SNOWFLAKE_EPOCH_MS, T_TWEET, World

POST, REPLY, RETWEET, QUOTE = "post", "reply", "retweet", "quote"
_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ALL_LANGS = tuple(code for code, _ in LANGS)


def short_code(value: int, n: int = 10) -> str:
    """A t.co-like code from a number."""
    out = []
    for _ in range(n):
        value, rem = divmod(value, 62)
        out.append(_ALPHABET[rem])
    return "".join(out)


def search_word(token: str) -> str:
    """A word as search indexes and matches it: surrounding punctuation stripped."""
    return token.strip(".,!?:;\"'()…")


class Tweet:
    """One post of the world; entity offsets index ``text`` (code points, like X)."""

    __slots__ = ("u", "k", "id", "ms", "kind", "lang", "text", "hashtags", "mentions", "urls",
                 "media", "note", "target", "likes", "retweets", "replies", "quotes", "bookmarks",
                 "views", "source", "sensitive", "conversation_id", "link")

    @property
    def id_str(self) -> str:
        """The rest id as X sends it."""
        return str(self.id)

    def terms(self) -> set[str]:
        """Lower-cased words, ``#hashtags`` and ``@mentions`` of the text, for search."""
        return {w for w in map(search_word, self.text.lower().split()) if w}


class Tweets:
    """Builds and caches the tweets of a :class:`World`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.get = lru_cache(maxsize=100_000)(self._build)

    def kind_of(self, u: int, k: int) -> str:
        """The kind of tweet ``k`` of ``u`` (cheap: the first draw of its stream)."""
        user = self.world.user(u)
        p = Rng(key(self.world.base, T_TWEET, u, k)).unit()
        if p < user.reply_rate:
            return REPLY
        if p < user.reply_rate + user.retweet_rate:
            return RETWEET
        if p < user.reply_rate + user.retweet_rate + user.quote_rate:
            return QUOTE
        return POST

    def post_lang(self, u: int, k: int) -> str | None:
        """The language of tweet ``k`` of ``u`` when it is a post, else None; cheap (the first
        three draws of its stream, as :meth:`_build` makes them), so a ``lang:`` search skips
        most posts without building them."""
        user = self.world.user(u)
        r = Rng(key(self.world.base, T_TWEET, u, k))
        if r.unit() < user.reply_rate + user.retweet_rate + user.quote_rate:
            return None
        return user.lang if r.chance(0.9) else r.pick(_ALL_LANGS)

    def pinned(self, u: int) -> int | None:
        """The index of the user's pinned tweet (a post or quote), or None."""
        user = self.world.user(u)
        if user.pinned is None:
            return None
        for k in range(user.pinned, min(user.pinned + 20, user.tweets)):
            if self.kind_of(u, k) in (POST, QUOTE):
                return k
        return None

    def tweet_id(self, u: int, k: int) -> int:
        """The snowflake id of tweet ``k`` of ``u`` (its time in the high bits)."""
        ms = self.world.user(u).time_ms(self.world, k)
        return (ms - SNOWFLAKE_EPOCH_MS) << 22 | key(self.world.base, T_TWEET, u, k, 9) & 0x3FFFFF

    def _other_user(self, r: Rng, u: int) -> int | None:
        world = self.world
        for _ in range(4):
            v = r.zipf_index(world.size, 1.05)
            if v != u and world.visible(v) and world.user(v).tweets > 0:
                return v
        return None

    def _root_before(self, v: int, t_ms: int, kinds: tuple[str, ...]) -> tuple[int, int] | None:
        user = self.world.user(v)
        j = user.index_at(self.world, t_ms)
        for jj in range(j, min(j + 6, user.tweets)):
            if self.kind_of(v, jj) in kinds:
                return v, jj
        return None

    def _target(self, r: Rng, u: int, k: int, kind: str, ms: int) -> tuple[int, int] | None:
        user = self.world.user(u)
        if kind == REPLY and k + 1 < user.tweets and r.chance(0.3):
            if self.kind_of(u, k + 1) in (POST, QUOTE):
                return u, k + 1
        v = self._other_user(r, u)
        if v is None:
            return None
        before = ms - 1000 * (30 + r.below(6 * 3600))
        return self._root_before(v, before, (POST,) if kind == QUOTE else (POST, QUOTE))

    def _build(self, u: int, k: int) -> Tweet:
        world = self.world
        user = world.user(u)
        r = Rng(key(world.base, T_TWEET, u, k))
        t = Tweet()
        t.u, t.k = u, k
        t.kind = self.kind_of(u, k)
        r.next()  # the kind's draw
        t.ms = user.time_ms(world, k)
        t.id = self.tweet_id(u, k)
        t.target = None
        if t.kind != POST:
            t.target = self._target(r, u, k, t.kind, t.ms)
            if t.target is None:
                t.kind = POST
        t.conversation_id = t.id
        if t.kind == REPLY and t.target is not None:
            t.conversation_id = self.tweet_id(*t.target)
        t.lang = user.lang if r.chance(0.9) else r.pick(_ALL_LANGS)
        t.source = r.pick(SOURCES)
        t.sensitive = r.chance(0.01)
        t.hashtags, t.mentions, t.urls, t.media = [], [], [], []
        t.note = None
        t.link = f"https://t.co/{short_code(key(world.base, T_TWEET, u, k, 7))}"
        if t.kind == RETWEET:
            self._retweet_text(t)
        else:
            self._write(t, r)
        scale = max(1.0, user.followers * 0.02) * math.exp(r.unit() * 3.0)
        t.likes = int(scale) + r.below(5)
        t.retweets = int(t.likes * 0.1 * r.unit())
        t.replies = int(t.likes * 0.06 * r.unit())
        t.quotes = int(t.likes * 0.01 * r.unit())
        t.bookmarks = int(t.likes * 0.02 * r.unit())
        t.views = t.likes * (20 + r.below(60)) + r.below(100)
        return t

    def _retweet_text(self, t: Tweet) -> None:
        v, j = t.target  # type: ignore[misc]
        original = self.get(v, j)
        handle = self.world.screen_name(v)
        body = f"RT @{handle}: {original.text}"
        t.text = body if len(body) <= 140 else body[:139] + "…"
        t.lang = original.lang
        t.mentions = [(v, 3, 4 + len(handle))]

    def _write(self, t: Tweet, r: Rng) -> None:
        world = self.world
        parts: list[str] = []
        pos = 0

        def add(s: str) -> tuple[int, int]:
            nonlocal pos
            if parts:
                parts.append(" ")
                pos += 1
            start = pos
            parts.append(s)
            pos += len(s)
            return start, pos

        if t.kind == REPLY and t.target is not None and t.target[0] != t.u:
            v = t.target[0]
            s, e = add("@" + world.screen_name(v))
            t.mentions.append((v, s, e))
        if r.chance(0.15):
            v = self._other_user(r, t.u)
            if v is not None:
                s, e = add("@" + world.screen_name(v))
                t.mentions.append((v, s, e))
        words = WORDS.get(t.lang, WORDS["en"])
        long_post = r.chance(0.04)
        n = 40 + r.below(160) if long_post else 4 + r.below(20)
        for i in range(n):
            word = r.pick(words)
            add(word + ("." if i % 9 == 8 else ""))
        phrase = world.realism.escaped_phrase(t.u, t.k)  # its own stream: r is not touched
        if phrase is not None:
            add(phrase)
        if r.chance(0.1):
            site = r.pick(SITES)
            expanded = f"https://{site}/p/{r.next() % 10**6}"
            code = f"https://t.co/{short_code(r.next())}"
            s, e = add(code)
            t.urls.append((code, expanded, f"{site}/p/…", s, e))
        if r.chance(0.3):
            for _ in range(1 + r.below(3)):
                tag = HASHTAGS[r.zipf_index(len(HASHTAGS), 1.2)]
                if all(h[0] != tag for h in t.hashtags):
                    s, e = add("#" + tag)
                    t.hashtags.append((tag, s, e))
        t.text = "".join(parts)
        if long_post:
            t.note = t.text
        if t.kind == POST and r.chance(0.18):
            kind_pick = r.below(100)
            media_type = "photo" if kind_pick < 75 else "video" if kind_pick < 93 else "animated_gif"
            count = 1 + r.below(4) if media_type == "photo" else 1
            for i in range(count):
                mid = (t.id >> 4) + i + 1
                w, h = r.pick(((1200, 675), (1080, 1080), (1080, 1350), (1920, 1080), (640, 480)))
                duration = 3000 + r.below(120_000) if media_type == "video" else None
                t.media.append((media_type, mid, short_code(r.next(), 15), w, h, duration))
