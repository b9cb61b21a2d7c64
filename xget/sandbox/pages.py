"""One response per GraphQL operation, in X's envelopes: user lookups, user timelines (with the
pinned entry, conversation modules and who-to-follow), search (``TimelineReplaceEntry`` cursors
on later pages, a people module on Top) and follower lists, plus X's error shapes.

A timeline ends like X's: the page after the last item holds only a top cursor and a
``TimelineTerminateTimeline``; a follower list's last page has no bottom cursor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from xget.sandbox import cursors
from xget.sandbox.config import SandboxConfig
from xget.sandbox.search import Query, QueryError, Searcher
from xget.sandbox.shapes import Shapes
from xget.sandbox.tweets import REPLY, Tweets
from xget.sandbox.world import World

_ENCODE = msgspec.json.Encoder().encode
MAX_QUERY = 512


class XApiError(Exception):
    """An answer other than data: an HTTP status and X's error body."""

    def __init__(self, status: int, code: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"errors": [{"code": code, "message": message, **extra}]}


def graphql_error(code: int, message: str, name: str, kind: str, path: list[str]) -> bytes:
    """A GraphQL error envelope as X sends it (``errors`` plus an empty ``data``)."""
    err = {"message": message, "locations": [{"line": 3, "column": 5}], "path": path,
           "extensions": {"name": name, "source": "Client", "code": code, "kind": kind,
                          "tracing": {"trace_id": "0" * 32}},
           "code": code, "kind": kind, "name": name, "source": "Client"}
    return _ENCODE({"errors": [err], "data": {}})


def _cursor_entry(kind: str, value: str, sort_index: str) -> dict[str, Any]:
    return {"content": {"__typename": "TimelineTimelineCursor", "cursorType": kind,
                        "entryType": "TimelineTimelineCursor", "value": value},
            "entryId": f"cursor-{kind.lower()}-{sort_index}", "sortIndex": sort_index}


def _tweet_content(raw: msgspec.Raw) -> dict[str, Any]:
    return {"__typename": "TimelineTweet", "itemType": "TimelineTweet", "tweetDisplayType": "Tweet",
            "tweet_results": {"result": raw}}


def _user_content(raw: msgspec.Raw) -> dict[str, Any]:
    return {"__typename": "TimelineUser", "itemType": "TimelineUser", "userDisplayType": "User",
            "user_results": {"result": raw}}


def _item(entry_id: str, sort_index: str, content: dict[str, Any], component: str) -> dict[str, Any]:
    return {"content": {"__typename": "TimelineTimelineItem",
                        "clientEventInfo": {"component": component, "element": "tweet"
                                            if content["__typename"] == "TimelineTweet" else "user"},
                        "entryType": "TimelineTimelineItem", "itemContent": content},
            "entryId": entry_id, "sortIndex": sort_index}


def _module(entry_id: str, sort_index: str, items: list[tuple[str, dict[str, Any]]], display: str,
            component: str, **extra: Any) -> dict[str, Any]:
    return {"content": {"__typename": "TimelineTimelineModule",
                        "clientEventInfo": {"component": component, "element": "module"},
                        "displayType": display, "entryType": "TimelineTimelineModule",
                        "items": [{"entryId": f"{entry_id}-{sub}",
                                   "item": {"clientEventInfo": {"component": component},
                                            "itemContent": content}}
                                  for sub, content in items], **extra},
            "entryId": entry_id, "sortIndex": sort_index}


class Pages:
    """Builds response bodies for one world and configuration."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.world = World(config)
        self.tweets = Tweets(self.world)
        self.shapes = Shapes(self.world, self.tweets)
        self.searcher = Searcher(self.world, self.tweets)

    def _extras(self, extras: list[tuple[str, int]], tid: int, sort: int,
                component: str) -> list[dict[str, Any]]:
        """The entries of a tweet's ``extras`` (``Realism.extras``), to go just before its entry
        (id ``tid``, sort index ``sort``): sort indices ``sort + n`` down to ``sort + 1``; never
        results (see xget/sandbox/realism.py)."""
        realism = self.world.realism
        out = []
        for i, (kind, draw) in enumerate(extras):
            sort_index = str(sort + len(extras) - i)
            if kind == "promoted":
                entry = self._promoted(draw, sort_index, component)
                if entry is not None:
                    out.append(entry)
                continue
            content = {"__typename": "TimelineTweet", "itemType": "TimelineTweet",
                       "tweetDisplayType": "Tweet", "tweet_results": realism.missing_result(kind, draw)}
            # a post X no longer shows, between this one and the next newer: an id of its own
            out.append(_item(f"tweet-{tid + len(extras) - i}", sort_index, content, component))
        return out

    def _promoted(self, draw: int, sort_index: str, component: str) -> dict[str, Any] | None:
        world = self.world
        v = 1 + draw % 50
        if not world.visible(v) or world.user(v).tweets == 0:
            return None
        j = (draw >> 8) % min(20, world.user(v).tweets)
        tid = self.tweets.tweet_id(v, j)
        impression = world.realism.impression(draw)
        content = _tweet_content(self.shapes.tweet_raw(v, j))
        content["promotedMetadata"] = {
            "advertiser_results": {"result": self.shapes.user_raw(v)},
            "disclosureType": "NoDisclosure", "experimentValues": [],
            "impressionId": impression, "impressionString": impression,
            "clickTrackingInfo": {"urlParams": [{"key": "twclid", "value": f"2-{impression}"}]}}
        prefix = "tweet" if (draw >> 4) % 4 == 0 else "promoted-tweet"
        return _item(f"{prefix}-{tid}-{impression}", sort_index, content, component)

    def _count(self, variables: Mapping[str, Any]) -> int:
        if self.config.page_size:
            return self.config.page_size
        try:
            count = int(variables.get("count") or 20)
        except (TypeError, ValueError):
            count = 20
        return max(1, min(count, self.config.max_page_size))

    # ------------------------------------------------------------------ users

    def _unavailable(self, u: int) -> dict[str, Any]:
        return {"rest_id": self.world.user_id(u), "result": {
            "__typename": "UserUnavailable", "message": "User is suspended", "reason": "Suspended"}}

    def user_lookup(self, variables: Mapping[str, Any], by_id: bool) -> bytes:
        """UserByScreenName / UserByRestId."""
        if by_id:
            u = self.world.by_id(str(variables.get("userId") or ""))
        else:
            u = self.world.by_screen_name(str(variables.get("screen_name") or ""))
        if u is None:
            return b'{"data":{}}'
        if self.world.is_suspended(u):
            return _ENCODE({"data": {"user": self._unavailable(u)}})
        return _ENCODE({"data": {"user": {"result": self.shapes.user_raw(u)}}})

    def _target(self, variables: Mapping[str, Any], protected_ok: bool = False) -> int | bytes:
        u = self.world.by_id(str(variables.get("userId") or ""))
        if u is None:
            return b'{"data":{"user":{}}}'
        if self.world.is_suspended(u):
            return _ENCODE({"data": {"user": self._unavailable(u)}})
        if self.world.is_protected(u) and not protected_ok:
            return _ENCODE({"errors": [{
                "message": "Authorization: Sorry, you are not authorized to see this status.",
                "code": 179, "kind": "Permissions", "name": "AuthorizationError", "source": "Client",
                "path": ["user", "result", "timeline"]}], "data": {"user": {}}})
        return u

    @staticmethod
    def _user_timeline(instructions: list[dict[str, Any]]) -> bytes:
        return _ENCODE({"data": {"user": {"result": {"__typename": "User", "timeline": {
            "timeline": {"instructions": instructions,
                         "metadata": {"scribeConfig": {"page": "profileBest"}}}}}}}})

    # ------------------------------------------------------------------ timelines

    def user_tweets(self, variables: Mapping[str, Any], with_replies: bool) -> bytes:
        """UserTweets / UserTweetsAndReplies: newest first, 20 entries a page."""
        target = self._target(variables)
        if isinstance(target, bytes):
            return target
        u = target
        tag = cursors.REPLIES_TIMELINE if with_replies else cursors.USER_TIMELINE
        base = self.world.base
        raw_cursor = variables.get("cursor")
        k = 0
        if raw_cursor:
            decoded = cursors.decode(base, tag, str(raw_cursor), salt=u)
            if decoded is None:
                raise XApiError(400, 214, "BadRequest: invalid cursor")
            k = decoded[0]
        user = self.world.user(u)
        count = self._count(variables)
        instructions: list[dict[str, Any]] = []
        entries: list[dict[str, Any]] = []
        if k == 0:
            instructions.append({"type": "TimelineClearCache"})
            pin = self.tweets.pinned(u)
            if pin is not None:
                raw = self.shapes.tweet_raw(u, pin)
                pin_id = str(self.tweets.tweet_id(u, pin))
                entry = _item(f"tweet-{pin_id}", pin_id, _tweet_content(raw), "pinned_tweets")
                entry["content"]["itemContent"]["socialContext"] = {
                    "contextType": "Pin", "text": "Pinned", "type": "TimelineGeneralContext"}
                instructions.append({"type": "TimelinePinEntry", "entry": entry})
        top_sort = str(self.tweets.tweet_id(u, k) + 1 if k < user.tweets else 1)
        served = 0
        extras_on = self.world.realism.extras_on
        while k < user.tweets and served < count:
            t = self.tweets.get(u, k)
            k += 1
            sort = t.id_str
            if t.kind == REPLY and not with_replies:
                continue
            if extras_on:
                entries.extend(self._extras(self.world.realism.extras(u, t.k), t.id, t.id, "tweet"))
            if t.kind == REPLY:
                v, j = t.target  # type: ignore[misc]
                parent = self.tweets.tweet_id(v, j)
                entries.append(_module(
                    f"profile-conversation-{sort}", sort,
                    [(f"tweet-{parent}", _tweet_content(self.shapes.tweet_raw(v, j))),
                     (f"tweet-{sort}", _tweet_content(self.shapes.tweet_raw(u, t.k)))],
                    "VerticalConversation", "tweet",
                    metadata={"conversationMetadata": {"allTweetIds": [str(parent), sort],
                                                       "enableDeduplication": True}}))
            else:
                entries.append(_item(f"tweet-{sort}", sort, _tweet_content(self.shapes.tweet_raw(u, t.k)),
                                     "tweet"))
            served += 1
            if served == 3 and raw_cursor is None and self.config.modules:
                entries.append(self._who_to_follow(u, sort))
        if entries:
            entries.append(_cursor_entry("Top", cursors.encode(base, tag, (0,), salt=u), top_sort))
            entries.append(_cursor_entry("Bottom", cursors.encode(base, tag, (k,), salt=u),
                                         str(max(1, int(entries[-2]["sortIndex"]) - 1))))
            instructions.append({"type": "TimelineAddEntries", "entries": entries})
        else:
            instructions.append({"type": "TimelineAddEntries", "entries": [
                _cursor_entry("Top", cursors.encode(base, tag, (0,), salt=u), top_sort)]})
            instructions.append({"type": "TimelineTerminateTimeline", "direction": "Bottom"})
        return self._user_timeline(instructions)

    def _who_to_follow(self, u: int, sort: str) -> dict[str, Any]:
        picks = [v for v in (1, 2, 3, 4) if v != u and not self.world.is_suspended(v)][:3]
        entry_id = f"who-to-follow-{sort}"
        return _module(entry_id, sort, [(f"user-{self.world.user_id(v)}",
                                         _user_content(self.shapes.user_raw(v))) for v in picks],
                       "Vertical", "suggest_who_to_follow",
                       header={"displayType": "Classic", "sticky": False, "text": "Who to follow"})

    def follows(self, variables: Mapping[str, Any], followers: bool) -> bytes:
        """Followers / Following."""
        target = self._target(variables)
        if isinstance(target, bytes):
            return target
        u = target
        tag = cursors.FOLLOWERS if followers else cursors.FOLLOWING
        base = self.world.base
        pos = listed = 0
        raw_cursor = variables.get("cursor")
        if raw_cursor:
            decoded = cursors.decode(base, tag, str(raw_cursor), salt=u)
            if decoded is None:
                raise XApiError(400, 214, "BadRequest: invalid cursor")
            pos, listed = decoded
        users, pos, listed, ended = self.world.graph_page(u, followers, pos, listed,
                                                          self._count(variables))
        sort = 2_000_000_000_000_000_000 - listed * 1000
        entries = [_item(f"user-{self.world.user_id(v)}", str(sort + 1000 - i),
                         _user_content(self.shapes.user_raw(v)),
                         "FollowersSgs" if followers else "FollowingSgs")
                   for i, v in enumerate(users)]
        if not ended:
            entries.append(_cursor_entry("Bottom", cursors.encode(base, tag, (pos, listed), salt=u),
                                         str(sort - 1)))
        entries.append(_cursor_entry("Top", cursors.encode(base, tag, (0, 0), salt=u), str(sort + 1001)))
        return self._user_timeline([
            {"type": "TimelineClearCache"},
            {"type": "TimelineTerminateTimeline", "direction": "Top"},
            {"type": "TimelineTerminateTimeline", "direction": "Bottom"},
            {"type": "TimelineAddEntries", "entries": entries}])

    # ------------------------------------------------------------------ search

    def search(self, variables: Mapping[str, Any]) -> bytes:
        """SearchTimeline, product Latest or Top."""
        raw = str(variables.get("rawQuery") or "")
        path = ["search_by_raw_query", "search_timeline", "timeline"]
        if len(raw) > MAX_QUERY:
            return graphql_error(214, f"BadRequest: Raw query length {len(raw)} exceeds max allowed "
                                 f"{MAX_QUERY}", "BadRequestError", "Validation", path)
        lowered = raw.lower()
        if any(term.lower() in lowered for term in self.config.denylisted_terms):
            return graphql_error(214, "BadRequest: Query is denylisted in Search Content Control tool.",
                                 "BadRequestError", "Validation", path)
        try:
            query = Query(raw, self.world)
        except QueryError as exc:
            return graphql_error(214, f"BadRequest: {exc}", "BadRequestError", "Validation", path)
        top = variables.get("product") == "Top"
        tag = cursors.TOP if top else cursors.SEARCH
        salt = cursors.salt_of(raw)
        base = self.world.base
        raw_cursor = variables.get("cursor")
        position = None
        if raw_cursor:
            position = cursors.decode(base, tag, str(raw_cursor), salt=salt)
            if position is None:
                raise XApiError(400, 214, "BadRequest: invalid cursor")
        results, nxt = self.searcher.page(query, top, position, self._count(variables))  # type: ignore[arg-type]
        entries = []
        if top and position is None and self.config.modules and results:
            authors = list(dict.fromkeys(u for u, _ in results))[:3]
            entries.append(_module("toptabsrpusermodule-1", "9223372036854775806", [
                (f"user-{self.world.user_id(v)}", _user_content(self.shapes.user_raw(v))) for v in authors],
                "Vertical", "user_module", header={"displayType": "Classic", "sticky": True, "text": "People"}))
        component = "latest_nightowl_recency" if not top else "result"
        sort = 9223372036854775000
        extras_on = self.world.realism.extras_on
        for u, k in results:
            tid = self.tweets.tweet_id(u, k)
            if extras_on:
                extras = self.world.realism.extras(u, k)
                sort -= len(extras)
                entries.extend(self._extras(extras, tid, sort, component))
            entries.append(_item(f"tweet-{tid}", str(sort), _tweet_content(self.shapes.tweet_raw(u, k)),
                                 component))
            sort -= 1
        top_cursor = _cursor_entry("Top", cursors.encode(base, tag, (1 << 40, 0), salt=salt),
                                   "9223372036854775807")
        bottom = (_cursor_entry("Bottom", cursors.encode(base, tag, nxt, salt=salt), "0")
                  if nxt is not None else None)
        instructions: list[dict[str, Any]]
        if position is None:
            entries.append(top_cursor)
            if bottom is not None:
                entries.append(bottom)
            instructions = [{"type": "TimelineAddEntries", "entries": entries}]
        else:
            # later pages deliver their cursors by replacing the first page's cursor entries
            instructions = [{"type": "TimelineAddEntries", "entries": entries},
                            {"type": "TimelineReplaceEntry", "entry_id_to_replace": top_cursor["entryId"],
                             "entry": top_cursor}]
            if bottom is not None:
                instructions.append({"type": "TimelineReplaceEntry",
                                     "entry_id_to_replace": bottom["entryId"], "entry": bottom})
        return _ENCODE({"data": {"search_by_raw_query": {"search_timeline": {"timeline": {
            "instructions": instructions}}}}})
