"""The synthetic world: deterministic from its seed, lazily built, with the promised contents."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from xget.sandbox.config import SandboxConfig
from xget.sandbox.pages import Pages
from xget.sandbox.tweets import POST, QUOTE, REPLY, RETWEET
from xget.x.page import parse_page


def fingerprint(pages: Pages) -> list[object]:
    """Ids, names and texts of a sample of users and tweets."""
    out: list[object] = []
    for u in (0, 1, 17, 500, 9000):
        user = pages.world.user(u)
        out.append((user.id, user.screen_name, user.name, user.followers, user.tweets))
        for k in range(min(user.tweets, 5)):
            t = pages.tweets.get(u, k)
            out.append((t.id, t.kind, t.text, t.lang))
    return out


def test_the_same_seed_gives_the_same_world_and_the_same_bytes():
    a, b = Pages(SandboxConfig(seed="alpha")), Pages(SandboxConfig(seed="alpha"))
    assert fingerprint(a) == fingerprint(b)
    assert a.user_tweets({"userId": "44196397"}, False) == b.user_tweets({"userId": "44196397"}, False)
    assert a.search({"rawQuery": "#AI"}) == b.search({"rawQuery": "#AI"})


def test_a_different_seed_gives_a_different_world():
    a, b = Pages(SandboxConfig(seed="alpha")), Pages(SandboxConfig(seed="beta"))
    assert fingerprint(a) != fingerprint(b)
    assert a.world.screen_name(0) == b.world.screen_name(0) == "elonmusk"
    assert a.world.screen_name(1) != b.world.screen_name(1)


def test_elonmusk_has_ten_thousand_followers_and_a_thousand_tweets():
    pages = Pages(SandboxConfig())
    page = parse_page("UserByScreenName", pages.user_lookup({"screen_name": "ElonMusk"}, False))
    elon = page.items[0]
    assert elon.screen_name == "elonmusk" and elon.id == "44196397"
    assert elon.followers_count >= 10_000 and elon.tweet_count >= 1_000


def test_the_world_starts_at_once_and_builds_users_on_demand():
    started = time.perf_counter()
    pages = Pages(SandboxConfig(users=200_000))
    pages.user_lookup({"screen_name": "elonmusk"}, False)
    assert time.perf_counter() - started < 0.5
    assert pages.world.user.cache_info().currsize < 100


def test_follower_counts_follow_a_power_law():
    world = Pages(SandboxConfig()).world
    counts = sorted((world.user(u).followers for u in range(0, 2000)), reverse=True)
    assert counts[0] >= 10 * counts[100] >= 10 * counts[1500]
    assert counts[0] >= 10_000


def test_screen_names_and_ids_resolve_back_to_their_user():
    world = Pages(SandboxConfig()).world
    for u in (0, 1, 77, 4321, world.size - 1):
        assert world.by_screen_name(world.screen_name(u).upper()) == u
        assert world.by_id(world.user_id(u)) == u
    assert world.by_screen_name("nosuchuser") is None and world.by_id("123") is None


def test_a_timeline_is_newest_first_with_strictly_decreasing_times_and_ids():
    pages = Pages(SandboxConfig())
    tweets = [pages.tweets.get(0, k) for k in range(300)]
    assert all(a.ms > b.ms and a.id > b.id for a, b in zip(tweets, tweets[1:]))
    assert pages.world.user(0).index_at(pages.world, tweets[10].ms) == 10


def test_tweets_have_replies_retweets_quotes_media_hashtags_mentions_long_posts_and_languages():
    pages = Pages(SandboxConfig())
    sample = [pages.tweets.get(u, k) for u in range(0, 60) for k in range(min(40, pages.world.user(u).tweets))]
    kinds = Counter(t.kind for t in sample)
    assert all(kinds[k] > 20 for k in (POST, REPLY, RETWEET, QUOTE))
    assert sum(1 for t in sample if t.media) > 50
    assert {m[0] for t in sample for m in t.media} == {"photo", "video", "animated_gif"}
    assert sum(1 for t in sample if t.hashtags) > 100 and sum(1 for t in sample if t.mentions) > 100
    assert sum(1 for t in sample if t.note) > 10
    assert len({t.lang for t in sample}) >= 6


def test_reply_retweet_and_quote_targets_are_older_posts_of_visible_users():
    pages = Pages(SandboxConfig())
    for k in range(400):
        t = pages.tweets.get(0, k)
        if t.target is None:
            continue
        v, j = t.target
        target = pages.tweets.get(v, j)
        assert target.ms < t.ms and target.kind in (POST, QUOTE) and pages.world.visible(v)


@pytest.mark.parametrize("name", ["sbx_small", "sbx_protected", "sbx_suspended", "sbx_empty"])
def test_the_fixed_test_users_exist(name):
    world = Pages(SandboxConfig()).world
    assert world.by_screen_name(name) is not None
