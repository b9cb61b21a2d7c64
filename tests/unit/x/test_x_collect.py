"""The collection loop over an in-process transport replaying recorded pages."""

from __future__ import annotations

import pytest
from x_replay import (
    END_OF_USER_TIMELINE,
    REPLIES_NEXT,
    USER_TWEETS_NEXT,
    ReplayFetcher,
    load,
    search_page,
)

from xget.x.collect import build_search_query, collect
from xget.x.errors import BadRequest

XDEV = "2244994945"


async def run(task_type, params, fetcher, **kw):
    return [p async for p in collect(task_type, params, fetcher, **kw)]


@pytest.fixture
def search_doc(fixtures):
    return load(fixtures / "twscrape/raw_search.json")


def three_pages(search_doc):
    return {
        ("SearchTimeline", None): search_page(search_doc, bottom="C1"),
        ("SearchTimeline", "C1"): search_page(search_doc, id_prefix="31", bottom="C2"),
        ("SearchTimeline", "C2"): search_page(search_doc, id_prefix="32", bottom="C3"),
        ("SearchTimeline", "C3"): search_page(search_doc, keep_items=False, bottom="C4"),
        ("SearchTimeline", "C4"): search_page(search_doc, keep_items=False, bottom="C5"),
        ("SearchTimeline", "C5"): search_page(search_doc, keep_items=False, bottom="C6"),
    }


async def test_limit_cuts_exactly_and_stops(search_doc):
    fetcher = ReplayFetcher(three_pages(search_doc))
    pages = await run("KEYWORD_SEARCH", {"query": "tesla", "limit": 30}, fetcher)
    assert [len(p.items) for p in pages] == [20, 10]
    assert [p.cursor for p in pages] == ["C1", "C2"]
    assert pages[-1].done and pages[-1].stop_reason == "limit" and pages[-1].total == 30
    ids = [i.id for p in pages for i in p.items]
    assert len(set(ids)) == 30
    assert len(fetcher.calls) == 2


async def test_three_empty_pages_in_a_row_end_the_execution(search_doc):
    fetcher = ReplayFetcher(three_pages(search_doc))
    pages = await run("KEYWORD_SEARCH", {"query": "tesla", "limit": 1000}, fetcher)
    assert [len(p.items) for p in pages] == [20, 20, 20, 0, 0, 0]
    assert pages[-1].stop_reason == "empty_pages" and pages[-1].total == 60


async def test_no_cursor_ends_the_execution_with_min_of_limit_and_available(search_doc):
    fetcher = ReplayFetcher({
        ("SearchTimeline", None): search_page(search_doc, bottom="C1"),
        ("SearchTimeline", "C1"): search_page(search_doc, id_prefix="31", bottom=None),
    })
    pages = await run("KEYWORD_SEARCH", {"query": "tesla", "limit": 100}, fetcher)
    assert pages[-1].stop_reason == "no_cursor" and pages[-1].total == 40


async def test_a_repeated_cursor_ends_the_execution(search_doc):
    fetcher = ReplayFetcher({
        ("SearchTimeline", None): search_page(search_doc, bottom="C1"),
        ("SearchTimeline", "C1"): search_page(search_doc, id_prefix="31", bottom="C1"),
    })
    pages = await run("KEYWORD_SEARCH", {"query": "tesla", "limit": 100}, fetcher)
    assert pages[-1].stop_reason == "repeated_cursor" and pages[-1].total == 40


async def test_no_id_is_collected_twice(search_doc):
    fetcher = ReplayFetcher({
        ("SearchTimeline", None): search_page(search_doc, bottom="C1"),
        ("SearchTimeline", "C1"): search_page(search_doc, bottom="C2"),  # same tweets again
        ("SearchTimeline", "C2"): search_page(search_doc, id_prefix="31", bottom=None),
    })
    pages = await run("KEYWORD_SEARCH", {"query": "tesla", "limit": 100}, fetcher)
    assert [len(p.items) for p in pages] == [20, 0, 20]


async def test_resume_from_a_checkpoint_continues_without_duplicates(search_doc):
    pages = three_pages(search_doc)
    first = await anext(collect("KEYWORD_SEARCH", {"query": "q", "limit": 50}, ReplayFetcher(pages)))
    seen = {i.id for i in first.items}
    fetcher = ReplayFetcher(pages)
    rest = await run("KEYWORD_SEARCH", {"query": "q", "limit": 50}, fetcher,
                     resume_cursor=first.cursor, seen_ids=seen, already=first.total)
    assert fetcher.calls[0][1]["cursor"] == "C1"
    assert [len(p.items) for p in rest] == [20, 10]
    assert rest[-1].total == 50 and len(seen) == 50


async def test_search_builds_the_raw_query(search_doc):
    fetcher = ReplayFetcher({("SearchTimeline", None): search_page(search_doc, bottom=None)})
    await run("KEYWORD_SEARCH", {"query": "tesla", "since": "2026-01-01", "until": "2026-02-01",
                                 "lang": "en", "product": "Top", "limit": 5}, fetcher)
    op, variables = fetcher.calls[0]
    assert op == "SearchTimeline"
    assert variables["rawQuery"] == "tesla since:2026-01-01 until:2026-02-01 lang:en"
    assert variables["product"] == "Top"


async def test_hashtag_search_searches_the_tag(search_doc):
    fetcher = ReplayFetcher({("SearchTimeline", None): search_page(search_doc, bottom=None)})
    await run("HASHTAG_SEARCH", {"hashtag": "python", "limit": 5}, fetcher)
    assert fetcher.calls[0][1]["rawQuery"] == "#python"
    assert fetcher.calls[0][1]["product"] == "Latest"


def test_search_query_without_options_is_the_query():
    assert build_search_query(" elon musk ") == "elon musk"


async def test_user_tweets_resolves_the_user_and_keeps_own_posts(raw):
    fetcher = ReplayFetcher({
        ("UserByScreenName", None): raw("twscrape/raw_user_by_login.json"),
        ("UserTweets", None): raw("twscrape/raw_user_tweets.json"),
        ("UserTweets", USER_TWEETS_NEXT): END_OF_USER_TIMELINE,
    })
    pages = await run("USER_TWEETS", {"username": "XDevelopers", "limit": 100}, fetcher)
    assert fetcher.calls[0] == ("UserByScreenName", {"screen_name": "XDevelopers"})
    assert fetcher.calls[1][1]["userId"] == XDEV
    assert pages[0].total == 21 and pages[0].items[0].id == "2019881223666233717"  # pinned first
    assert pages[-1].stop_reason == "no_cursor" and pages[-1].total == 21


async def test_user_tweets_without_retweets(raw):
    fetcher = ReplayFetcher({("UserTweets", None): raw("twscrape/raw_user_tweets.json"),
                             ("UserTweets", USER_TWEETS_NEXT): END_OF_USER_TIMELINE})
    pages = await run("USER_TWEETS", {"user_id": XDEV, "limit": 100, "include_retweets": False},
                      fetcher)
    assert [i.id for i in pages[0].items] == [
        "2019881223666233717", "2082640274845811115", "2082640276389249363",
        "2074882755905585583", "2072126677535346779"]


async def test_user_tweets_with_replies_uses_that_operation_and_drops_others_posts(raw):
    fetcher = ReplayFetcher({
        ("UserTweetsAndReplies", None): raw("twscrape/raw_user_tweets_and_replies.json"),
        ("UserTweetsAndReplies", REPLIES_NEXT): END_OF_USER_TIMELINE})
    pages = await run("USER_TWEETS", {"user_id": XDEV, "limit": 100, "include_replies": True},
                      fetcher)
    assert pages[0].total == 21
    assert all(i.author.id == XDEV for i in pages[0].items)
    pages = await run("USER_TWEETS", {"user_id": XDEV, "limit": 100, "include_replies": True,
                                      "include_retweets": False}, fetcher)
    assert [i.id for i in pages[0].items] == [
        "2019881223666233717", "2083305191776924151", "2082644401822548386",
        "2082643509970948198", "2082640274845811115", "2082640276389249363",
        "2079326854322733289", "2077992805851644128", "2075724289643290711"]


async def test_user_info_yields_one_user(raw):
    fetcher = ReplayFetcher({("UserByScreenName", None): raw("twscrape/raw_user_by_login.json")})
    (page,) = await run("USER_INFO", {"username": "@XDevelopers"}, fetcher)
    assert [u.id for u in page.items] == [XDEV] and page.done and page.total == 1


async def test_followers_and_following(raw):
    fetcher = ReplayFetcher({("Followers", None): raw("twscrape/raw_followers.json"),
                             ("Following", None): raw("twscrape/raw_following.json"),
                             ("Following", "1771337970390780275|2085474368099450818"):
                                 raw("twscrape/raw_following.json")})
    pages = await run("USER_FOLLOWERS", {"user_id": XDEV, "limit": 50}, fetcher)
    assert pages[-1].total == 50 and pages[-1].stop_reason == "limit"
    pages = await run("USER_FOLLOWING", {"user_id": XDEV, "limit": 500}, fetcher)
    # the second page repeats the first: nothing new, then the repeated cursor stops it
    assert [len(p.items) for p in pages] == [60, 0]
    assert pages[-1].stop_reason == "repeated_cursor"


async def test_missing_parameters_are_bad_requests():
    fetcher = ReplayFetcher({})
    with pytest.raises(BadRequest):
        await run("KEYWORD_SEARCH", {"limit": 5}, fetcher)
    with pytest.raises(BadRequest):
        await run("USER_TWEETS", {"limit": 5}, fetcher)
    with pytest.raises(BadRequest):
        await run("KEYWORD_SEARCH", {"query": "x", "product": "People"}, fetcher)
