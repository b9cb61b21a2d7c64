"""Wire shapes of the tweet and user objects inside X's GraphQL responses (msgspec Structs).

Only the fields the parsers read are declared; msgspec skips the rest without building objects.
Every field is optional: X's three user generations and its tweet wrappers each leave different
parts out. Timelines and envelopes are in :mod:`xget.x.schema`.
"""

from __future__ import annotations

from msgspec import Struct, field

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
