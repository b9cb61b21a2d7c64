"""Normalized records the X engine produces: one shape whatever X's response generation.

These are the only X data types the rest of the system sees. They are frozen msgspec Structs so
``msgspec.to_builtins(record)`` gives a plain dict ready for an event payload or a MongoDB document
(field names contain no ``.`` or ``$``). Timestamps are ISO 8601 UTC strings (``...Z``).
"""

from __future__ import annotations

import msgspec


class VideoVariant(msgspec.Struct, frozen=True, kw_only=True):
    """One encoding of a video: the best MP4 is kept for a media item."""

    url: str
    content_type: str
    bitrate: int | None = None


class Media(msgspec.Struct, frozen=True, kw_only=True):
    """A photo, video or animated GIF attached to a tweet.

    ``url`` is the file to download (the photo itself, or the best video variant), ``preview`` the
    still image (for a video its thumbnail).
    """

    type: str
    url: str
    preview: str
    variant: VideoVariant | None = None
    duration_ms: int | None = None
    alt_text: str | None = None
    width: int | None = None
    height: int | None = None


class UserRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A public X profile.

    ``listed_count`` is null when X no longer sends it (the August 2026 user shape dropped it).
    ``url`` is the profile's website, expanded from t.co when X gives the expansion.
    """

    id: str
    screen_name: str
    name: str
    description: str
    location: str
    url: str | None
    created_at: str | None
    followers_count: int
    following_count: int
    tweet_count: int
    like_count: int
    media_count: int
    listed_count: int | None
    verified: bool
    is_blue_verified: bool
    protected: bool
    profile_image_url: str | None
    profile_banner_url: str | None


class TweetRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A post on X.

    ``text`` is the full, unescaped text (the long-post ``note_tweet`` text when there is one; a
    retweet's text is rebuilt from the original, which X truncates). ``view_count`` is null when X
    does not report views. ``retweeted_tweet`` and ``quoted_tweet`` are nested records, or null
    when absent or unavailable (a quote of a deleted post keeps ``quoted_tweet`` null).
    """

    id: str
    url: str
    text: str
    lang: str | None
    created_at: str | None
    author: UserRecord | None
    conversation_id: str | None
    in_reply_to_tweet_id: str | None
    in_reply_to_user_id: str | None
    in_reply_to_screen_name: str | None
    reply_count: int
    retweet_count: int
    like_count: int
    quote_count: int
    bookmark_count: int
    view_count: int | None
    hashtags: list[str]
    mentions: list[str]
    urls: list[str]
    media: list[Media]
    is_retweet: bool
    retweeted_tweet: TweetRecord | None
    quoted_tweet: TweetRecord | None
    source: str | None
    possibly_sensitive: bool


Record = TweetRecord | UserRecord
"""An item of a page: a tweet or a user."""


def record_type(record: Record) -> str:
    """The ``type`` tag used on the wire for a record: ``"tweet"`` or ``"user"``."""
    return "tweet" if isinstance(record, TweetRecord) else "user"
