"""One X GraphQL response in, one :class:`Page` out: ``parse_page`` and ``detect_operation``.

The response's ``data`` root says which family it belongs to (a user lookup, a user's timeline,
a search, a tweet's conversation...). An ``errors`` array with no usable data becomes a typed
error (:mod:`xget.x.errors`); next to usable data it is kept as warnings on the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import msgspec

from xget.x.errors import (
    NotXResponse,
    TargetNotFound,
    TargetSuspended,
    XError,
    error_from_x_errors,
)
from xget.x.lenient import MALFORMED, decode_leniently
from xget.x.records import Record, TweetRecord, UserRecord
from xget.x.schema import (
    KEYS_DECODER,
    RESPONSE_DECODER,
    WData,
    WEntry,
    WResponse,
    WTimeline,
    WUserHolder,
)
from xget.x.timeline import PageBuilder
from xget.x.users import build_user, user_unavailable_reason

ENTRY_OPERATION = "TimelineEntry"
"""Pseudo operation of a bare timeline entry (the README samples of some projects)."""

# Which ``data`` root each operation answers under; used to refuse a response given for the
# wrong ``--op`` and by detection. Operations sharing a root share a parser.
OPERATION_ROOTS: dict[str, str] = {
    "UserByScreenName": "user",
    "UserByRestId": "user",
    "UserTweets": "user",
    "UserTweetsAndReplies": "user",
    "UserMedia": "user",
    "Likes": "user",
    "Followers": "user",
    "Following": "user",
    "BlueVerifiedFollowers": "user",
    "UserCreatorSubscriptions": "user",
    "UserResultByScreenName": "user_results",
    "AboutAccountQuery": "user_result_by_screen_name",
    "SearchTimeline": "search_by_raw_query",
    "TweetDetail": "threaded_conversation_with_injections_v2",
    "ListLatestTweetsTimeline": "list",
    "ListMembers": "list",
    "Retweeters": "retweeters_timeline",
    "Favoriters": "favoriters_timeline",
    "Bookmarks": "bookmark_timeline_v2",
    "HomeTimeline": "home",
    "HomeLatestTimeline": "home",
    "CommunityTweetsTimeline": "communityResults",
    "membersSliceTimeline_Query": "communityResults",
    "moderatorsSliceTimeline_Query": "communityResults",
    "GenericTimelineById": "timeline",
    "BlockedAccountsAll": "viewer",
    "UsersByRestIds": "users",
    "TweetResultByRestId": "tweetResult",
    "TweetResultsByRestIds": "tweetResult",
    "TweetResultsByIds": "tweet_results",
    ENTRY_OPERATION: "",
}

_USER_LOOKUPS = frozenset({"UserByScreenName", "UserByRestId", "UserResultByScreenName",
                           "AboutAccountQuery"})


class Page(msgspec.Struct, kw_only=True):
    """The normalized content of one response.

    ``cursor_bottom`` is where the next page starts (None: the timeline has no further page),
    ``skipped`` counts entries left out by reason (``promoted``, ``tombstone``, ``unavailable``,
    ``who_to_follow``, ``duplicate``...), ``errors`` holds the warnings of a partial failure,
    ``pinned`` the ids of items that came from a ``TimelinePinEntry`` (a user's pinned tweet).
    """

    operation: str
    items: list[Record] = []
    cursor_bottom: str | None = None
    cursor_top: str | None = None
    skipped: dict[str, int] = {}
    errors: list[str] = []
    pinned: list[str] = []


def _to_bytes(payload: bytes | bytearray | memoryview | str | Mapping[str, Any] | list[Any]) -> bytes:
    if isinstance(payload, (bytes, bytearray, memoryview)):
        data = bytes(payload)
        return data[3:] if data[:3] == b"\xef\xbb\xbf" else data
    if isinstance(payload, str):
        return payload.lstrip("\ufeff").encode()
    return msgspec.json.encode(payload)


def _decode(payload: Any) -> tuple[WResponse, bytes, list[str]]:
    raw = _to_bytes(payload)
    try:
        return RESPONSE_DECODER.decode(raw), raw, []
    except msgspec.ValidationError:
        pass  # one field of an unexpected type somewhere: isolate it
    except msgspec.DecodeError as exc:
        raise NotXResponse(f"not an X GraphQL response: {exc}") from None
    try:
        resp, warnings = decode_leniently(raw)
    except msgspec.DecodeError as exc:
        raise NotXResponse(f"not an X GraphQL response: {exc}") from None
    return resp, raw, warnings


def _roots(data: WData) -> list[str]:
    present = []
    for name in WData.__struct_fields__:
        if getattr(data, name) is not None:
            present.append("list" if name == "list_" else name)
    return present


def _x_errors_message(errors: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in errors:
        code = e.get("code")
        name = e.get("name") or "Error"
        out.append(f"{name}{f' ({code})' if code is not None else ''}: {e.get('message', '')}")
    return out


def _analyse(payload: Any) -> tuple[str, WResponse, list[str]]:
    """Decode a payload and name the operation family it answers."""
    root, resp, warnings = _classify(payload)
    return _operation_at(root, resp), resp, warnings


def _operation_at(root: str, resp: WResponse) -> str:
    return root if root == ENTRY_OPERATION else _operation_of(root, resp.data)  # type: ignore[arg-type]


def _classify(payload: Any) -> tuple[str, WResponse, list[str]]:
    """Decode a payload and find its response root (ENTRY_OPERATION for a bare entry): the
    operation's family, which OPERATION_ROOTS maps each operation to."""
    resp, raw, warnings = _decode(payload)
    if resp.entryId is not None and resp.content is not None:
        return ENTRY_OPERATION, resp, warnings
    data = resp.data
    roots = _roots(data) if data is not None else []
    if not roots:
        if resp.errors:
            raise error_from_x_errors(resp.errors)
        if data is None:
            raise NotXResponse("not an X GraphQL response: no `data` and no `errors`")
        keys = sorted((KEYS_DECODER.decode(raw).data or {}).keys())
        if not keys:
            raise TargetNotFound("X returned no data for this request")
        raise NotXResponse(f"unsupported X operation: response root {', '.join(keys)}")
    return roots[0], resp, warnings


def _operation_of(root: str, data: WData) -> str:
    if root == "user":
        holder = data.user
        result = holder.result if holder is not None else None
        if result is None or (result.timeline is None and result.timeline_v2 is None):
            return "UserByScreenName"
        tl = result.timeline or result.timeline_v2
        return "Followers" if tl is not None and tl.timeline is not None and \
            _has_users(tl.timeline) else "UserTweets"
    if root == "list":
        lst = data.list_
        return "ListMembers" if lst is not None and lst.members_timeline is not None \
            else "ListLatestTweetsTimeline"
    if root == "communityResults":
        comm = data.communityResults.result if data.communityResults else None
        if comm is not None and comm.members_slice is not None:
            return "membersSliceTimeline_Query"
        if comm is not None and comm.moderators_slice is not None:
            return "moderatorsSliceTimeline_Query"
        return "CommunityTweetsTimeline"
    for op, op_root in OPERATION_ROOTS.items():
        if op_root == root:
            return op
    return root


# X's user-list cursors are ``<n>|<n>`` (``-1|<n>`` at the top); tweet timelines' are base64.
_USER_LIST_CURSOR = re.compile(r"-?\d+\|\d+")


def _has_users(tl: WTimeline) -> bool:
    """Whether a user's timeline lists users (Followers & co.) rather than tweets: user entries,
    or, on a page with only cursors, X's ``<n>|<n>`` cursor values or a timeline terminated at
    both ends (user lists are; tweet timelines are not, or only at the top)."""
    tweets = False
    terminated = set()
    list_cursor = False
    for ins in tl.instructions:
        if ins.type == "TimelineTerminateTimeline" and ins.direction:
            terminated.add(ins.direction)
        for e in [*(ins.entries or ()), *([ins.entry] if ins.entry is not None else [])]:
            if e.entryId.startswith("user-"):
                return True
            content = e.content
            ic = content.itemContent if content is not None else None
            if ic is not None and ic.user_results is not None:
                return True
            if e.entryId.startswith(("tweet-", "profile-conversation-", "profile-grid-")):
                tweets = True
            value = content.value if content is not None and content.cursorType else None
            if value and _USER_LIST_CURSOR.fullmatch(value):
                list_cursor = True
    return not tweets and (list_cursor or {"Top", "Bottom"} <= terminated)


# What a page of an operation may hold: user lists never hold tweets, tweet timelines never hold
# only users. Checked after parsing, since operations sharing a ``data`` root (a user's tweets
# and its followers both answer under ``data.user``) cannot be told apart by the root alone.
_USER_LIST_OPS = frozenset({"Followers", "Following", "BlueVerifiedFollowers", "ListMembers",
                            "Retweeters", "Favoriters", "UsersByRestIds", "BlockedAccountsAll",
                            "UserCreatorSubscriptions", "membersSliceTimeline_Query",
                            "moderatorsSliceTimeline_Query", *_USER_LOOKUPS})
_TWEET_OPS = frozenset({"UserTweets", "UserTweetsAndReplies", "UserMedia", "Likes", "TweetDetail",
                        "ListLatestTweetsTimeline", "Bookmarks", "HomeTimeline",
                        "HomeLatestTimeline", "CommunityTweetsTimeline", "TweetResultByRestId",
                        "TweetResultsByRestIds", "TweetResultsByIds"})


def check_family(op_name: str, page_items: list[Any]) -> None:
    """Refuse a page whose items are of the other family than ``op_name``'s (NotXResponse): for
    ``xget parse --op``, where a file of another operation is a user's mistake. The engine does not
    call it: a real page with an odd module must not fail a task (its filters keep only the
    records the task wants)."""
    if op_name in _USER_LIST_OPS:
        n = sum(isinstance(i, TweetRecord) for i in page_items)
        if n:
            raise NotXResponse(f"this is not a {op_name} response: it holds {n} tweet(s), "
                               f"a {op_name} response holds users")
    elif op_name in _TWEET_OPS:
        users = sum(isinstance(i, UserRecord) for i in page_items)
        if users and users == len(page_items):
            raise NotXResponse(f"this is not a {op_name} response: it holds {users} user(s) and "
                               f"no tweets, a {op_name} response holds tweets")


def detect_operation(payload: bytes | str | Mapping[str, Any]) -> str:
    """Name the operation a response answers, from its shape alone.

    Operations that share a shape are named by one of them: a user's tweets (UserTweets,
    UserTweetsAndReplies, UserMedia, Likes) detect as ``UserTweets`` and a user list (Followers,
    Following, BlueVerifiedFollowers) as ``Followers``. Raises :class:`NotXResponse` for anything
    else, or the typed error of an error envelope.
    """
    return _analyse(payload)[0]


def parse_page(op_name: str | None, payload: bytes | str | Mapping[str, Any]) -> Page:
    """Parse one response of ``op_name`` (None: detect it) into a :class:`Page`.

    Raises the typed :class:`~xget.x.errors.XError` of an error envelope or of a missing or
    suspended target, and :class:`NotXResponse` when the payload is not a response of ``op_name``.
    """
    root, resp, warnings = _classify(payload)
    # Naming the operation (which looks through a user timeline's entries) is needed only to
    # detect one or to say what a mismatched response looks like; the root settles the family.
    if op_name is None or (op_name in OPERATION_ROOTS and OPERATION_ROOTS[op_name] != root):
        detected = _operation_at(root, resp)
        if op_name is not None:
            raise NotXResponse(f"this is not a {op_name} response (it looks like {detected})")
    op = op_name or detected
    pb = PageBuilder()
    if resp.errors:
        pb.errors.extend(_x_errors_message(resp.errors))
    pb.errors.extend(warnings)
    if resp.data is None:
        pb.entry(WEntry(entryId=resp.entryId or "", content=resp.content))
    else:
        _fill(pb, op, resp.data, resp)
    return Page(operation=op, items=pb.items, cursor_bottom=pb.cursor_bottom or pb.cursor_more,
                cursor_top=pb.cursor_top, skipped=pb.skipped, errors=pb.errors, pinned=pb.pinned)


def _user_root(pb: PageBuilder, op: str, holder: WUserHolder | None, resp: WResponse) -> None:
    result = holder.result if holder is not None else None
    if result is None:
        if resp.errors:
            raise error_from_x_errors(resp.errors)
        raise TargetNotFound("user not found")
    if result.typename == MALFORMED:
        raise NotXResponse("unrecognised user object in the response")
    reason = user_unavailable_reason(result)
    if reason is not None:
        if reason == "Suspended":
            raise TargetSuspended(result.message or "user is suspended")
        raise TargetNotFound(result.message or f"user is not available ({reason})")
    holder_tl = result.timeline or result.timeline_v2
    if holder_tl is not None and op not in _USER_LOOKUPS:
        if holder_tl.timeline is not None:
            pb.timeline(holder_tl.timeline)
        return
    record = build_user(result)
    if record is None:
        raise TargetNotFound("user has no screen name")
    pb.items.append(record)


def _fill(pb: PageBuilder, op: str, d: WData, resp: WResponse) -> None:
    def tl(holder: Any) -> None:
        if holder is not None and holder.timeline is not None:
            pb.timeline(holder.timeline)

    if d.user is not None:
        _user_root(pb, op, d.user, resp)
    elif d.user_results is not None:
        _user_root(pb, op, d.user_results, resp)
    elif d.user_result_by_screen_name is not None:
        _user_root(pb, op, d.user_result_by_screen_name, resp)
    elif d.search_by_raw_query is not None:
        tl(d.search_by_raw_query.search_timeline)
    elif d.threaded_conversation_with_injections_v2 is not None:
        pb.timeline(d.threaded_conversation_with_injections_v2)
    elif d.list_ is not None:
        tl(d.list_.members_timeline or d.list_.tweets_timeline)
    elif d.retweeters_timeline is not None or d.favoriters_timeline is not None:
        tl(d.retweeters_timeline or d.favoriters_timeline)
    elif d.bookmark_timeline_v2 is not None:
        tl(d.bookmark_timeline_v2)
    elif d.home is not None:
        if d.home.home_timeline_urt is not None:
            pb.timeline(d.home.home_timeline_urt)
    elif d.communityResults is not None:
        comm = d.communityResults.result
        if comm is not None:
            sl = comm.members_slice or comm.moderators_slice
            if sl is not None:
                for r in sl.items_results:
                    pb.user(r)
                if sl.slice_info is not None and sl.slice_info.next_cursor:
                    pb.cursor_bottom = sl.slice_info.next_cursor
            else:
                tl(comm.ranked_community_timeline)
    elif d.timeline is not None or d.viewer is not None:
        tl(d.timeline or d.viewer)
    elif d.users is not None:
        for r in d.users:
            pb.user(r)
    elif d.tweetResult is not None or d.tweet_results is not None:
        results = d.tweetResult if d.tweetResult is not None else d.tweet_results
        for r in results if isinstance(results, list) else [results]:
            pb.tweet(r)


def page_error(exc: XError) -> dict[str, Any]:
    """The JSON line ``xget parse`` prints for a response that is an error."""
    return {"type": "error", **exc.to_dict()}
