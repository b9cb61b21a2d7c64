"""Tolerated shapes: wrappers, tombstones, unavailable and empty items, promoted entries, cursors
in every location, partial failures. Each variant is made from a real recorded page."""

from __future__ import annotations

import copy

from xget.x.page import parse_page

SEARCH = "twscrape/raw_search.json"


def entries(doc):
    instructions = doc["data"]["search_by_raw_query"]["search_timeline"]["timeline"]["instructions"]
    return next(i for i in instructions if i["type"] == "TimelineAddEntries")["entries"]


def result_of(entry):
    return entry["content"]["itemContent"]["tweet_results"]


def test_visibility_wrapper_is_unwrapped(doc):
    d = doc(SEARCH)
    first = entries(d)[0]
    inner = result_of(first)["result"]
    inner.pop("__typename")
    result_of(first)["result"] = {"__typename": "TweetWithVisibilityResults", "tweet": inner,
                                  "limitedActionResults": {"limited_actions": []}}
    page = parse_page("SearchTimeline", d)
    assert page.items[0].id == "2074976613713031490"
    assert len(page.items) == 20


def test_tombstone_unavailable_and_empty_items_are_skipped_and_counted(doc):
    d = doc(SEARCH)
    es = entries(d)
    result_of(es[0])["result"] = {"__typename": "TweetTombstone",
                                  "tombstone": {"__typename": "TextTombstone",
                                                "text": {"text": "This Post was deleted"}}}
    result_of(es[1])["result"] = {"__typename": "TweetUnavailable", "reason": "Protected"}
    es[2]["content"]["itemContent"]["tweet_results"] = {}
    page = parse_page("SearchTimeline", d)
    assert len(page.items) == 17
    assert page.items[0].id == "2074968589820739994"
    assert page.skipped == {"tombstone": 1, "unavailable": 1, "empty": 1}


def test_promoted_entries_are_left_out(doc):
    d = doc(SEARCH)
    es = entries(d)
    promoted = copy.deepcopy(es[3])
    promoted["entryId"] = "promoted-tweet-1-2"
    es.insert(0, promoted)
    es[5]["content"]["itemContent"]["promotedMetadata"] = {"advertiser_results": {}}
    page = parse_page("SearchTimeline", d)
    assert len(page.items) == 19
    assert "2074967301221396711" not in [i.id for i in page.items]  # es[5]: 5th original entry
    assert page.skipped == {"promoted": 2}


def test_replace_entry_delivers_the_bottom_cursor_of_later_search_pages(doc):
    d = doc(SEARCH)
    timeline = d["data"]["search_by_raw_query"]["search_timeline"]["timeline"]
    add = timeline["instructions"][0]
    add["entries"] = [e for e in add["entries"] if not e["entryId"].startswith("cursor-")]
    timeline["instructions"].append({
        "type": "TimelineReplaceEntry", "entry_id_to_replace": "cursor-bottom-0",
        "entry": {"entryId": "cursor-bottom-0", "sortIndex": "0", "content": {
            "entryType": "TimelineTimelineCursor", "__typename": "TimelineTimelineCursor",
            "value": "NEXT-PAGE", "cursorType": "Bottom"}}})
    page = parse_page("SearchTimeline", d)
    assert page.cursor_bottom == "NEXT-PAGE"
    assert len(page.items) == 20


def test_cursor_inside_an_item_content(doc):
    d = doc(SEARCH)
    es = entries(d)
    es[-1]["content"] = {"entryType": "TimelineTimelineItem", "itemContent": {
        "itemType": "TimelineTimelineCursor", "value": "ITEM-CURSOR", "cursorType": "Bottom"}}
    assert parse_page("SearchTimeline", d).cursor_bottom == "ITEM-CURSOR"


def test_a_page_of_only_cursors_is_an_empty_page_not_an_error(doc):
    d = doc(SEARCH)
    add = d["data"]["search_by_raw_query"]["search_timeline"]["timeline"]["instructions"][0]
    add["entries"] = [e for e in add["entries"] if e["entryId"].startswith("cursor-")]
    page = parse_page("SearchTimeline", d)
    assert page.items == []
    assert page.cursor_bottom is not None


def test_partial_failure_keeps_the_data_and_the_warnings(doc):
    d = doc(SEARCH)
    d["errors"] = [{"message": "birdwatch_pivot failed", "code": 29, "name": "TimeoutError",
                    "kind": "ServiceLevel", "path": ["search_by_raw_query"]}]
    page = parse_page("SearchTimeline", d)
    assert len(page.items) == 20
    assert page.errors == ["TimeoutError (29): birdwatch_pivot failed"]


def test_a_duplicate_tweet_in_one_page_is_kept_once(doc):
    d = doc(SEARCH)
    es = entries(d)
    es.insert(5, copy.deepcopy(es[0]))
    page = parse_page("SearchTimeline", d)
    assert len(page.items) == 20
    assert page.skipped == {"duplicate": 1}


def test_a_malformed_item_costs_that_item_only(doc):
    d = doc(SEARCH)
    result_of(entries(d)[0])["result"]["legacy"]["favorite_count"] = "many"
    page = parse_page("SearchTimeline", d)
    assert len(page.items) == 19
    assert page.skipped == {"malformed": 1}
    assert len(page.errors) == 1


def test_legacy_fields_on_the_tweet_itself_are_read(doc):
    d = doc(SEARCH)
    result = result_of(entries(d)[0])["result"]
    result.update(result.pop("legacy"))
    page = parse_page("SearchTimeline", d)
    tweet = page.items[0]
    assert tweet.id == "2074976613713031490"
    assert tweet.created_at is not None and tweet.like_count > 0


def test_timeline_v2_envelope_is_accepted(doc):
    d = doc("twscrape/raw_user_tweets.json")
    result = d["data"]["user"]["result"]
    result["timeline_v2"] = result.pop("timeline")
    assert len(parse_page("UserTweets", d).items) == 21


def test_a_bom_prefixed_payload_is_read(raw):
    page = parse_page("Followers", b"\xef\xbb\xbf" + raw("twscrape/raw_followers.json"))
    assert len(page.items) == 69


def test_user_generation_b_core_with_legacy_counts(doc):
    d = doc("FxEmbed/UserByScreenName/x.json")
    user = d["data"]["user"]["result"]
    legacy = user["legacy"]
    user["core"] = {"screen_name": legacy.pop("screen_name"), "name": legacy.pop("name"),
                    "created_at": legacy.pop("created_at")}
    user["avatar"] = {"image_url": legacy.pop("profile_image_url_https")}
    user["location"] = {"location": legacy.pop("location")}
    user["privacy"] = {"protected": True}
    user["verification"] = {"verified": True}
    legacy.pop("verified")
    (rec,) = parse_page("UserByScreenName", d).items
    assert (rec.screen_name, rec.name, rec.created_at) == ("X", "X", "2007-02-20T14:35:54Z")
    assert (rec.followers_count, rec.listed_count, rec.location) == (68941492, 87168, "everywhere")
    assert rec.protected is True and rec.verified is True
    assert rec.profile_image_url.endswith("5lY42eHs_normal.jpg")


def test_user_not_found_shapes(doc):
    import pytest

    from xget.x.errors import TargetNotFound, Transient

    with pytest.raises(TargetNotFound):
        parse_page("UserByScreenName", {"data": {}})
    with pytest.raises(TargetNotFound):
        parse_page("UserByScreenName", {"data": {"user": {}}})
    with pytest.raises(Transient):
        parse_page("UserTweets", {"data": {"user": {}}, "errors": [
            {"message": "deadline", "name": "DeadlineExceeded", "kind": "ServiceLevel"}]})


def test_a_pinned_tweet_also_listed_in_the_entries_is_kept_once_first(doc):
    d = doc("twscrape/raw_user_tweets.json")
    instructions = d["data"]["user"]["result"]["timeline"]["timeline"]["instructions"]
    pin = next(i for i in instructions if i["type"] == "TimelinePinEntry")
    add = next(i for i in instructions if i["type"] == "TimelineAddEntries")
    add["entries"].insert(3, copy.deepcopy(pin["entry"]))
    page = parse_page("UserTweets", d)
    ids = [i.id for i in page.items]
    assert ids[0] == "2019881223666233717" and ids.count("2019881223666233717") == 1
    assert len(ids) == 21 and page.skipped == {"who_to_follow": 1, "duplicate": 1}


def test_a_malformed_user_costs_that_user_only(doc):
    d = doc("twscrape/raw_followers.json")
    instructions = d["data"]["user"]["result"]["timeline"]["timeline"]["instructions"]
    add = next(i for i in instructions if i["type"] == "TimelineAddEntries")
    add["entries"][1]["content"]["itemContent"]["user_results"]["result"]["relationship_counts"] = \
        {"followers": "lots"}
    page = parse_page("Followers", d)
    assert len(page.items) == 68 and page.skipped == {"malformed": 1}
    assert "338048283" not in [u.id for u in page.items]
    assert page.errors and "338048283" in page.errors[0]


def test_subscribe_suggestions_on_a_profile_timeline_are_left_out(doc):
    d = doc("twscrape/raw_user_tweets.json")
    before = parse_page("UserTweets", copy.deepcopy(d)).skipped.get("who_to_follow", 0)
    user = d["data"]["user"]["result"]
    timeline = (user.get("timeline_v2") or user["timeline"])["timeline"]
    adds = next(i for i in timeline["instructions"] if i.get("entries"))
    suggestion = {"itemType": "TimelineUser", "__typename": "TimelineUser",
                  "user_results": {"result": copy.deepcopy(user)}}
    for prefix in ("who-to-subscribe-1", "whoToFollow-2"):
        adds["entries"].insert(0, {"entryId": prefix, "sortIndex": "1", "content": {
            "entryType": "TimelineTimelineModule", "__typename": "TimelineTimelineModule",
            "displayType": "Vertical",
            "items": [{"entryId": f"{prefix}-user-1", "item": {"itemContent": suggestion}}]}})
    page = parse_page("UserTweets", d)
    assert page.items and all(type(i).__name__ == "TweetRecord" for i in page.items)
    assert page.skipped.get("who_to_follow") == before + 2
