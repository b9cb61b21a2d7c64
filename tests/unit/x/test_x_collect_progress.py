"""Pagination that brings nothing new ends; search operators take X's instant forms."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from xget.x.collect import STALE_PAGES_TO_STOP, build_search_query, collect
from xget.x.errors import BadRequest
from xget.x.page import Page
from xget.x.records import TweetRecord, UserRecord

ME = UserRecord(id="1", screen_name="me", name="", description="", location="", url=None,
                created_at=None, followers_count=0, following_count=0, tweet_count=0, like_count=0,
                media_count=0, listed_count=None, verified=False, is_blue_verified=False,
                protected=False, profile_image_url=None, profile_banner_url=None)


def tweet(i: int, *, retweet: bool = False, created: str = "2026-01-01T00:00:00Z") -> TweetRecord:
    return TweetRecord(id=str(i), url="", text="", lang=None, created_at=created, author=ME,
                       conversation_id=None, in_reply_to_tweet_id=None, in_reply_to_user_id=None,
                       in_reply_to_screen_name=None, reply_count=0, retweet_count=0, like_count=0,
                       quote_count=0, bookmark_count=0, view_count=None, hashtags=[], mentions=[],
                       urls=[], media=[], is_retweet=retweet, retweeted_tweet=None, quoted_tweet=None,
                       source=None, possibly_sensitive=False)


class Scripted:
    """Serves the given pages in order, each with a fresh bottom cursor; counts the fetches."""

    def __init__(self, pages: list[list[TweetRecord]]) -> None:
        self.pages = pages
        self.fetches = 0

    async def fetch(self, op: str, variables: Mapping[str, Any]) -> Page:
        if op.startswith("UserBy"):
            return Page(operation=op, items=[ME])
        n = self.fetches
        self.fetches += 1
        items = self.pages[n] if n < len(self.pages) else []
        return Page(operation=op, items=list(items), cursor_bottom=f"C{n + 1}")


async def run(task_type: str, params: dict[str, Any], fetcher: Scripted):
    return [p async for p in collect(task_type, params, fetcher)]


async def test_pages_repeating_collected_ids_under_fresh_cursors_end_the_run():
    fetcher = Scripted([[tweet(1), tweet(2)]] * 100)
    pages = await run("KEYWORD_SEARCH", {"query": "x"}, fetcher)
    assert pages[-1].stop_reason == "no_new_items" and pages[-1].total == 2
    assert fetcher.fetches == 1 + STALE_PAGES_TO_STOP


async def test_pages_whose_every_item_is_filtered_end_the_run_after_the_larger_bound():
    retweets = [[tweet(100 + i, retweet=True)] for i in range(100)]
    fetcher = Scripted(retweets)
    pages = await run("USER_TWEETS", {"username": "me", "include_retweets": False, "limit": 10},
                      fetcher)
    assert pages[-1].stop_reason == "no_new_items" and pages[-1].total == 0
    assert fetcher.fetches == STALE_PAGES_TO_STOP


async def test_a_stretch_of_filtered_pages_shorter_than_the_bound_is_paged_through():
    script = [[tweet(100 + i, retweet=True)] for i in range(STALE_PAGES_TO_STOP - 1)]
    fetcher = Scripted(script + [[tweet(1)]] + [[]] * 5)
    pages = await run("USER_TWEETS", {"username": "me", "include_retweets": False}, fetcher)
    assert pages[-1].total == 1 and pages[-1].stop_reason == "empty_pages"


async def test_empty_pages_still_end_the_run_after_three():
    fetcher = Scripted([[tweet(1)]] + [[]] * 10)
    pages = await run("KEYWORD_SEARCH", {"query": "x"}, fetcher)
    assert pages[-1].stop_reason == "empty_pages" and fetcher.fetches == 4


async def test_pages_newer_than_until_are_progress_not_stale():
    newer = [[tweet(100 + i, created="2026-03-01T00:00:00Z")] for i in range(3 * STALE_PAGES_TO_STOP)]
    fetcher = Scripted(newer + [[tweet(1, created="2026-01-15T00:00:00Z")]])
    pages = await run("USER_TWEETS", {"username": "me", "until": "2026-02-01", "limit": 1}, fetcher)
    assert pages[-1].stop_reason == "limit" and [i.id for i in pages[-1].items] == ["1"]


async def test_a_source_repeating_posts_newer_than_until_still_ends():
    newer = [[tweet(100, created="2026-03-01T00:00:00Z")]] * 100
    fetcher = Scripted(newer)
    pages = await run("USER_TWEETS", {"username": "me", "until": "2026-02-01"}, fetcher)
    assert pages[-1].stop_reason == "no_new_items" and fetcher.fetches == 1 + STALE_PAGES_TO_STOP


@pytest.mark.parametrize(("since", "until", "expected"), [
    ("2026-07-20", "2026-07-21", "since:2026-07-20 until:2026-07-21"),
    ("2026-07-20T00:00:00Z", "2026-07-21T12:30:05Z",
     "since:2026-07-20_00:00:00_UTC until:2026-07-21_12:30:05_UTC"),
    ("2026-07-20T02:00:00+02:00", None, "since:2026-07-20_00:00:00_UTC"),
])
def test_search_instants_take_xs_forms(since, until, expected):
    assert build_search_query("rocket", since=since, until=until) == f"rocket {expected}"


def test_a_malformed_search_instant_is_a_bad_request():
    with pytest.raises(BadRequest):
        build_search_query("rocket", since="July 20")
