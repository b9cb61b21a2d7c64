"""Walking a timeline's instructions into records, skip counts and cursors.

Entries are visited in page order: the pinned entry, added entries (single items and modules,
flattened), replaced entries and items added to modules. Promoted items, who-to-follow and
recommendation modules are counted and left out; tombstones and unavailable tweets are counted
and left out; an item that appears twice is kept once.
"""

from __future__ import annotations

from xget.x.lenient import MALFORMED
from xget.x.records import Record
from xget.x.schema import WEntry, WItemContent, WModuleItem, WTimeline
from xget.x.schema_items import WTweetRef, WUserResults
from xget.x.tweets import UserCache, build_tweet, unwrap
from xget.x.users import build_user

SKIP_PROMOTED = "promoted"
SKIP_WHO_TO_FOLLOW = "who_to_follow"
SKIP_RECOMMENDATION = "recommendation"
SKIP_PROMPT = "prompt"
SKIP_DUPLICATE = "duplicate"
SKIP_MALFORMED = "malformed"
SKIP_USER_UNAVAILABLE = "user_unavailable"
SKIP_OTHER = "other"

# Entry id prefixes of modules that are suggestions, not results of the query.
_EXCLUDED_PREFIXES: tuple[tuple[str, str], ...] = (
    ("promoted-", SKIP_PROMOTED),
    ("who-to-follow", SKIP_WHO_TO_FOLLOW),
    ("who-to-subscribe", SKIP_WHO_TO_FOLLOW),  # profile timelines' "subscribe to" suggestions
    ("whoToFollow", SKIP_WHO_TO_FOLLOW),
    ("toptabsrpusermodule", SKIP_WHO_TO_FOLLOW),
    ("connect-module", SKIP_WHO_TO_FOLLOW),
    ("tweetdetailrelatedtweets", SKIP_RECOMMENDATION),
    ("module-", SKIP_RECOMMENDATION),
    ("messageprompt", SKIP_PROMPT),
    ("stories", SKIP_PROMPT),
    ("label", SKIP_PROMPT),
    ("frame-", SKIP_PROMPT),
)

class PageBuilder:
    """Accumulates one page: items in order, cursors, skip counts and warnings."""

    __slots__ = ("items", "cursor_bottom", "cursor_top", "cursor_more", "skipped", "errors",
                 "pinned", "_seen", "_users")

    def __init__(self) -> None:
        self.items: list[Record] = []
        self.cursor_bottom: str | None = None
        self.cursor_top: str | None = None
        self.cursor_more: str | None = None
        self.skipped: dict[str, int] = {}
        self.errors: list[str] = []
        self.pinned: list[str] = []
        self._seen: set[str] = set()
        self._users = UserCache()

    def skip(self, reason: str, n: int = 1) -> None:
        """Count an entry that is not a result."""
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def _add(self, record: Record) -> None:
        key = record.id
        if key in self._seen:
            self.skip(SKIP_DUPLICATE)
            return
        self._seen.add(key)
        self.items.append(record)

    def _cursor(self, kind: str | None, value: str | None) -> None:
        if not value:
            return
        if kind == "Bottom":
            self.cursor_bottom = value
        elif kind == "Top":
            self.cursor_top = value
        elif kind in ("ShowMoreThreads", "ShowMore") and self.cursor_more is None:
            self.cursor_more = value

    # -------------------------------------------------------------- timeline walking

    def timeline(self, tl: WTimeline) -> None:
        """Visit every instruction of a timeline in order."""
        for ins in tl.instructions:
            if ins.entries:
                for entry in ins.entries:
                    self.entry(entry)
            if ins.entry is not None:
                before = len(self.items)
                self.entry(ins.entry)
                if ins.type == "TimelinePinEntry":
                    self.pinned.extend(r.id for r in self.items[before:])
            if ins.moduleItems:
                for mi in ins.moduleItems:
                    self._module_item(mi)

    def entry(self, e: WEntry) -> None:
        """Visit one timeline entry: a cursor, an item or a module of items."""
        c = e.content
        if c is None:
            self.skip(SKIP_OTHER)
            return
        if c.cursorType is not None:
            self._cursor(c.cursorType, c.value)
            return
        eid = e.entryId
        for prefix, reason in _EXCLUDED_PREFIXES:
            if eid.startswith(prefix):
                self.skip(reason)
                return
        if c.itemContent is not None:
            self.item(c.itemContent)
        elif c.items is not None:
            for mi in c.items:
                self._module_item(mi)
        else:
            self.skip(SKIP_OTHER)

    def _module_item(self, mi: WModuleItem) -> None:
        body = mi.item
        if body is None or body.itemContent is None:
            self.skip(SKIP_OTHER)
            return
        self.item(body.itemContent)

    def item(self, ic: WItemContent) -> None:
        """Visit one item's content: a tweet, a user or a cursor."""
        if ic.cursorType is not None:
            self._cursor(ic.cursorType, ic.value)
            return
        if ic.promotedMetadata is not None:
            self.skip(SKIP_PROMOTED)
            return
        if ic.tweet_results is not None:
            self.tweet(ic.tweet_results)
        elif ic.user_results is not None:
            self.user(ic.user_results)
        else:
            self.skip(SKIP_OTHER)

    # -------------------------------------------------------------- results

    def tweet(self, ref: WTweetRef) -> None:
        """Add the tweet of one ``tweet_results``, or count why there is none."""
        tweet, reason = unwrap(ref.result)
        if tweet is None:
            self.skip(reason or "empty")
            return
        self._add(build_tweet(tweet, self._users))

    def user(self, ref: WUserResults) -> None:
        """Add the user of one ``user_results``, or count why there is none."""
        wire = ref.result
        if wire is None:
            self.skip("empty")
            return
        if wire.typename == "UserUnavailable":
            self.skip(SKIP_USER_UNAVAILABLE)
            return
        record = build_user(wire) if wire.typename != MALFORMED else None
        if record is None:
            self.skip(SKIP_MALFORMED)
            return
        self._add(record)
