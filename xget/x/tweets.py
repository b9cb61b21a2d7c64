"""Tweet objects (plain, visibility-wrapped, retweets, quotes, long posts) turned into
:class:`~xget.x.records.TweetRecord`."""

from __future__ import annotations

import html

from xget.x.lenient import MALFORMED
from xget.x.records import Media, TweetRecord, UserRecord, VideoVariant
from xget.x.schema_items import WEntities, WMedia, WTweet, WUser
from xget.x.users import build_user, x_time_to_iso

# Nested quotes of quotes arrive as id-only stubs past this depth anyway.
_MAX_DEPTH = 3

SKIP_TOMBSTONE = "tombstone"
SKIP_UNAVAILABLE = "unavailable"
SKIP_EMPTY = "empty"
SKIP_MALFORMED = "malformed"


class UserCache:
    """Per-page memo of built users: one author's object repeats on most tweets of a page."""

    __slots__ = ("_by_id",)

    def __init__(self) -> None:
        self._by_id: dict[str, UserRecord | None] = {}

    def get(self, u: WUser | None) -> UserRecord | None:
        """The record for a wire user, built once per id."""
        if u is None:
            return None
        key = u.rest_id
        if key is None:
            return build_user(u)
        try:
            return self._by_id[key]
        except KeyError:
            rec = self._by_id[key] = build_user(u)
            return rec


def unwrap(w: WTweet | None) -> tuple[WTweet | None, str | None]:
    """The real tweet inside a result, or None with the reason it has none."""
    if w is None:
        return None, SKIP_EMPTY
    kind = w.typename
    if kind == "TweetWithVisibilityResults":
        if w.tweet is None:
            return None, SKIP_EMPTY
        w = w.tweet
        kind = w.typename
    if kind == "TweetTombstone":
        return None, SKIP_TOMBSTONE
    if kind == "TweetUnavailable":
        return None, SKIP_UNAVAILABLE
    if kind == MALFORMED:
        return None, SKIP_MALFORMED
    if not w.rest_id or (w.legacy is None and w.full_text is None):
        # empty result, or an id-only stub (quotedRefResult)
        return None, SKIP_EMPTY
    return w, None


def _source_label(source: str | None) -> str | None:
    # X sends '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>'.
    if not source:
        return None
    start = source.find(">")
    end = source.rfind("</a>")
    if start != -1 and end > start:
        return source[start + 1:end]
    return source


def _media(items: list[WMedia]) -> list[Media]:
    out = []
    for m in items:
        variant = None
        duration = None
        vi = m.video_info
        if vi is not None:
            duration = vi.duration_millis
            best = None
            for v in vi.variants:
                if v.content_type == "video/mp4" and (best is None or (v.bitrate or 0) > (best.bitrate or 0)):
                    best = v
            if best is None and vi.variants:
                best = vi.variants[0]
            if best is not None:
                variant = VideoVariant(url=best.url, content_type=best.content_type, bitrate=best.bitrate)
        oi = m.original_info
        out.append(Media(
            type=m.type,
            url=variant.url if variant is not None else m.media_url_https,
            preview=m.media_url_https,
            variant=variant,
            duration_ms=duration,
            alt_text=m.ext_alt_text,
            width=oi.width if oi is not None else None,
            height=oi.height if oi is not None else None,
        ))
    return out


def _entities(ents: WEntities | None) -> tuple[list[str], list[str], list[str]]:
    if ents is None:
        return [], [], []
    return (
        [h.text for h in ents.hashtags],
        [m.screen_name for m in ents.user_mentions],
        [u.expanded_url for u in ents.urls if u.expanded_url],
    )


def build_tweet(w: WTweet, users: UserCache, depth: int = 0) -> TweetRecord:
    """Normalize an unwrapped tweet (see :func:`unwrap`); nested tweets are unwrapped here."""
    lg = w.legacy if w.legacy is not None else w
    tid = w.rest_id or lg.id_str or ""

    author = None
    core = w.core
    if core is not None and core.user_results is not None:
        author = users.get(core.user_results.result)

    retweeted = quoted = None
    if depth < _MAX_DEPTH:
        ref = lg.retweeted_status_result
        if ref is not None:
            inner, _ = unwrap(ref.result)
            if inner is not None:
                retweeted = build_tweet(inner, users, depth + 1)
        ref = w.quoted_status_result
        if ref is not None:
            inner, _ = unwrap(ref.result)
            if inner is not None:
                quoted = build_tweet(inner, users, depth + 1)

    note = w.note_tweet
    note_result = note.note_tweet_results.result if note is not None and note.note_tweet_results else None
    if retweeted is not None and retweeted.author is not None:
        # X truncates a retweet's full_text ("RT @x: ...…"); rebuild it from the original.
        text = f"RT @{retweeted.author.screen_name}: {retweeted.text}"
    elif note_result is not None and note_result.text:
        text = note_result.text
    else:
        text = lg.full_text or ""
        if "&" in text:
            text = html.unescape(text)

    if note_result is not None and note_result.entity_set is not None:
        hashtags, mentions, urls = _entities(note_result.entity_set)
    else:
        hashtags, mentions, urls = _entities(lg.entities)

    ext = lg.extended_entities
    media = _media(ext.media) if ext is not None and ext.media else []

    views = w.views.count if w.views is not None else None
    screen_name = author.screen_name if author is not None else None
    return TweetRecord(
        id=tid,
        url=f"https://x.com/{screen_name}/status/{tid}" if screen_name else f"https://x.com/i/status/{tid}",
        text=text,
        lang=lg.lang,
        created_at=x_time_to_iso(lg.created_at),
        author=author,
        conversation_id=lg.conversation_id_str,
        in_reply_to_tweet_id=lg.in_reply_to_status_id_str,
        in_reply_to_user_id=lg.in_reply_to_user_id_str,
        in_reply_to_screen_name=lg.in_reply_to_screen_name,
        reply_count=lg.reply_count or 0,
        retweet_count=lg.retweet_count or 0,
        like_count=lg.favorite_count or 0,
        quote_count=lg.quote_count or 0,
        bookmark_count=lg.bookmark_count or 0,
        view_count=int(views) if views and views.isdigit() else None,
        hashtags=hashtags,
        mentions=mentions,
        urls=urls,
        media=media,
        is_retweet=retweeted is not None or lg.retweeted_status_result is not None
        or lg.retweeted_status_id_str is not None,
        retweeted_tweet=retweeted,
        quoted_tweet=quoted,
        source=_source_label(w.source or lg.source),
        possibly_sensitive=bool(lg.possibly_sensitive),
    )
