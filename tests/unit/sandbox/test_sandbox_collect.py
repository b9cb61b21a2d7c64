"""The collection loop over the sandbox's pages (in process): pagination to the end with exact
counts, search, and USER_TWEETS' since/until window."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import pytest

from xget.sandbox.config import SandboxConfig
from xget.sandbox.pages import Pages
from xget.sandbox.tweets import REPLY, RETWEET
from xget.x.collect import collect
from xget.x.errors import BadRequest, TargetNotFound, TargetProtected, TargetSuspended
from xget.x.page import Page, parse_page
from xget.x.records import TweetRecord, UserRecord


class InProcess:
    """A PageFetcher calling the sandbox's page builders directly (no HTTP)."""

    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.calls = 0
        p = pages
        self.ops = {"UserByScreenName": lambda v: p.user_lookup(v, False),
                    "UserByRestId": lambda v: p.user_lookup(v, True),
                    "UserTweets": lambda v: p.user_tweets(v, False),
                    "UserTweetsAndReplies": lambda v: p.user_tweets(v, True),
                    "Followers": lambda v: p.follows(v, True), "Following": lambda v: p.follows(v, False),
                    "SearchTimeline": p.search}

    async def fetch(self, op: str, variables: Mapping[str, Any]) -> Page:
        self.calls += 1
        return parse_page(op, self.ops[op](variables))


@pytest.fixture(scope="module")
def pages() -> Pages:
    return Pages(SandboxConfig())


async def run(pages: Pages, task_type: str, params: dict[str, Any]):
    fetcher = InProcess(pages)
    out = [p async for p in collect(task_type, params, fetcher)]
    return out, [i for p in out for i in p.items], fetcher


def iso(ms: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))


async def test_a_small_users_whole_timeline_is_collected_exactly_once(pages):
    u = pages.world.by_screen_name("sbx_small")
    user = pages.world.user(u)
    originals = [k for k in range(user.tweets) if pages.tweets.get(u, k).kind != REPLY]
    out, items, _ = await run(pages, "USER_TWEETS", {"username": "sbx_small"})
    assert len(items) == len(originals) == len({i.id for i in items})
    assert out[-1].stop_reason == "no_cursor"
    out, items, _ = await run(pages, "USER_TWEETS", {"username": "sbx_small", "include_replies": True})
    assert len(items) == user.tweets == len({i.id for i in items}) == 57
    assert {i.id for i in items} == {pages.tweets.get(u, k).id_str for k in range(57)}


async def test_a_small_users_followers_and_followings_are_listed_exactly_once(pages):
    _, followers, _ = await run(pages, "USER_FOLLOWERS", {"username": "sbx_small"})
    _, following, _ = await run(pages, "USER_FOLLOWING", {"username": "sbx_small"})
    assert len(followers) == len({u.id for u in followers}) == 45
    assert len(following) == len({u.id for u in following}) == 33
    assert all(isinstance(u, UserRecord) for u in followers + following)


async def test_a_user_without_tweets_ends_on_the_first_page(pages):
    out, items, fetcher = await run(pages, "USER_TWEETS", {"username": "sbx_empty"})
    assert items == [] and out[-1].stop_reason == "no_cursor" and fetcher.calls == 2


async def test_the_seed_example_collects_fifty_original_posts_of_elonmusk(pages):
    params = {"username": "elonmusk", "limit": 50, "include_replies": False, "include_retweets": False}
    out, items, _ = await run(pages, "USER_TWEETS", params)
    assert len(items) == 50 == len({i.id for i in items}) and out[-1].stop_reason == "limit"
    assert all(isinstance(i, TweetRecord) and not i.is_retweet and i.in_reply_to_tweet_id is None
               and i.author.screen_name == "elonmusk" for i in items)


@pytest.mark.parametrize(("user", "error"), [("sbx_suspended", TargetSuspended),
                                             ("sbx_protected", TargetProtected),
                                             ("nobody_here", TargetNotFound)])
async def test_unavailable_targets_raise_their_errors(pages, user, error):
    with pytest.raises(error):
        await run(pages, "USER_TWEETS", {"username": user})


async def test_a_protected_users_profile_is_readable(pages):
    _, items, _ = await run(pages, "USER_INFO", {"username": "sbx_protected"})
    assert items[0].protected


async def test_search_returns_only_matching_tweets_deterministically(pages):
    params = {"hashtag": "AI", "lang": "en", "limit": 60}
    _, items, _ = await run(pages, "HASHTAG_SEARCH", params)
    _, again, _ = await run(pages, "HASHTAG_SEARCH", params)
    assert len(items) == 60 and [i.id for i in items] == [i.id for i in again]
    assert all("AI" in i.hashtags and i.lang == "en" and not i.is_retweet for i in items)
    created = [i.created_at for i in items]
    assert created == sorted(created, reverse=True)


async def test_search_from_since_until_bound_the_results(pages):
    params = {"query": "from:elonmusk", "since": "2026-07-20", "until": "2026-07-22", "limit": 1000}
    out, items, _ = await run(pages, "KEYWORD_SEARCH", params)
    assert items and all(i.author.screen_name == "elonmusk" for i in items)
    assert all("2026-07-20T00:00:00Z" <= i.created_at < "2026-07-22T00:00:00Z" for i in items)
    expected = [k for k in range(pages.world.user(0).tweets)
                if "2026-07-20T00:00:00Z" <= iso(pages.tweets.get(0, k).ms) < "2026-07-22T00:00:00Z"
                and pages.tweets.get(0, k).kind != RETWEET]
    assert len(items) == len(expected) and out[-1].stop_reason == "no_cursor"


async def test_top_search_orders_a_window_by_likes_and_skips_the_people_module(pages):
    out, items, _ = await run(pages, "HASHTAG_SEARCH", {"hashtag": "SpaceX", "product": "Top", "limit": 20})
    assert len(items) == 20 and out[0].skipped.get("who_to_follow") == 1


async def test_a_search_without_results_ends_after_three_empty_pages(pages):
    out, items, _ = await run(pages, "KEYWORD_SEARCH", {"query": "qqqzzz", "since": "2026-07-29"})
    assert items == [] and out[-1].stop_reason in ("empty_pages", "no_cursor")


# ---------------------------------------------------------------- USER_TWEETS since / until


def window(pages: Pages, newer_k: int, older_k: int) -> tuple[str, str]:
    """A [since, until) pair of whole dates between two of elonmusk's tweets."""
    return iso(pages.tweets.get(0, older_k).ms)[:10], iso(pages.tweets.get(0, newer_k).ms)[:10]


async def test_user_tweets_keeps_only_tweets_created_in_since_until(pages):
    since, until = window(pages, 100, 400)
    out, items, fetcher = await run(pages, "USER_TWEETS", {"username": "elonmusk", "since": since,
                                                           "until": until})
    expected = {pages.tweets.get(0, k).id_str for k in range(pages.world.user(0).tweets)
                if pages.tweets.get(0, k).kind != REPLY
                and f"{since}T00:00:00Z" <= iso(pages.tweets.get(0, k).ms) < f"{until}T00:00:00Z"}
    assert {i.id for i in items} == expected and len(items) == len(expected) > 0
    assert out[-1].stop_reason == "since"
    full_pages = (pages.world.user(0).tweets * 0.7) // 20
    assert fetcher.calls < full_pages / 2  # it stopped paginating past since


async def test_an_old_pinned_tweet_does_not_stop_the_pagination(pages):
    pin = pages.tweets.pinned(0)
    pinned_at = iso(pages.tweets.get(0, pin).ms)
    since = iso(pages.tweets.get(0, 60).ms)[:10]
    assert pinned_at < since  # the pinned tweet on page 1 is older than since
    out, items, _ = await run(pages, "USER_TWEETS", {"username": "elonmusk", "since": since})
    assert len(out) > 2 and out[-1].stop_reason == "since"
    assert all(i.created_at >= f"{since}T00:00:00Z" for i in items)
    assert pages.tweets.get(0, pin).id_str not in {i.id for i in items}


async def test_since_and_until_accept_date_times_with_an_offset(pages):
    t = pages.tweets.get(0, 30)
    until = iso(t.ms + 1000)  # just after tweet 30
    _, items, _ = await run(pages, "USER_TWEETS", {"username": "elonmusk", "include_replies": True,
                                                    "until": until.replace("Z", "+00:00"), "limit": 3})
    pinned = pages.tweets.get(0, pages.tweets.pinned(0)).id_str
    assert [i.id for i in items if i.id != pinned][0] == t.id_str


async def test_a_malformed_since_is_a_bad_request(pages):
    with pytest.raises(BadRequest):
        await run(pages, "USER_TWEETS", {"username": "elonmusk", "since": "last tuesday"})


def test_page_sizes_follow_the_request_up_to_a_cap_or_a_fixed_knob():
    def tweets_on_page(pages: Pages, count: int) -> int:
        page = parse_page("UserTweets", pages.user_tweets({"userId": "44196397", "count": count},
                                                           with_replies=False))
        return sum(1 for i in page.items if i.id not in page.pinned and i.author.id == "44196397")

    assert tweets_on_page(Pages(SandboxConfig()), 20) == 20
    assert tweets_on_page(Pages(SandboxConfig()), 500) == 100
    assert tweets_on_page(Pages(SandboxConfig(page_size=60)), 20) == 60
    followers = parse_page("Followers", Pages(SandboxConfig()).follows({"userId": "44196397"}, followers=True))
    assert len(followers.items) == 20


async def test_elonmusk_has_a_thousand_original_posts_with_the_seed_examples_settings(pages):
    params = {"username": "elonmusk", "include_replies": False, "include_retweets": False}
    out, items, _ = await run(pages, "USER_TWEETS", params)
    assert len(items) >= 1_000 and out[-1].stop_reason == "no_cursor"
    assert all(not i.is_retweet and i.in_reply_to_tweet_id is None for i in items)


@pytest.mark.parametrize("seed", ["other", "xget-2", "z"])
def test_elonmusk_has_a_thousand_original_posts_whatever_the_seed(seed):
    p = Pages(SandboxConfig(seed=seed))
    kinds = [p.tweets.get(0, k).kind for k in range(p.world.user(0).tweets)]
    assert sum(k not in (REPLY, RETWEET) for k in kinds) >= 1_000
