"""Search over the lazy world: a query parser and a newest-first scan in time windows.

Supported query syntax: words (all must appear), ``#hashtag``, ``@handle``, ``-word``,
``"exact phrase"``, ``from:handle``, ``since:`` / ``until:`` (exclusive) as ``YYYY-MM-DD`` or
X's ``YYYY-MM-DD_HH:MM:SS_UTC``, ``lang:xx``, ``filter:media``, ``filter:replies`` /
``-filter:replies``. Native retweets and the posts of suspended or protected users are never
results (as on X without ``include:nativeretweets``).

The world is never materialised: the tweets of one 6-hour window are listed on demand from each
user's timeline geometry (O(users) per window), cached, and filtered per query; ``from:`` reads
that user's timeline directly. A page keeps scanning older windows until it is full, the query's
``since`` (or the start of the world) is reached, or it has examined :data:`SCAN_BUDGET` tweets
(a few seconds of CPU). So a rare query skips long empty stretches like X does, and a page is
empty yet carries a cursor only when that budget runs out (weeks without a match in the default
world), which the engine's empty-page rule then ends.
"""

from __future__ import annotations

import bisect
import re
from collections import OrderedDict

from xget.sandbox.config import ConfigError, parse_instant
from xget.sandbox.tweets import REPLY, RETWEET, Tweet, Tweets, search_word
from xget.sandbox.world import World

WINDOW_MS = 6 * 3600 * 1000
# Tweets one page may examine before it answers with what it has (possibly nothing) and a cursor:
# ~25 windows (six days) of the default 12,000-user world, about 2 s of CPU; a deterministic
# count, not a clock, so a query's pages are the same on every run.
SCAN_BUDGET = 40_000
WORLD_START_MS = 1167609600 * 1000  # 2007-01-01: nothing is older


class QueryError(ValueError):
    """The raw query cannot be run (X answers code 214)."""


class Query:
    """A parsed raw query."""

    __slots__ = ("raw", "terms", "phrases", "hashtags", "negated", "from_user", "since_ms",
                 "until_ms", "lang", "media", "replies", "unknown_user")

    def __init__(self, raw: str, world: World) -> None:
        self.raw = raw
        self.terms: list[str] = []
        self.phrases: list[str] = []
        self.hashtags: list[str] = []
        self.negated: list[str] = []
        self.from_user: int | None = None
        self.unknown_user = False
        self.since_ms = WORLD_START_MS
        self.until_ms: int | None = None
        self.lang: str | None = None
        self.media = False
        self.replies: bool | None = None
        rest = []
        for i, part in enumerate(raw.split('"')):
            if i % 2 and part.strip():
                # a quoted phrase: its words, in order (an unclosed quote runs to the end)
                words = [search_word(w) for w in part.lower().split() if search_word(w)]
                if words:
                    self.phrases.append(" ".join(words))
                    self.terms.extend(words)
            elif not i % 2:
                rest.append(part)
        for token in " ".join(rest).split():
            low = token.lower()
            name, sep, value = low.partition(":")
            if sep and name in ("from", "since", "until", "lang", "filter") and value:
                self._operator(name, value, world)
            elif low == "-filter:replies":
                self.replies = False
            elif low.startswith("-") and len(low) > 1:
                self.negated.append(low[1:])
            elif low.startswith("#") and len(low) > 1:
                self.hashtags.append(low[1:])
            elif search_word(low):
                self.terms.append(search_word(low))
        if not (self.terms or self.hashtags or self.from_user is not None or self.unknown_user):
            raise QueryError("SearchQueryParsingException(ERROR_EMPTY_QUERY)")

    def _operator(self, name: str, value: str, world: World) -> None:
        try:
            if name == "from":
                u = world.by_screen_name(value)
                if u is None:
                    self.unknown_user = True
                self.from_user = u
            elif name == "since":
                self.since_ms = max(WORLD_START_MS, parse_instant(_iso(value), "since") * 1000)
            elif name == "until":
                self.until_ms = parse_instant(_iso(value), "until") * 1000
            elif name == "lang":
                self.lang = value
            elif value == "media":
                self.media = True
            elif value == "replies":
                self.replies = True
        except ConfigError as exc:
            raise QueryError(f"SearchQueryParsingException({exc})") from None

    def matches(self, t: Tweet) -> bool:
        """Whether a tweet of a visible user is a result (time bounds are checked by the scan)."""
        if t.kind == RETWEET:
            return False
        if self.lang is not None and t.lang != self.lang:
            return False
        if self.media and not t.media:
            return False
        if self.replies is not None and (t.kind == REPLY) != self.replies:
            return False
        if self.hashtags:
            tags = {h[0].lower() for h in t.hashtags}
            if any(h not in tags for h in self.hashtags):
                return False
        if self.terms or self.negated:
            words = t.terms()
            if any(w not in words for w in self.terms) or any(w in words for w in self.negated):
                return False
        if self.phrases:
            text = " " + " ".join(search_word(w) for w in t.text.lower().split()) + " "
            if any(f" {p} " not in text for p in self.phrases):
                return False
        return True


_X_INSTANT = re.compile(r"(\d{4}-\d{2}-\d{2})_(\d{2}:\d{2}:\d{2})_utc")


def _iso(value: str) -> str:
    """X's ``YYYY-MM-DD_HH:MM:SS_UTC`` (lower-cased here) as ISO; anything else upper-cased back
    (``2026-07-20T00:00:00Z`` arrives as ``...t00:00:00z``)."""
    m = _X_INSTANT.fullmatch(value)
    return f"{m.group(1)}T{m.group(2)}Z" if m else value.upper()


class Searcher:
    """Runs queries for one world; caches window listings and per-query matches."""

    def __init__(self, world: World, tweets: Tweets) -> None:
        self.world = world
        self.tweets = tweets
        self._users: tuple[list[int], list[int], list[int], list[int], list[int]] | None = None
        self._windows: OrderedDict[int, list[tuple[int, int, int]]] = OrderedDict()
        self._matches: OrderedDict[tuple[str, int, bool], list[tuple[int, int]]] = OrderedDict()

    def warm(self) -> None:
        """Build the search geometry ahead of the first search (about half a second of CPU for
        the default world; run it off the event loop)."""
        self._geometry()

    def _geometry(self) -> tuple[list[int], list[int], list[int], list[int], list[int]]:
        # visible users sorted by their oldest tweet's time, so old windows skip most of them
        if self._users is None:
            rows = []
            for u in range(self.world.size):
                user = self.world.user(u)
                if user.tweets and self.world.visible(u):
                    oldest = user.newest_ms - user.tweets * user.gap_ms
                    rows.append((oldest, u, user.newest_ms, user.gap_ms, user.tweets))
            rows.sort()
            self._users = tuple(list(col) for col in zip(*rows))  # type: ignore[assignment]
        return self._users  # type: ignore[return-value]

    def window(self, w: int) -> list[tuple[int, int, int]]:
        """Every (ms, u, k) of visible users posted in window ``w``, newest first."""
        cached = self._windows.get(w)
        if cached is not None:
            self._windows.move_to_end(w)
            return cached
        lo, hi = w * WINDOW_MS, (w + 1) * WINDOW_MS
        oldest, users, newest, gaps, counts = self._geometry()
        world = self.world
        out = []
        for i in range(bisect.bisect_left(oldest, hi)):
            a, g = newest[i], gaps[i]
            k_hi = (a - lo) // g
            if k_hi < 0:
                continue
            n = counts[i]
            if k_hi >= n:
                k_hi = n - 1
            k = max(0, (a - hi) // g)
            u = users[i]
            user = world.user(u)
            while k <= k_hi:
                t = user.time_ms(world, k)
                if lo <= t < hi:
                    out.append((t, u, k))
                k += 1
        out.sort(reverse=True)
        self._windows[w] = out
        if len(self._windows) > 256:
            self._windows.popitem(last=False)
        return out

    def _window_matches(self, q: Query, w: int, top: bool) -> list[tuple[int, int]]:
        cache_key = (q.raw, w, top)
        cached = self._matches.get(cache_key)
        if cached is not None:
            return cached
        found = []
        lang, post_lang = q.lang, self.tweets.post_lang
        for t_ms, u, k in self.window(w):
            if not q.since_ms <= t_ms < (q.until_ms or 1 << 62):
                continue
            if lang is not None:
                pl = post_lang(u, k)
                if pl is not None and pl != lang:
                    continue
            t = self.tweets.get(u, k)
            if q.matches(t):
                found.append((t.likes if top else t_ms, u, k))
        if top:
            found.sort(reverse=True)
        result = [(u, k) for _, u, k in found]
        self._matches[cache_key] = result
        if len(self._matches) > 2048:
            self._matches.popitem(last=False)
        return result

    def page(self, q: Query, top: bool, position: tuple[int, int] | None,
             count: int) -> tuple[list[tuple[int, int]], tuple[int, int] | None]:
        """Up to ``count`` results from ``position`` (window, offset); returns them and the next
        position, None when the query's time range is exhausted."""
        if q.unknown_user:
            return [], None
        if q.from_user is not None:
            return self._from_page(q, position, count)
        upper = min(q.until_ms or self.world.anchor_ms, self.world.anchor_ms)
        w, offset = position if position is not None else ((upper - 1) // WINDOW_MS, 0)
        floor = q.since_ms // WINDOW_MS
        out: list[tuple[int, int]] = []
        examined = 0
        while w >= floor and examined < SCAN_BUDGET:
            examined += len(self.window(w))
            matches = self._window_matches(q, w, top)
            take = matches[offset:offset + count - len(out)]
            out.extend(take)
            offset += len(take)
            if len(out) >= count:
                if offset >= len(matches):
                    w, offset = w - 1, 0
                return out, (w, offset) if w >= floor else None
            w, offset = w - 1, 0
        return out, (w, 0) if w >= floor else None

    def _from_page(self, q: Query, position: tuple[int, int] | None,
                   count: int) -> tuple[list[tuple[int, int]], tuple[int, int] | None]:
        u = q.from_user
        assert u is not None
        if not self.world.visible(u):
            return [], None
        user = self.world.user(u)
        if position is not None:
            k = position[1]
        else:
            k = user.index_at(self.world, (q.until_ms or self.world.anchor_ms) - 1)
        out: list[tuple[int, int]] = []
        scanned = 0
        while k < user.tweets and len(out) < count and scanned < 2000:
            if user.time_ms(self.world, k) < q.since_ms:
                return out, None
            if q.matches(self.tweets.get(u, k)):
                out.append((u, k))
            k += 1
            scanned += 1
        return out, (0, k) if k < user.tweets else None
