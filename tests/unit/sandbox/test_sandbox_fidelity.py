"""Fidelity: the sandbox answers in the recorded shapes on every path the parsers read.

The paths "the parsers read" are those the engine's wire Structs (``xget.x.schema``) declare:
both the recorded response and the sandbox's are walked along those Structs. Per operation,
every path both have must hold the same JSON type; and over a corpus of sandbox pages, every
path of the recordings must occur (tweet and user objects are compared by their own relative
paths, since recordings and sandbox nest them differently: in retweets, quotes, modules).
"""

from __future__ import annotations

import json
import types
import typing
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import pytest

from xget.sandbox.config import SandboxConfig
from xget.sandbox.pages import Pages
from xget.fixtures import fixtures_dir
from xget.x.page import parse_page
from xget.x.records import TweetRecord, UserRecord
from xget.x.schema import WResponse


def fixtures() -> Path:
    return fixtures_dir()


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {dict: "object", list: "array", str: "string", type(None): "null"}[type(value)]


def _alternatives(tp: Any) -> list[Any]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [a for a in typing.get_args(tp) if a is not type(None)]
    return [tp]


@cache
def _fields(struct: type) -> list[tuple[str, Any]]:
    return [(f.encode_name, f.type) for f in msgspec.structs.fields(struct)]


def _walk(tp: Any, value: Any, path: str, out: dict[str, set[str]]) -> None:
    for alt in _alternatives(tp):
        if isinstance(alt, type) and issubclass(alt, msgspec.Struct) and isinstance(value, dict):
            for name, sub_type in _fields(alt):
                if name in value:
                    sub = value[name]
                    p = f"{path}.{name}"
                    out.setdefault(p, set()).add(_json_type(sub))
                    _walk(sub_type, sub, p, out)
            return
        if typing.get_origin(alt) is list and isinstance(value, list):
            (inner,) = typing.get_args(alt)
            for item in value:
                _walk(inner, item, f"{path}[]", out)
            return


def read_paths(doc: Any) -> dict[str, set[str]]:
    """Every path of ``doc`` that the parsers' wire Structs declare, with its JSON types."""
    out: dict[str, set[str]] = {}
    _walk(WResponse, doc, "", out)
    return out


_OBJECT_ROOTS = ("tweet_results.result", "retweeted_status_result.result",
                 "quoted_status_result.result", "user_results.result")


def relative(path: str) -> str:
    """A path relative to the innermost tweet or user object it is in."""
    best, root = -1, ""
    for mark in _OBJECT_ROOTS:
        at = path.rfind(mark)
        if at > best:
            best, root = at, mark
    if best < 0:
        return path
    return ("<user>" if root.startswith("user") else "<tweet>") + path[best + len(root):]


@pytest.fixture(scope="module")
def pages() -> Pages:
    return Pages(SandboxConfig())


def sandbox_pages(pages: Pages) -> dict[str, bytes]:
    elon = pages.world.user_id(0)
    return {
        "UserByScreenName": pages.user_lookup({"screen_name": "elonmusk"}, by_id=False),
        "UserTweets": pages.user_tweets({"userId": elon}, with_replies=False),
        "UserTweetsAndReplies": pages.user_tweets({"userId": elon}, with_replies=True),
        "SearchTimeline": pages.search({"rawQuery": "#AI", "product": "Latest"}),
        "Followers": pages.follows({"userId": elon}, followers=True),
        "Following": pages.follows({"userId": elon}, followers=False),
    }


RECORDED = {
    "UserByScreenName": ["twscrape/raw_user_by_login.json"],  # FxEmbed x.json is generation A
    "UserTweets": ["twscrape/raw_user_tweets.json", "FxEmbed/UserTweets/783214.json"],
    "UserTweetsAndReplies": ["twscrape/raw_user_tweets_and_replies.json"],
    "SearchTimeline": ["twscrape/raw_search.json", "FxEmbed/SearchTimeline/neo.json"],
    "Followers": ["twscrape/raw_followers.json"],
    "Following": ["twscrape/raw_following.json"],
}
NEWEST = {op: files[0] for op, files in RECORDED.items()}


@pytest.mark.parametrize("op", sorted(RECORDED))
def test_sandbox_and_recorded_pages_agree_on_the_type_of_every_path_both_have(pages, op):
    ours = read_paths(json.loads(sandbox_pages(pages)[op]))
    for name in RECORDED[op]:
        theirs = read_paths(json.loads((fixtures() / name).read_text(encoding="utf-8-sig")))
        common = set(ours) & set(theirs)
        assert len(common) > 20, name
        differing = {p: (theirs[p], ours[p]) for p in common
                     if not ours[p] <= theirs[p] | {"null"} and not theirs[p] <= ours[p]}
        assert differing == {}, name


def corpus(pages: Pages) -> dict[str, set[str]]:
    """Relative read paths over a few pages of many users, searches and lists."""
    out: dict[str, set[str]] = {}

    def add(body: bytes) -> str | None:
        for p, kinds in read_paths(json.loads(body)).items():
            out.setdefault(relative(p), set()).update(kinds)
        return parse_page(None, body).cursor_bottom

    for u in [u for u in range(40) if pages.world.visible(u)]:
        uid = pages.world.user_id(u)
        add(pages.user_lookup({"userId": uid}, by_id=True))
        for with_replies in (False, True):
            cursor = None
            for _ in range(3):
                cursor = add(pages.user_tweets({"userId": uid, "cursor": cursor}, with_replies))
                if cursor is None:
                    break
    for query in ("#AI", "from:elonmusk"):
        add(pages.search({"rawQuery": query, "product": "Latest"}))
        add(pages.search({"rawQuery": query, "product": "Top"}))
    add(pages.follows({"userId": pages.world.user_id(0)}, followers=True))
    return out


def test_every_path_of_the_newest_recordings_occurs_in_the_sandbox_with_the_same_types(pages):
    ours = corpus(pages)
    theirs: dict[str, set[str]] = {}
    for name in NEWEST.values():
        doc = json.loads((fixtures() / name).read_text(encoding="utf-8-sig"))
        for p, kinds in read_paths(doc).items():
            theirs.setdefault(relative(p), set()).update(kinds)
    assert sorted(set(theirs) - set(ours)) == []
    assert {p: (theirs[p], ours[p]) for p in theirs if theirs[p] != ours[p]} == {}


@pytest.mark.parametrize("op", sorted(RECORDED))
def test_the_parsers_read_sandbox_pages_like_recorded_ones(pages, op):
    ours = parse_page(op, sandbox_pages(pages)[op])
    theirs = parse_page(op, (fixtures() / NEWEST[op]).read_bytes())
    assert ours.items and theirs.items
    assert {type(i) for i in ours.items} == {type(i) for i in theirs.items}
    assert (ours.cursor_bottom is None) == (theirs.cursor_bottom is None) or op == "UserByScreenName"
    for item in ours.items:
        if isinstance(item, TweetRecord):
            assert item.text and item.created_at and item.author is not None and item.lang
        else:
            assert isinstance(item, UserRecord) and item.screen_name and item.created_at


@pytest.mark.parametrize(("recorded", "ours"), [
    ("FxEmbed/UserByScreenName/testsuspendeduser.json",
     lambda p: p.user_lookup({"screen_name": "sbx_suspended"}, by_id=False)),
    ("FxEmbed/SearchTimeline/empty_query_error.json", lambda p: p.search({"rawQuery": "  "})),
    ("FxEmbed/SearchTimeline/query_too_long_error.json", lambda p: p.search({"rawQuery": "x" * 600})),
    ("FxEmbed/SearchTimeline/blocklisted_query.json", lambda p: p.search({"rawQuery": "denylisted"})),
])
def test_error_answers_have_the_recorded_shape_and_raise_the_same_error(pages, recorded, ours):
    theirs_doc = json.loads((fixtures() / recorded).read_text(encoding="utf-8-sig"))
    ours_doc = json.loads(ours(pages))
    assert set(read_paths(theirs_doc)) == set(read_paths(ours_doc))
    errors = []
    for doc in (theirs_doc, ours_doc):
        try:
            parse_page(None, doc)
        except Exception as exc:  # noqa: BLE001 - the class is what is compared
            errors.append(type(exc))
    assert len(errors) == 2 and errors[0] is errors[1]
