"""The world's users and tweets in X's current wire shapes (August 2026 recordings).

Users are the newest generation (no ``legacy``: ``core``, ``relationship_counts``,
``tweet_counts``, ``action_counts``...); tweets keep ``legacy`` with entities, media,
``note_tweet``, ``views``, retweet and quote results, exactly where the recordings put them.
Each user and tweet object is encoded once and reused as ``msgspec.Raw``: a page is then mostly
the concatenation of cached bytes, which is what makes the sandbox fast.
"""

from __future__ import annotations

import base64
import time
from functools import lru_cache
from typing import Any

import msgspec

from xget.sandbox.realism import escape
from xget.sandbox.tweets import QUOTE, REPLY, RETWEET, Tweet, Tweets
from xget.sandbox.world import User, World

_ENCODE = msgspec.json.Encoder().encode


def x_time(seconds: float) -> str:
    """X's ``Sat Dec 14 04:35:55 +0000 2013``."""
    return time.strftime("%a %b %d %H:%M:%S +0000 %Y", time.gmtime(seconds))


class Shapes:
    """Renders users and tweets of one world; both are cached encoded."""

    def __init__(self, world: World, tweets: Tweets) -> None:
        self.world = world
        self.tweets = tweets
        self.user_raw = lru_cache(maxsize=50_000)(self._user_raw)
        self.tweet_raw = lru_cache(maxsize=30_000)(self._tweet_raw)

    # ------------------------------------------------------------------ users

    def user_object(self, user: User) -> dict[str, Any]:
        """``user_results.result`` of a user, generation C (no ``legacy``)."""
        urls = []
        if user.website:
            urls = [{"display_url": user.website.removeprefix("https://"),
                     "expanded_url": user.website, "indices": [0, 23],
                     "url": f"https://t.co/{user.avatar[:10]}"}]
        pin = self.tweets.pinned(user.index)
        pinned = {"tweet_ids_str": [str(self.tweets.tweet_id(user.index, pin))]} if pin is not None else {}
        obj: dict[str, Any] = {
            "__typename": "User",
            "action_counts": {"favorites_count": user.likes},
            "affiliates_highlighted_label": {},
            "avatar": {"image_url": f"https://pbs.twimg.com/profile_images/{user.avatar}/a_normal.jpg"},
            "banner": {"image_url": f"https://pbs.twimg.com/profile_banners/{user.id}/{user.created_at}"},
            "core": {"created_at": x_time(user.created_at), "name": user.name,
                     "screen_name": user.screen_name},
            "dm_permissions": {"can_dm": False},
            "follow_request_sent": False,
            "has_graduated_access": True,
            "id": base64.b64encode(f"User:{user.id}".encode()).decode(),
            "is_blue_verified": user.blue,
            "location": {"location": user.location},
            "media_permissions": {"can_media_tag": True},
            "notifications_settings": {"notifications_enabled": False},
            "parody_commentary_fan_label": "None",
            "pinned_items": pinned,
            "possibly_sensitive": False,
            "privacy": {"protected": user.protected},
            "profile_bio": {"description": user.bio,
                            "entities": {"description": {}, "url": {"urls": urls} if urls else {}}},
            "profile_description_language": user.lang,
            "profile_image_shape": "Circle",
            "profile_metadata": {"profile_interstitial_type": ""},
            "profile_translation": {"translator_type": "none"},
            "relationship_counts": {"followers": user.followers, "following": user.following},
            "relationship_perspectives": {"blocked_by": False, "blocking": False,
                                          "followed_by": False, "following": False,
                                          "live_following": False, "muting": False},
            "rest_id": user.id,
            "super_follow_eligible": False,
            "super_followed_by": False,
            "super_following": False,
            "tipjar_settings": {},
            "tweet_counts": {"media_tweets": user.tweets // 6, "tweets": user.tweets},
            "verification": {"verified": user.verified},
        }
        if urls:
            obj["website"] = {"url": urls[0]["url"]}
        return obj

    def _user_raw(self, u: int) -> msgspec.Raw:
        return msgspec.Raw(_ENCODE(self.user_object(self.world.user(u))))

    # ------------------------------------------------------------------ tweets

    def _media(self, t: Tweet, handle: str, start: int) -> list[dict[str, Any]]:
        out = []
        for i, (kind, mid, code, w, h, duration) in enumerate(t.media):
            key_prefix = {"photo": "3", "video": "7", "animated_gif": "16"}[kind]
            item: dict[str, Any] = {
                "display_url": f"pic.x.com/{code[:10]}",
                "expanded_url": f"https://x.com/{handle}/status/{t.id}/{'video' if kind != 'photo' else 'photo'}/{i + 1}",
                "ext_media_availability": {"status": "Available"},
                "id_str": str(mid),
                "indices": [start, start + 23],
                "media_key": f"{key_prefix}_{mid}",
                "media_results": {"result": {"media_key": f"{key_prefix}_{mid}"}},
                "original_info": {"focus_rects": [], "height": h, "width": w},
                "sizes": {"large": {"h": h, "resize": "fit", "w": w},
                          "medium": {"h": h * 3 // 4, "resize": "fit", "w": w * 3 // 4},
                          "small": {"h": h // 2, "resize": "fit", "w": w // 2},
                          "thumb": {"h": 150, "resize": "crop", "w": 150}},
                "type": kind,
                "url": t.link,
            }
            if kind == "photo":
                item["media_url_https"] = f"https://pbs.twimg.com/media/{code}.jpg"
                if i == 0:
                    item["ext_alt_text"] = "A synthetic picture"
            elif kind == "video":
                item["media_url_https"] = f"https://pbs.twimg.com/ext_tw_video_thumb/{mid}/pu/img/{code}.jpg"
                item["additional_media_info"] = {"monetizable": False}
                base = f"https://video.twimg.com/ext_tw_video/{mid}/pu"
                item["video_info"] = {"aspect_ratio": [w // 120 or 1, h // 120 or 1], "duration_millis": duration,
                                      "variants": [
                                          {"content_type": "application/x-mpegURL", "url": f"{base}/pl/{code}.m3u8"},
                                          {"bitrate": 256000, "content_type": "video/mp4", "url": f"{base}/vid/480x270/{code}.mp4"},
                                          {"bitrate": 832000, "content_type": "video/mp4", "url": f"{base}/vid/640x360/{code}.mp4"},
                                          {"bitrate": 2176000, "content_type": "video/mp4", "url": f"{base}/vid/1280x720/{code}.mp4"}]}
            else:
                item["media_url_https"] = f"https://pbs.twimg.com/tweet_video_thumb/{code}.jpg"
                item["video_info"] = {"aspect_ratio": [1, 1], "variants": [
                    {"bitrate": 0, "content_type": "video/mp4", "url": f"https://video.twimg.com/tweet_video/{code}.mp4"}]}
            out.append(item)
        return out

    def _entities(self, t: Tweet, cut: int | None = None) -> dict[str, Any]:
        def inside(e: int) -> bool:
            return cut is None or e <= cut

        return {
            "hashtags": [{"indices": [s, e], "text": tag} for tag, s, e in t.hashtags if inside(e)],
            "symbols": [],
            "timestamps": [],
            "urls": [{"display_url": disp, "expanded_url": exp, "indices": [s, e], "url": code}
                     for code, exp, disp, s, e in t.urls if inside(e)],
            "user_mentions": [{"id_str": self.world.user_id(v), "indices": [s, e],
                               "name": self.world.user(v).name,
                               "screen_name": self.world.screen_name(v)}
                              for v, s, e in t.mentions if inside(e)],
        }

    def _legacy(self, t: Tweet, handle: str) -> dict[str, Any]:
        text = t.text
        cut = None
        if t.note is not None:
            cut = text.rfind(" ", 0, NOTE_CUT_AT) if len(text) > NOTE_CUT_AT else len(text)
            text = text[:cut] + " " + t.link
        legacy: dict[str, Any] = {
            "bookmark_count": t.bookmarks,
            "bookmarked": False,
            "conversation_id_str": str(t.conversation_id),
            "created_at": x_time(t.ms / 1000),
            "display_text_range": [0, min(len(t.text), 280)],
            "entities": self._entities(t, cut),
            "favorite_count": t.likes,
            "favorited": False,
            "full_text": escape(text),
            "id_str": t.id_str,
            "is_quote_status": t.kind == QUOTE,
            "lang": t.lang,
            "quote_count": t.quotes,
            "reply_count": t.replies,
            "retweet_count": t.retweets,
            "retweeted": False,
            "user_id_str": self.world.user_id(t.u),
        }
        if t.sensitive or t.media:
            legacy["possibly_sensitive"] = t.sensitive
            legacy["possibly_sensitive_editable"] = True
        if t.media:
            start = len(text) + 1
            legacy["full_text"] = f"{escape(text)} {t.link}"
            media = self._media(t, handle, start)
            legacy["entities"]["media"] = media
            legacy["extended_entities"] = {"media": media}
        if t.kind == REPLY and t.target is not None:
            v, j = t.target
            legacy["in_reply_to_status_id_str"] = str(self.tweets.tweet_id(v, j))
            legacy["in_reply_to_user_id_str"] = self.world.user_id(v)
            legacy["in_reply_to_screen_name"] = self.world.screen_name(v)
        elif t.kind == QUOTE and t.target is not None:
            v, j = t.target
            qid = self.tweets.tweet_id(v, j)
            qhandle = self.world.screen_name(v)
            legacy["quoted_status_id_str"] = str(qid)
            legacy["quoted_status_permalink"] = {
                "display": f"x.com/{qhandle}/st…", "expanded": f"https://twitter.com/{qhandle}/status/{qid}",
                "url": f"https://t.co/{t.link[-10:]}"}
        elif t.kind == RETWEET and t.target is not None:
            legacy["retweeted_status_result"] = {"result": self.tweet_raw(*t.target)}
        return legacy

    def tweet_object(self, t: Tweet) -> dict[str, Any]:
        """``tweet_results.result`` of a tweet (``__typename`` Tweet)."""
        handle = self.world.screen_name(t.u)
        obj: dict[str, Any] = {
            "__typename": "Tweet",
            "core": {"user_results": {"result": self.user_raw(t.u)}},
            "edit_control": {"edit_tweet_ids": [t.id_str], "editable_until_msecs": str(t.ms + 3_600_000),
                             "edits_remaining": "5", "is_edit_eligible": t.kind != RETWEET},
            "grok_translated_post_with_availability": {"is_available": False},
            "is_translatable": t.lang != "en",
            "legacy": self._legacy(t, handle),
            "quick_promote_eligibility": {"eligibility": "IneligibleTweet"},
            "rest_id": t.id_str,
            "source": t.source,
            "unmention_data": {},
            "views": {"count": str(t.views), "state": "EnabledWithCount"},
        }
        if self.world.realism.views_hidden(t.u, t.k):
            obj["views"] = {"state": "Enabled"}
        if t.note is not None:
            obj["note_tweet"] = {"is_expandable": True, "note_tweet_results": {"result": {
                "entity_set": self._entities(t),
                "id": base64.b64encode(f"NoteTweet:{t.id}".encode()).decode(),
                "media": {"inline_media": []},
                "richtext": {"richtext_tags": []},
                "text": t.note}}}
        if t.kind == QUOTE and t.target is not None:
            obj["quoted_status_result"] = {"result": self.tweet_raw(*t.target)}
        return obj

    def _tweet_raw(self, u: int, k: int) -> msgspec.Raw:
        obj = self.tweet_object(self.tweets.get(u, k))
        if self.world.realism.wrapped(u, k):
            obj = self.world.realism.wrap(obj)
        return msgspec.Raw(_ENCODE(obj))


NOTE_CUT_AT = 275
