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

# ---------------------------------------------------------------- users


class WImage(Struct):
    image_url: str | None = None


class WLocation(Struct):
    location: str | None = None


class WPrivacy(Struct):
    protected: bool | None = None


class WVerification(Struct):
    verified: bool | None = None


class WUrl(Struct):
    url: str | None = None
    expanded_url: str | None = None


class WUrlList(Struct):
    urls: list[WUrl] = []


class WUserEntities(Struct):
    url: WUrlList | None = None


class WProfileBio(Struct):
    description: str | None = None
    entities: WUserEntities | None = None


class WRelationshipCounts(Struct):
    followers: int | None = None
    following: int | None = None


class WTweetCounts(Struct):
    tweets: int | None = None
    media_tweets: int | None = None


class WActionCounts(Struct):
    favorites_count: int | None = None


class WUserCore(Struct):
    screen_name: str | None = None
    name: str | None = None
    created_at: str | None = None


class WUserLegacy(Struct):
    screen_name: str | None = None
    name: str | None = None
    created_at: str | None = None
    description: str | None = None
    location: str | None = None
    url: str | None = None
    entities: WUserEntities | None = None
    followers_count: int | None = None
    friends_count: int | None = None
    statuses_count: int | None = None
    favourites_count: int | None = None
    media_count: int | None = None
    listed_count: int | None = None
    verified: bool | None = None
    protected: bool | None = None
    profile_image_url_https: str | None = None
    profile_banner_url: str | None = None


class WUser(Struct):
    """``user_results.result`` in any of the three generations, or a ``UserUnavailable``."""

    typename: str | None = field(name="__typename", default=None)
    rest_id: str | None = None
    is_blue_verified: bool | None = None
    legacy: WUserLegacy | None = None
    core: WUserCore | None = None
    avatar: WImage | None = None
    banner: WImage | None = None
    location: WLocation | None = None
    privacy: WPrivacy | None = None
    verification: WVerification | None = None
    profile_bio: WProfileBio | None = None
    website: WUrl | None = None
    relationship_counts: WRelationshipCounts | None = None
    tweet_counts: WTweetCounts | None = None
    action_counts: WActionCounts | None = None
    reason: str | None = None
    unavailable_reason: str | None = None
    message: str | None = None
    # Only on the top-level user of UserTweets/Followers-like responses.
    timeline: WTimelineHolder | None = None
    timeline_v2: WTimelineHolder | None = None


class WUserResults(Struct):
    result: WUser | None = None


# ---------------------------------------------------------------- tweets


class WHashtag(Struct):
    text: str = ""


class WMention(Struct):
    screen_name: str = ""


class WVariant(Struct):
    url: str = ""
    content_type: str = ""
    bitrate: int | None = None


class WVideoInfo(Struct):
    variants: list[WVariant] = []
    duration_millis: int | None = None


class WOriginalInfo(Struct):
    width: int | None = None
    height: int | None = None


class WMedia(Struct):
    type: str = ""
    media_url_https: str = ""
    video_info: WVideoInfo | None = None
    ext_alt_text: str | None = None
    original_info: WOriginalInfo | None = None


class WEntities(Struct):
    hashtags: list[WHashtag] = []
    user_mentions: list[WMention] = []
    urls: list[WUrl] = []


class WExtendedEntities(Struct):
    media: list[WMedia] = []


class WTweetRef(Struct):
    result: WTweet | None = None


class WTweetFields(Struct):
    """The ``legacy`` part of a tweet; X has begun serving these fields on the tweet itself."""

    id_str: str | None = None
    full_text: str | None = None
    lang: str | None = None
    created_at: str | None = None
    conversation_id_str: str | None = None
    in_reply_to_status_id_str: str | None = None
    in_reply_to_user_id_str: str | None = None
    in_reply_to_screen_name: str | None = None
    reply_count: int | None = None
    retweet_count: int | None = None
    favorite_count: int | None = None
    quote_count: int | None = None
    bookmark_count: int | None = None
    possibly_sensitive: bool | None = None
    entities: WEntities | None = None
    extended_entities: WExtendedEntities | None = None
    retweeted_status_result: WTweetRef | None = None
    retweeted_status_id_str: str | None = None
    source: str | None = None


class WViews(Struct):
    count: str | None = None


class WNoteResult(Struct):
    text: str | None = None
    entity_set: WEntities | None = None


class WNoteResults(Struct):
    result: WNoteResult | None = None


class WNoteTweet(Struct):
    note_tweet_results: WNoteResults | None = None


class WTweetCore(Struct):
    user_results: WUserResults | None = None


class WTweet(WTweetFields):
    """``tweet_results.result``: a Tweet, a visibility wrapper, a tombstone or unavailable."""

    typename: str | None = field(name="__typename", default=None)
    rest_id: str | None = None
    core: WTweetCore | None = None
    legacy: WTweetFields | None = None
    note_tweet: WNoteTweet | None = None
    views: WViews | None = None
    quoted_status_result: WTweetRef | None = None
    # TweetWithVisibilityResults keeps the real tweet here.
    tweet: WTweet | None = None
    # TweetUnavailable
    reason: str | None = None


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


class WUserHolder(Struct):
    result: WUser | None = None
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
