"""Realism knobs: visibility wrappers, tombstones, unavailable and empty results, promoted entries,
views without a count and HTML-escaped text, at seeded rates. Off (the default) they change no
byte; on, the engine's parser skips and counts the odd items, unescapes the text, and the
collection loop still returns exactly the same tweets."""

from __future__ import annotations

import copy
import html
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest

from xget.sandbox.config import REALISM_FIELDS, ConfigError, SandboxConfig, config_from_env
from xget.sandbox.pages import Pages
from xget.sandbox.realism import ESCAPED_PHRASES
from xget.sandbox.xapp import SandboxX
from xget.x.collect import collect
from xget.x.page import Page, parse_page

ALL_ON = {"visibility_rate": 0.25, "views_hidden_rate": 0.25, "escape_rate": 0.25,
          "tombstone_rate": 0.1, "unavailable_rate": 0.1, "promoted_rate": 0.1}
# the same tweets as the default world (the escape knob adds words a search could match)
SAME_RESULTS = {**ALL_ON, "escape_rate": 0.0}
ODD = {"tombstone", "unavailable", "empty", "promoted"}


class InProcess:
    """A PageFetcher calling the sandbox's page builders directly (no HTTP)."""

    def __init__(self, p: Pages) -> None:
        self.ops = {"UserByScreenName": lambda v: p.user_lookup(v, False),
                    "UserTweets": lambda v: p.user_tweets(v, False),
                    "UserTweetsAndReplies": lambda v: p.user_tweets(v, True),
                    "SearchTimeline": p.search}

    async def fetch(self, op: str, variables: Mapping[str, Any]) -> Page:
        return parse_page(op, self.ops[op](variables))


@pytest.fixture(scope="module")
def off() -> Pages:
    return Pages(SandboxConfig())


@pytest.fixture(scope="module")
def on() -> Pages:
    return Pages(SandboxConfig().updated(ALL_ON))


@pytest.fixture(scope="module")
def same() -> Pages:
    return Pages(SandboxConfig().updated(SAME_RESULTS))


def bottom_cursor(body: bytes) -> str | None:
    return parse_page("SearchTimeline" if b"search_by_raw_query" in body else "UserTweets",
                      body).cursor_bottom


def walk(fn: Any, variables: dict[str, Any], pages: int) -> list[bytes]:
    """Up to ``pages`` raw pages, following bottom cursors."""
    out, cursor = [], None
    for _ in range(pages):
        body = fn({**variables, "cursor": cursor} if cursor else variables)
        out.append(body)
        cursor = bottom_cursor(body)
        if cursor is None:
            break
    return out


def corpus(p: Pages) -> list[bytes]:
    """Timelines (with and without replies), the pin, follower lists, lookups and searches."""
    elon, small = p.world.user_id(0), p.world.user_id(p.world.by_screen_name("sbx_small"))
    out = []
    for uid in (elon, small):
        out += walk(lambda v: p.user_tweets(v, False), {"userId": uid, "count": 20}, 5)
        out += walk(lambda v: p.user_tweets(v, True), {"userId": uid, "count": 20}, 5)
        out += walk(lambda v: p.follows(v, True), {"userId": uid, "count": 20}, 2)
        out.append(p.user_lookup({"userId": uid}, True))
    for query, product in (("rocket", "Latest"), ("#AI lang:en", "Top"), ("from:elonmusk", "Latest")):
        out += walk(p.search, {"rawQuery": query, "count": 20, "product": product}, 3)
    return out


async def run(p: Pages, task_type: str, params: dict[str, Any]):
    out = [page async for page in collect(task_type, params, InProcess(p))]
    skipped: Counter[str] = Counter()
    for page in out:
        skipped.update(page.skipped)
    return [i for page in out for i in page.items], skipped


# ---------------------------------------------------------------- off: nothing changes


def test_the_knobs_default_to_off_and_at_zero_serve_the_same_bytes(off):
    config = SandboxConfig()
    assert all(getattr(config, name) == 0.0 for name in REALISM_FIELDS)
    zeros = Pages(SandboxConfig().updated({name: 0.0 for name in REALISM_FIELDS}))
    reference = corpus(off)
    assert len(reference) > 30 and corpus(zeros) == reference
    assert not any(marker in body for body in reference for marker in (
        b"TweetWithVisibilityResults", b"TweetTombstone", b"TweetUnavailable", b"promoted",
        b'"state":"Enabled"}', b"&amp;", b"&lt;", b"&gt;"))


def _strip(doc: Any) -> Any:
    """A page without what the knobs add: extra entries dropped, wrappers and hidden views undone,
    search sort indices (renumbered around the extras) blanked."""
    if isinstance(doc, list):
        return [_strip(v) for v in doc if not _extra(v)]
    if not isinstance(doc, dict):
        return doc
    if doc.get("__typename") == "TweetWithVisibilityResults":
        return _strip({"__typename": "Tweet", **doc["tweet"]})
    out = {k: _strip(v) for k, v in doc.items()}
    if "views" in out and "count" not in out["views"]:
        out["views"] = None
    if str(out.get("sortIndex", "")).startswith("92233720368547"):
        out["sortIndex"] = None
    return out


def _extra(entry: Any) -> bool:
    if not isinstance(entry, dict) or "entryId" not in entry:
        return False
    item = (entry.get("content") or {}).get("itemContent") or {}
    result = (item.get("tweet_results") or {}).get("result") if "tweet_results" in item else None
    return ("promotedMetadata" in item or "tweet_results" in item and (
        result is None or result.get("__typename") in ("TweetTombstone", "TweetUnavailable")))


def _hide_views(doc: Any) -> Any:
    if isinstance(doc, list):
        return [_hide_views(v) for v in doc]
    if not isinstance(doc, dict):
        return doc
    return {k: (None if k == "views" else _hide_views(v)) for k, v in doc.items()}


def test_with_the_knobs_on_the_real_entries_are_the_default_ones(off, same):
    """The knobs only add entries and wrap or hide: what remains is the default page."""
    reference, changed = corpus(off), corpus(same)
    assert len(reference) == len(changed)
    differing = 0
    for before, after in zip(reference, changed, strict=True):
        differing += before != after
        assert _hide_views(_strip(json.loads(after))) == _hide_views(_strip(json.loads(before)))
    assert differing > len(reference) // 2


# ---------------------------------------------------------------- on: the parser's paths


def test_every_page_parses_and_the_odd_items_are_there(on):
    skipped: Counter[str] = Counter()
    raw = b"".join(corpus(on))
    for body in corpus(on):
        op = "SearchTimeline" if b"search_by_raw_query" in body else "UserTweets"
        skipped.update(parse_page(op, body).skipped)
    for marker in (b'"__typename":"TweetWithVisibilityResults"', b'"__typename":"TweetTombstone"',
                   b'"__typename":"TweetUnavailable"', b'"tweet_results":{}', b'"promotedMetadata"',
                   b'"entryId":"promoted-tweet-', b'"views":{"state":"Enabled"}', b"&amp;"):
        assert marker in raw, marker
    assert {"tombstone", "unavailable", "empty", "promoted"} <= set(skipped)


def test_the_same_tweet_gets_the_same_treatment_on_every_request_and_page_size(on):
    again = Pages(SandboxConfig().updated(ALL_ON))
    assert corpus(again) == corpus(on)
    small = on.world.user_id(on.world.by_screen_name("sbx_small"))

    def skips(count: int) -> Counter[str]:
        total: Counter[str] = Counter()
        for body in walk(lambda v: on.user_tweets(v, True), {"userId": small, "count": count}, 50):
            total.update(parse_page("UserTweetsAndReplies", body).skipped)
        # duplicates (a self-thread's parent on the same page) depend on the page size
        return Counter({k: n for k, n in total.items() if k in ODD})

    assert skips(20) == skips(7) == skips(57) and set(skips(20)) == ODD


def test_another_seed_chooses_other_tweets(on):
    other = Pages(SandboxConfig().updated({**ALL_ON, "seed": "other"}))
    mine = [on.world.realism.wrapped(0, k) for k in range(200)]
    theirs = [other.world.realism.wrapped(0, k) for k in range(200)]
    assert mine != theirs and 20 < sum(mine) < 80


async def test_collections_return_exactly_the_default_tweets_and_count_the_skips(off, same):
    cases = [("USER_TWEETS", {"username": "sbx_small", "include_replies": True}),
             ("USER_TWEETS", {"username": "sbx_small"}),
             ("USER_TWEETS", {"username": "elonmusk", "limit": 300}),
             ("USER_TWEETS", {"username": "elonmusk", "include_replies": True, "limit": 137}),
             ("HASHTAG_SEARCH", {"hashtag": "AI", "lang": "en", "limit": 60}),
             ("KEYWORD_SEARCH", {"query": "rocket", "product": "Top", "limit": 45})]
    for task_type, params in cases:
        expected, base_skips = await run(off, task_type, params)
        items, skipped = await run(same, task_type, params)
        ids = [i.id for i in items]
        assert ids == [i.id for i in expected] and len(ids) == len(set(ids)), (task_type, params)
        assert len(ids) == min(params.get("limit", 10**9), len(expected))
        added = skipped - base_skips
        assert added["tombstone"] and added["promoted"] and added["unavailable"] + added["empty"]
        # the same records apart from the hidden view counts
        for a, b in zip(items, expected, strict=True):
            assert a.text == b.text and a.like_count == b.like_count
            assert a.view_count in (None, b.view_count)
    small, _ = await run(same, "USER_TWEETS", {"username": "sbx_small", "include_replies": True})
    assert len(small) == 57


async def test_escaped_text_is_unescaped_and_hidden_views_are_null(on):
    world, tweets = on.world, on.tweets
    items, _ = await run(on, "USER_TWEETS", {"username": "elonmusk", "limit": 200})
    by_id = {tweets.get(0, k).id_str: tweets.get(0, k) for k in range(world.user(0).tweets)}
    escaped = [i for i in items if any(p in i.text for p in ESCAPED_PHRASES)]
    assert len(escaped) > 10
    raw = b"".join(walk(lambda v: on.user_tweets(v, False), {"userId": world.user_id(0), "count": 20}, 10))
    for item in escaped:
        t = by_id[item.id]
        if t.note is None and not item.is_retweet:
            text = f"{t.text} {t.link}" if t.media else t.text
            assert item.text == text  # '&', '<' and '>' as written
            wire = json.dumps(html.escape(text, quote=False), ensure_ascii=False).encode()
            assert wire in raw and wire != json.dumps(t.text, ensure_ascii=False).encode()
    assert b"fish &amp;amp; chips" in raw or not any("fish &amp; chips" in i.text for i in items)
    hidden = [i for i in items if i.view_count is None]
    assert 20 < len(hidden) < 100
    assert all(world.realism.views_hidden(0, by_id[i.id].k) for i in hidden)
    assert all(i.view_count == by_id[i.id].views for i in items if i.view_count is not None
               and not i.is_retweet)


async def test_wrapped_tweets_are_read_like_plain_ones(same, off):
    on = same
    small = on.world.user_id(on.world.by_screen_name("sbx_small"))
    wrapped = [k for k in range(57) if on.world.realism.wrapped(on.world.size - 1, k)]
    assert wrapped
    body = on.user_tweets({"userId": small, "count": 100}, True)
    plain = off.user_tweets({"userId": small, "count": 100}, True)
    assert body.count(b"TweetWithVisibilityResults") >= len(wrapped)
    ids = {on.tweets.get(on.world.size - 1, k).id_str for k in wrapped}
    got = {i.id: i for i in parse_page("UserTweetsAndReplies", body).items}
    ref = {i.id: i for i in parse_page("UserTweetsAndReplies", plain).items}
    assert ids <= set(got) and all(got[i].text == ref[i].text for i in ids)


# ---------------------------------------------------------------- configuration


def test_the_knobs_are_settings_and_checked():
    config = config_from_env({"XGET_SANDBOX_TOMBSTONE_RATE": "0.2", "XGET_SANDBOX_PROMOTED_RATE": "0.1",
                              "XGET_SANDBOX_VISIBILITY_RATE": "0.3", "XGET_SANDBOX_VIEWS_HIDDEN_RATE": "1",
                              "XGET_SANDBOX_ESCAPE_RATE": "0.5", "XGET_SANDBOX_UNAVAILABLE_RATE": "0.05"})
    assert (config.tombstone_rate, config.promoted_rate, config.visibility_rate, config.views_hidden_rate,
            config.escape_rate, config.unavailable_rate) == (0.2, 0.1, 0.3, 1.0, 0.5, 0.05)
    with pytest.raises(ConfigError):
        SandboxConfig().updated({"promoted_rate": 1.5})


def test_changing_a_knob_at_run_time_rebuilds_the_pages():
    app = SandboxX(SandboxConfig())
    uid = app.pages.world.user_id(0)
    before = app.pages.user_tweets({"userId": uid}, False)
    app.update({"promoted_rate": 0.5, "tombstone_rate": 0.5})
    after = app.pages.user_tweets({"userId": uid}, False)
    assert b"promoted-tweet-" in after and b"TweetTombstone" in after and b"promoted" not in before
    app.update({"promoted_rate": 0.0, "tombstone_rate": 0.0})
    assert app.pages.user_tweets({"userId": uid}, False) == before
    assert copy.deepcopy(app.config) == SandboxConfig()
