"""An in-process transport that replays recorded pages, and helpers to derive further pages."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from xget.x.page import Page, parse_page


class ReplayFetcher:
    """Serves (operation, cursor) -> recorded response, parsing it like the real session does."""

    def __init__(self, pages: Mapping[tuple[str, str | None], bytes | dict[str, Any]]) -> None:
        self.pages = dict(pages)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def fetch(self, op_name: str, variables: Mapping[str, Any]) -> Page:
        self.calls.append((op_name, dict(variables)))
        key = (op_name, variables.get("cursor"))
        if key not in self.pages:
            raise AssertionError(f"unexpected request {key}")
        return parse_page(op_name, self.pages[key])


def search_page(doc: dict[str, Any], *, id_prefix: str | None = None, bottom: str | None = None,
                keep_items: bool = True) -> dict[str, Any]:
    """A copy of a SearchTimeline response with renumbered tweet ids and another bottom cursor
    (None: no bottom cursor at all)."""
    d = copy.deepcopy(doc)
    add = d["data"]["search_by_raw_query"]["search_timeline"]["timeline"]["instructions"][0]
    out = []
    for e in add["entries"]:
        if e["entryId"].startswith("cursor-bottom"):
            if bottom is not None:
                e["content"]["value"] = bottom
                out.append(e)
            continue
        if e["entryId"].startswith("tweet-"):
            if not keep_items:
                continue
            if id_prefix is not None:
                res = e["content"]["itemContent"]["tweet_results"]["result"]
                res["rest_id"] = id_prefix + res["rest_id"][len(id_prefix):]
        out.append(e)
    add["entries"] = out
    return d


def load(path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


END_OF_USER_TIMELINE: dict[str, Any] = {"data": {"user": {"result": {
    "__typename": "User",
    "timeline": {"timeline": {"instructions": [{"type": "TimelineAddEntries", "entries": []}]}}}}}}
"""The page X serves past a user timeline's last entry: no items, no bottom cursor."""

USER_TWEETS_NEXT = "DAAHCgABHPEX6f6__-sLAAIAAAATMjA3MjEyNjY3NzUzNTM0Njc3OQgAAwAAAAIAAA"
REPLIES_NEXT = "DAAHCgABHPEX6yN__-sLAAIAAAATMjA3NTcyNDIyNTI3MzMyMzY3OAgAAwAAAAIAAA"
