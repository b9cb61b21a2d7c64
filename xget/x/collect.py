"""The collection loop: one task's pagination, from its parameters to deduplicated pages.

``collect`` runs against any :class:`PageFetcher`: the HTTP session in production, an
in-process transport replaying recorded pages in tests. It returns exactly
``min(limit, available)`` items with no id twice in one execution, stops on a missing or
repeated cursor, after three empty pages in a row or ten pages in a row that bring nothing new
(only ids already collected, or only items the task's options drop), and resumes from a
checkpointed cursor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

import msgspec

from xget.timeutil import format_utc, parse_utc
from xget.x.errors import BadRequest, TargetNotFound
from xget.x.page import Page
from xget.x.records import Record, TweetRecord, UserRecord

USER_INFO = "USER_INFO"
USER_TWEETS = "USER_TWEETS"
KEYWORD_SEARCH = "KEYWORD_SEARCH"
HASHTAG_SEARCH = "HASHTAG_SEARCH"
USER_FOLLOWERS = "USER_FOLLOWERS"
USER_FOLLOWING = "USER_FOLLOWING"
TASK_TYPES = (USER_INFO, USER_TWEETS, KEYWORD_SEARCH, HASHTAG_SEARCH, USER_FOLLOWERS, USER_FOLLOWING)

EMPTY_PAGES_TO_STOP = 3
# Pages in a row with items but nothing new to keep: ids already collected (a source repeating
# itself under fresh cursors) or items the options drop (retweets with include_retweets=false,
# other people's posts in conversation modules). A user whose latest 200 posts are all retweets
# is rare but real, so this is larger than the empty-page bound; it caps what a looping source
# costs at ten requests (a fifth of an account's 15-minute UserTweets budget). Pages skipped
# because they are newer than USER_TWEETS' ``until`` are progress and never count.
STALE_PAGES_TO_STOP = 10
PAGE_SIZE = 20

STOP_LIMIT = "limit"
STOP_NO_CURSOR = "no_cursor"
STOP_REPEATED_CURSOR = "repeated_cursor"
STOP_EMPTY_PAGES = "empty_pages"
STOP_NO_NEW_ITEMS = "no_new_items"
STOP_SINCE = "since"


class PageFetcher(Protocol):
    """Anything that can fetch one page of an operation: the HTTP session or a replay."""

    async def fetch(self, op_name: str, variables: Mapping[str, Any]) -> Page:
        """Fetch and parse one page of ``op_name`` called with ``variables``."""
        ...


FetchFn = Callable[[str, Mapping[str, Any]], Awaitable[Page]]


class CollectedPage(msgspec.Struct, kw_only=True):
    """One fetched page as the execution sees it.

    ``items`` are the new records (deduplicated within the execution, filtered by the task's
    options, cut at the limit); ``cursor`` is the checkpoint to resume from (the next page's
    cursor); ``number`` counts pages fetched by this call (1-based); ``total`` counts items
    collected by the execution including ``already``; ``done`` marks the last page and
    ``stop_reason`` says why (limit, no_cursor, repeated_cursor, empty_pages, no_new_items,
    since).
    """

    number: int
    items: list[Record]
    cursor: str | None
    total: int
    skipped: dict[str, int] = {}
    done: bool = False
    stop_reason: str | None = None


def search_instant(value: str, name: str = "since") -> str:
    """An ISO date or date-time as X's search operators take it: a date stays ``YYYY-MM-DD``; a
    date-time (any offset) becomes UTC ``YYYY-MM-DD_HH:MM:SS_UTC`` (X refuses ISO date-times)."""
    text = str(value).strip()
    instant = _parse_instant(text, name)
    return text if len(text) == 10 else format_utc(instant, "_", "_UTC")


def _parse_instant(text: str, name: str) -> datetime:
    try:
        return parse_utc(text)
    except ValueError:
        raise BadRequest(f"{name} must be an ISO date (YYYY-MM-DD) or date-time") from None


def build_search_query(query: str, *, since: str | None = None, until: str | None = None,
                       lang: str | None = None) -> str:
    """X's raw search query: the terms plus ``since:``, ``until:`` and ``lang:`` operators
    (instants normalised by :func:`search_instant`)."""
    parts = [query.strip()]
    if since:
        parts.append(f"since:{search_instant(since, 'since')}")
    if until:
        parts.append(f"until:{search_instant(until, 'until')}")
    if lang:
        parts.append(f"lang:{lang}")
    return " ".join(p for p in parts if p)


def _fetch_fn(fetch: PageFetcher | FetchFn) -> FetchFn:
    method = getattr(fetch, "fetch", None)
    return method if method is not None else fetch  # type: ignore[return-value]


def _limit(params: Mapping[str, Any]) -> int | None:
    value = params.get("limit")
    if value is None:
        return None
    limit = int(value)
    if limit < 0:
        raise BadRequest("limit must not be negative")
    return limit


async def _user_page(fetch: FetchFn, params: Mapping[str, Any]) -> Any:
    """The page of the task's user, by screen name or id; a missing user is named in the error
    (X itself answers an empty ``data``)."""
    if params.get("username"):
        op, variables, who = "UserByScreenName", {"screen_name": str(params["username"]).lstrip("@")}, \
            "@" + str(params["username"]).lstrip("@")
    elif params.get("user_id"):
        op, variables, who = "UserByRestId", {"userId": str(params["user_id"])}, f"id {params['user_id']}"
    else:
        raise BadRequest("username or user_id is required")
    try:
        return await fetch(op, variables)
    except TargetNotFound as exc:
        raise TargetNotFound(f"user {who} not found ({exc.message})", x_code=exc.x_code) from None


async def _resolve_user_id(fetch: FetchFn, params: Mapping[str, Any]) -> str:
    if params.get("user_id"):
        return str(params["user_id"])
    page = await _user_page(fetch, params)  # a BadRequest when there is no username either
    for item in page.items:
        if isinstance(item, UserRecord):
            return item.id
    raise TargetNotFound(f"user @{params['username']} not found")


def _plan(task_type: str, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    if task_type in (KEYWORD_SEARCH, HASHTAG_SEARCH):
        if task_type == HASHTAG_SEARCH:
            tag = str(params.get("hashtag") or params.get("query") or "").strip().lstrip("#")
            if not tag:
                raise BadRequest("hashtag is required")
            terms = f"#{tag}"
        else:
            terms = str(params.get("query") or "").strip()
            if not terms:
                raise BadRequest("query is required")
        product = params.get("product") or "Latest"
        if product not in ("Latest", "Top"):
            raise BadRequest("product must be Latest or Top")
        raw = build_search_query(terms, since=params.get("since"), until=params.get("until"),
                                 lang=params.get("lang"))
        return "SearchTimeline", {"rawQuery": raw, "product": product, "count": PAGE_SIZE}
    raise BadRequest(f"unknown task type {task_type!r}")


def _instant(params: Mapping[str, Any], name: str) -> str | None:
    """``params[name]`` (an ISO date or date-time) as ``YYYY-MM-DDTHH:MM:SSZ``, comparable with
    records' ``created_at``; None when absent."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    return format_utc(_parse_instant(str(raw), name))


def _in_window(keep: Callable[[Record], bool], since: str | None,
               until: str | None) -> Callable[[Record], bool]:
    """``keep`` narrowed to tweets created in [since, until)."""
    if since is None and until is None:
        return keep

    def inside(r: Record) -> bool:
        created = r.created_at if isinstance(r, TweetRecord) else None
        if created is None:
            return False
        if since is not None and created < since:
            return False
        if until is not None and created >= until:
            return False
        return keep(r)

    return inside


def _older_than(page: Page, since: str, user_id: str | None) -> bool:
    """Whether a newest-first user timeline page reached past ``since``: its oldest own tweet,
    the pinned one aside (X shows it first whatever its age), is older than ``since``."""
    pinned = set(page.pinned)
    for item in page.items:
        if (isinstance(item, TweetRecord) and item.id not in pinned and item.created_at is not None
                and item.author is not None and item.author.id == user_id and item.created_at < since):
            return True
    return False


def _keep(task_type: str, params: Mapping[str, Any], user_id: str | None) -> Callable[[Record], bool]:
    if task_type in (USER_FOLLOWERS, USER_FOLLOWING):
        return lambda r: isinstance(r, UserRecord)
    if task_type == USER_TWEETS:
        with_retweets = params.get("include_retweets", True) is not False

        def own(r: Record) -> bool:
            # conversation modules carry other people's posts: keep the user's own
            if not isinstance(r, TweetRecord) or r.author is None or r.author.id != user_id:
                return False
            return with_retweets or not r.is_retweet

        return own
    return lambda r: isinstance(r, TweetRecord)


async def collect(task_type: str, params: Mapping[str, Any], fetch: PageFetcher | FetchFn, *,
                  resume_cursor: str | None = None, seen_ids: set[str] | None = None,
                  already: int = 0) -> AsyncIterator[CollectedPage]:
    """Run one task's pagination, yielding each page's new items and checkpoint cursor.

    ``params`` keys: username, user_id, limit, include_replies, include_retweets, since, until,
    query, product, lang, hashtag. For USER_TWEETS, ``since``/``until`` (ISO dates) keep only
    tweets created in [since, until) and end the pagination once the timeline is older than
    ``since`` (the pinned tweet aside). To resume, pass the last checkpointed ``resume_cursor``, the
    ids already collected (``seen_ids``, updated in place) and their count (``already``).
    Raises the engine's typed errors (:mod:`xget.x.errors`), e.g. TargetNotFound or BadRequest.
    """
    fetch_fn = _fetch_fn(fetch)
    seen = seen_ids if seen_ids is not None else set()
    limit = _limit(params)
    total = already

    if task_type == USER_INFO:
        page = await _user_page(fetch_fn, params)
        users = [u for u in page.items if isinstance(u, UserRecord) and u.id not in seen][:1]
        if limit == 0:
            users = []
        seen.update(u.id for u in users)
        yield CollectedPage(number=1, items=list(users), cursor=None, total=total + len(users),
                            skipped=page.skipped, done=True, stop_reason=STOP_NO_CURSOR)
        return

    user_id: str | None = None
    if task_type in (USER_TWEETS, USER_FOLLOWERS, USER_FOLLOWING):
        user_id = await _resolve_user_id(fetch_fn, params)
        if task_type == USER_TWEETS:
            op = "UserTweetsAndReplies" if params.get("include_replies") else "UserTweets"
        else:
            op = "Followers" if task_type == USER_FOLLOWERS else "Following"
        base: dict[str, Any] = {"userId": user_id, "count": PAGE_SIZE}
    else:
        op, base = _plan(task_type, params)
    keep = _keep(task_type, params, user_id)
    since = until = None
    if task_type == USER_TWEETS:
        # X has no server-side date filter on user timelines: filter here, stop past ``since``
        since, until = _instant(params, "since"), _instant(params, "until")
        keep = _in_window(keep, since, until)

    cursor = resume_cursor
    used_cursors: set[str] = set()
    empty_streak = stale_streak = 0
    seen_ahead: set[str] = set()
    number = 0
    while limit is None or total < limit:
        variables = dict(base)
        if cursor:
            variables["cursor"] = cursor
        page = await fetch_fn(op, variables)
        number += 1
        new: list[Record] = []
        room = None if limit is None else limit - total
        for item in page.items:
            if room is not None and len(new) >= room:
                break
            if item.id in seen or not keep(item):
                continue
            seen.add(item.id)
            new.append(item)
        total += len(new)
        nxt = page.cursor_bottom
        empty_streak = empty_streak + 1 if not page.items else 0
        # nothing new to keep, and not merely ahead of USER_TWEETS' until (progress towards it,
        # as long as the posts ahead are ones not seen before: a source repeating them loops)
        fresh_ahead = {i.id for i in page.items
                       if until is not None and isinstance(i, TweetRecord) and i.created_at is not None
                       and i.created_at >= until} - seen_ahead
        seen_ahead |= fresh_ahead
        ahead = bool(fresh_ahead)
        stale_streak = stale_streak + 1 if not new and not ahead else 0
        stop = None
        if limit is not None and total >= limit:
            stop = STOP_LIMIT
        elif not nxt:
            stop = STOP_NO_CURSOR
        elif nxt == cursor or nxt in used_cursors:
            stop = STOP_REPEATED_CURSOR
        elif empty_streak >= EMPTY_PAGES_TO_STOP:
            stop = STOP_EMPTY_PAGES
        elif stale_streak >= STALE_PAGES_TO_STOP:
            stop = STOP_NO_NEW_ITEMS
        elif since is not None and _older_than(page, since, user_id):
            stop = STOP_SINCE
        yield CollectedPage(number=number, items=new, cursor=nxt, total=total,
                            skipped=page.skipped, done=stop is not None, stop_reason=stop)
        if stop is not None:
            return
        if cursor:
            used_cursors.add(cursor)
        cursor = nxt
    if number == 0:
        # limit already reached before the first page (a resumed, finished execution)
        yield CollectedPage(number=0, items=[], cursor=resume_cursor, total=total, done=True,
                            stop_reason=STOP_LIMIT)
