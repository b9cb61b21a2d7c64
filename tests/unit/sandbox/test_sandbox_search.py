"""Sandbox search: sparse queries page through empty stretches, X's date-time form, phrases."""

from __future__ import annotations

import pytest

from xget.sandbox.config import SandboxConfig
from xget.sandbox.pages import Pages
from xget.sandbox.search import WINDOW_MS, Query, QueryError
from xget.sandbox.tweets import search_word
from xget.x.collect import collect
from xget.x.page import parse_page
from test_sandbox_collect import InProcess

SPARSE = "#F1 lang:it since:2026-05-01"


@pytest.fixture(scope="module")
def small() -> Pages:
    return Pages(SandboxConfig(users=1000))


def every_match(pages: Pages, raw: str) -> list[str]:
    """The ids a query matches, window by window from the anchor down to its since (no paging)."""
    q = Query(raw, pages.world)
    s = pages.searcher
    out = []
    for w in range((pages.world.anchor_ms - 1) // WINDOW_MS, q.since_ms // WINDOW_MS - 1, -1):
        out += [pages.tweets.get(u, k).id_str for u, k in s._window_matches(q, w, False)]
    return out


def exhaustive(pages: Pages, raw: str) -> tuple[list[str], int]:
    """Every id served by paging until no cursor, and the longest run of empty pages."""
    ids: list[str] = []
    cursor, run, longest = None, 0, 0
    while True:
        variables = {"rawQuery": raw, "product": "Latest", "count": 20}
        if cursor:
            variables["cursor"] = cursor
        page = parse_page("SearchTimeline", pages.search(variables))
        ids += [i.id for i in page.items]
        run = 0 if page.items else run + 1
        longest = max(longest, run)
        if not page.cursor_bottom:
            return ids, longest
        cursor = page.cursor_bottom


async def test_a_sparse_search_is_collected_whole_by_the_engine(small):
    expected = every_match(small, SPARSE)
    served, longest_empty_run = exhaustive(small, SPARSE)
    assert expected and served == expected and longest_empty_run == 0
    pages = [p async for p in collect("HASHTAG_SEARCH", {"hashtag": "F1", "lang": "it",
                                                         "since": "2026-05-01"}, InProcess(small))]
    assert [i.id for p in pages for i in p.items] == expected
    assert pages[-1].stop_reason == "no_cursor"


def test_a_query_matching_nothing_answers_an_empty_page_with_a_cursor_only_past_the_budget(small):
    # weeks of the small world fit one page's budget: no cursor, the floor was reached
    page = parse_page("SearchTimeline", small.search({"rawQuery": "qqqzzz since:2026-07-01"}))
    assert page.items == [] and page.cursor_bottom is None
    # back to the start of the world does not: an empty page with a cursor, then more
    page = parse_page("SearchTimeline", small.search({"rawQuery": "qqqzzz"}))
    assert page.items == [] and page.cursor_bottom


def test_post_lang_agrees_with_the_built_tweet(small):
    for u in range(0, 1000, 37):
        for k in range(min(40, small.world.user(u).tweets)):
            lang = small.tweets.post_lang(u, k)
            t = small.tweets.get(u, k)
            if lang is not None:
                assert lang == t.lang and t.kind == "post"


@pytest.mark.parametrize(("since", "until"), [
    ("since:2026-07-20_06:30:00_UTC", "until:2026-07-21_00:00:00_UTC"),
    ("since:2026-07-20T06:30:00Z", "until:2026-07-21"),
])
def test_since_and_until_read_xs_date_time_form(small, since, until):
    q = Query(f"rocket {since} {until}", small.world)
    assert q.since_ms == 1784529000_000 and q.until_ms == 1784592000_000


def test_a_malformed_instant_is_a_parsing_error(small):
    with pytest.raises(QueryError):
        Query("rocket since:2026-07-20_06:30_UTC", small.world)


def test_a_quoted_phrase_matches_its_words_in_order(small):
    q = Query('"rocket launch" since:2026-07-01', small.world)
    assert q.phrases == ["rocket launch"] and q.terms == ["rocket", "launch"]
    found = [small.tweets.get(u, k) for u, k in small.searcher.page(q, False, None, 50)[0]]
    words = Query("rocket launch since:2026-07-01", small.world)
    loose = [small.tweets.get(u, k) for u, k in small.searcher.page(words, False, None, 50)[0]]
    # words in order, punctuation aside (X tokenises phrases too)
    assert found and all("rocket launch" in " ".join(search_word(w) for w in t.text.lower().split())
                         for t in found)
    assert len({t.id for t in loose} - {t.id for t in found}) > 0
