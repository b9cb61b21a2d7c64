"""A user list's last page holds only cursors; it is still detected as a user list."""

from __future__ import annotations

import copy
import json

from xget.sandbox.config import SandboxConfig
from xget.sandbox.pages import Pages
from xget.x.page import detect_operation, parse_page


def only_cursors(doc: dict) -> dict:
    d = copy.deepcopy(doc)
    for ins in d["data"]["user"]["result"]["timeline"]["timeline"]["instructions"]:
        if ins.get("entries"):
            ins["entries"] = [e for e in ins["entries"] if e["entryId"].startswith("cursor-")]
    return d


def test_a_recorded_followers_page_with_only_cursors_is_a_user_list(fixtures):
    for name in ("twscrape/raw_followers.json", "twscrape/raw_following.json",
                 "twscrape/raw_verified_followers.json"):
        doc = only_cursors(json.loads((fixtures / name).read_text()))
        assert detect_operation(doc) == "Followers", name
        page = parse_page(None, doc)
        assert page.operation == "Followers" and page.items == [] and page.cursor_bottom


def test_a_sandbox_followers_last_page_is_a_user_list_and_a_timelines_end_is_not():
    pages = Pages(SandboxConfig())
    u = pages.world.by_screen_name("sbx_small")
    uid = pages.world.user_id(u)
    # sbx_small has 45 followers: a page of 100 is the last one; drop its user entries
    doc = only_cursors(json.loads(pages.follows({"userId": uid, "count": 100}, True)))
    assert detect_operation(doc) == "Followers"
    end = json.loads(pages.user_tweets({"userId": uid, "count": 20, "cursor": _past_the_end(pages, uid)},
                                       False))
    assert detect_operation(end) == "UserTweets"


def test_a_recorded_timeline_with_only_cursors_stays_a_tweet_timeline(fixtures):
    for name in ("twscrape/raw_user_tweets.json", "twscrape/raw_user_media.json"):
        doc = json.loads((fixtures / name).read_text())
        d = doc["data"]["user"]["result"]
        tl = (d.get("timeline") or d.get("timeline_v2"))["timeline"]
        for ins in tl["instructions"]:
            if ins.get("entries"):
                ins["entries"] = [e for e in ins["entries"] if e["entryId"].startswith("cursor-")]
            ins.pop("entry", None)
        assert detect_operation(doc) == "UserTweets", name


def _past_the_end(pages: Pages, uid: str) -> str:
    cursor = None
    while True:
        variables = {"userId": uid, "count": 20}
        if cursor:
            variables["cursor"] = cursor
        page = parse_page("UserTweets", pages.user_tweets(variables, False))
        if not page.items:
            return cursor
        cursor = page.cursor_bottom
