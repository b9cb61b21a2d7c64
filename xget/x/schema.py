"""Wire shapes of X's GraphQL responses, as msgspec Structs.

Only the fields the parsers read are declared: msgspec skips everything else without building
Python objects for it, which is where most of the parsing speed comes from. Every field is
optional because X's three user generations and its tweet wrappers each leave different parts
out. A whole response decodes in one pass; when one item has an unexpected type the page is
decoded again item by item (``xget.x.page``), so an odd item costs that item, not the page.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import Raw, Struct, field

from xget.x.schema_items import WTweetRef, WUser, WUserResults

# ---------------------------------------------------------------- timelines


class WPresent(Struct):
    """An object whose presence is all that matters (its content is skipped)."""


class WItemContent(Struct):
    typename: str | None = field(name="__typename", default=None)
    itemType: str | None = None
    tweet_results: WTweetRef | None = None
    user_results: WUserResults | None = None
    promotedMetadata: WPresent | None = None
    cursorType: str | None = None
    value: str | None = None


class WModuleItemBody(Struct):
    itemContent: WItemContent | None = None


class WModuleItem(Struct):
    entryId: str = ""
    item: WModuleItemBody | None = None


class WContent(Struct):
    typename: str | None = field(name="__typename", default=None)
    entryType: str | None = None
    itemContent: WItemContent | None = None
    items: list[WModuleItem] | None = None
    cursorType: str | None = None
    value: str | None = None


class WEntry(Struct):
    entryId: str = ""
    content: WContent | None = None


class WInstruction(Struct):
    type: str | None = None
    direction: str | None = None
    entries: list[WEntry] | None = None
    entry: WEntry | None = None
    moduleItems: list[WModuleItem] | None = None


class WTimeline(Struct):
    instructions: list[WInstruction] = []


class WTimelineHolder(Struct):
    timeline: WTimeline | None = None


class WSearch(Struct):
    search_timeline: WTimelineHolder | None = None


class WList(Struct):
    tweets_timeline: WTimelineHolder | None = None
    members_timeline: WTimelineHolder | None = None


class WHome(Struct):
    home_timeline_urt: WTimeline | None = None


class WSliceInfo(Struct):
    next_cursor: str | None = None


class WSlice(Struct):
    items_results: list[WUserResults] = []
    slice_info: WSliceInfo | None = None


class WCommunity(Struct):
    ranked_community_timeline: WTimelineHolder | None = None
    members_slice: WSlice | None = None
    moderators_slice: WSlice | None = None


class WCommunityResults(Struct):
    result: WCommunity | None = None


class WTopUser(WUser):
    """The user at the root of a user timeline response, holding the timeline itself."""

    timeline: WTimelineHolder | None = None
    timeline_v2: WTimelineHolder | None = None


class WUserHolder(Struct):
    result: WTopUser | None = None
    rest_id: str | None = None


class WData(Struct):
    """``data``: every root the engine reads. Unknown roots are ignored."""

    user: WUserHolder | None = None
    user_results: WUserHolder | None = None
    user_result_by_screen_name: WUserHolder | None = None
    search_by_raw_query: WSearch | None = None
    threaded_conversation_with_injections_v2: WTimeline | None = None
    list_: WList | None = field(name="list", default=None)
    retweeters_timeline: WTimelineHolder | None = None
    favoriters_timeline: WTimelineHolder | None = None
    bookmark_timeline_v2: WTimelineHolder | None = None
    home: WHome | None = None
    communityResults: WCommunityResults | None = None
    timeline: WTimelineHolder | None = None
    viewer: WTimelineHolder | None = None
    users: list[WUserResults] | None = None
    tweetResult: WTweetRef | list[WTweetRef] | None = None
    tweet_results: list[WTweetRef] | None = None


class WResponse(Struct):
    """A whole GraphQL response. ``entryId``/``content`` accept a bare timeline entry."""

    data: WData | None = None
    errors: list[dict[str, Any]] | None = None
    entryId: str | None = None
    content: WContent | None = None


class WKeys(Struct):
    """Just the names of ``data``'s roots, for responses no known root matched."""

    data: dict[str, Raw] | None = None


RESPONSE_DECODER = msgspec.json.Decoder(WResponse)
KEYS_DECODER = msgspec.json.Decoder(WKeys)
