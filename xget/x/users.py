"""User objects of every generation (classic ``legacy``, mid-2025 ``core``, August 2026 counts)
turned into :class:`~xget.x.records.UserRecord`."""

from __future__ import annotations

import email.utils

from xget.timeutil import format_utc
from xget.x.records import UserRecord
from xget.x.schema_items import WUrlList, WUser

_MONTHS = {
    "Jan": "01", "Feb": "02", "Mar": "03", "Apr": "04", "May": "05", "Jun": "06",
    "Jul": "07", "Aug": "08", "Sep": "09", "Oct": "10", "Nov": "11", "Dec": "12",
}


def x_time_to_iso(value: str | None) -> str | None:
    """Convert X's ``Fri Jul 31 21:34:08 +0000 2026`` to ``2026-07-31T21:34:08Z``.

    X always sends UTC; the string slicing avoids datetime parsing on the hot path, and any
    other offset goes through the standard library.
    """
    if not value:
        return None
    parts = value.split(" ")
    if len(parts) == 6 and parts[4] == "+0000" and parts[1] in _MONTHS:
        return f"{parts[5]}-{_MONTHS[parts[1]]}-{parts[2].zfill(2)}T{parts[3]}Z"
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return format_utc(parsed)


def _first_expanded(urls: WUrlList | None) -> str | None:
    if urls is None:
        return None
    for item in urls.urls:
        if item.expanded_url:
            return item.expanded_url
    return None


def user_unavailable_reason(user: WUser) -> str | None:
    """Why X withholds a user (``Suspended``, ``NoReason``...), or None for a real user."""
    if user.typename == "UserUnavailable":
        return user.reason or user.unavailable_reason or "Unavailable"
    return None


def build_user(u: WUser) -> UserRecord | None:
    """Normalize one ``user_results.result``; None when it is unavailable or has no handle."""
    if u.typename == "UserUnavailable" or not u.rest_id:
        return None
    lg = u.legacy
    core = u.core
    screen_name = (core.screen_name if core else None) or (lg.screen_name if lg else None)
    if not screen_name:
        return None
    name = (core.name if core else None) or (lg.name if lg else None) or ""
    created = (core.created_at if core else None) or (lg.created_at if lg else None)

    bio = u.profile_bio
    description = (lg.description if lg else None) or (bio.description if bio else None) or ""
    location = (u.location.location if u.location else None) or (lg.location if lg else None) or ""

    url = None
    if lg is not None and lg.entities is not None:
        url = _first_expanded(lg.entities.url)
    if url is None and bio is not None and bio.entities is not None:
        url = _first_expanded(bio.entities.url)
    if url is None:
        url = (u.website.url if u.website else None) or (lg.url if lg else None) or None

    rc, tc, ac = u.relationship_counts, u.tweet_counts, u.action_counts
    if lg is not None:
        followers = lg.followers_count
        following = lg.friends_count
        tweets = lg.statuses_count
        likes = lg.favourites_count
        media = lg.media_count
        listed = lg.listed_count
    else:
        followers = following = tweets = likes = media = listed = None
    if rc is not None:
        followers = rc.followers if rc.followers is not None else followers
        following = rc.following if rc.following is not None else following
    if tc is not None:
        tweets = tc.tweets if tc.tweets is not None else tweets
        media = tc.media_tweets if tc.media_tweets is not None else media
    if ac is not None and ac.favorites_count is not None:
        likes = ac.favorites_count

    verified = u.verification.verified if u.verification else None
    if verified is None and lg is not None:
        verified = lg.verified
    protected = u.privacy.protected if u.privacy else None
    if protected is None and lg is not None:
        protected = lg.protected

    image = (u.avatar.image_url if u.avatar else None) or (lg.profile_image_url_https if lg else None)
    banner = (u.banner.image_url if u.banner else None) or (lg.profile_banner_url if lg else None)

    return UserRecord(
        id=u.rest_id,
        screen_name=screen_name,
        name=name,
        description=description,
        location=location,
        url=url,
        created_at=x_time_to_iso(created),
        followers_count=followers or 0,
        following_count=following or 0,
        tweet_count=tweets or 0,
        like_count=likes or 0,
        media_count=media or 0,
        listed_count=listed,
        verified=bool(verified),
        is_blue_verified=bool(u.is_blue_verified),
        protected=bool(protected),
        profile_image_url=image or None,
        profile_banner_url=banner or None,
    )
