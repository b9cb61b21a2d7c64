"""Reading result documents: a task's results page by page, search across tasks, full streams."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import msgspec
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import PyMongoError

from xget.results.cursors import OpenCursors
from xget.results.store import ResultStore

SORTS: dict[str, tuple[str, int]] = {
    "collected": ("seq", ASCENDING),
    "-collected": ("seq", DESCENDING),
    "created_at": ("created_at", ASCENDING),
    "-created_at": ("created_at", DESCENDING),
    "likes": ("like_count", ASCENDING),
    "-likes": ("like_count", DESCENDING),
}
TWEET_FIELDS = {
    "id", "url", "text", "lang", "created_at", "author", "conversation_id", "in_reply_to_tweet_id",
    "in_reply_to_user_id", "in_reply_to_screen_name", "reply_count", "retweet_count", "like_count", "quote_count",
    "bookmark_count", "view_count", "hashtags", "mentions", "urls", "media", "is_retweet", "retweeted_tweet",
    "quoted_tweet", "source", "possibly_sensitive",
}
USER_FIELDS = {
    "id", "screen_name", "name", "description", "location", "url", "created_at", "followers_count",
    "following_count", "tweet_count", "like_count", "media_count", "listed_count", "verified", "is_blue_verified",
    "protected", "profile_image_url", "profile_banner_url",
}
META_OUT = {"task_id", "execution_id", "executions", "item_type", "collected_at", "updated_at"}
FIELDS = TWEET_FIELDS | USER_FIELDS | META_OUT


class QueryError(ValueError):
    """A parameter the caller must fix; ``field`` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def projection(fields: str | None, sort_key: str = "seq") -> dict[str, int]:
    """A MongoDB projection from ``fields=id,text,author.screen_name`` (validated). ``_id`` is
    hidden; ``seq`` and the sort key are kept for the cursor (:func:`public` drops them)."""
    if not fields:
        return {"_id": 0, "user_id": 0}
    chosen: dict[str, int] = {"_id": 0, sort_key: 1, "seq": 1}
    for name in (f.strip() for f in fields.split(",")):
        if not name:
            continue
        if name.split(".", 1)[0] not in FIELDS or not _FIELD_PATH.fullmatch(name):
            shown = name if len(name) <= 64 else name[:64] + "..."
            raise QueryError("fields", f"unknown field {shown!r}; fields are record fields such as id, text, "
                             "created_at, like_count, author.screen_name (dot-separated names, none empty), "
                             "or item_type, collected_at")
        chosen[name] = 1
    # MongoDB refuses a path beside one of its prefixes (author with author.screen_name): the
    # shorter one already brings the longer one.
    return {name: v for name, v in chosen.items()
            if not any(name.startswith(other + ".") for other in chosen if other != name)}


_FIELD_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_INT64 = 2**63


def query_tag(scope: Any) -> str:
    """A short digest of what a cursor belongs to (the task or search, the sort, the filter)."""
    return hashlib.sha256(msgspec.json.encode(scope, order="sorted")).hexdigest()[:16]


def encode_cursor(values: Sequence[Any], scope: Any = None) -> str:
    """Opaque cursor: the query it belongs to, then the last item's sort key."""
    return base64.urlsafe_b64encode(msgspec.json.encode([query_tag(scope), *values])).decode().rstrip("=")


def decode_cursor(cursor: str, scope: Any = None, key: str = "seq") -> list[Any]:
    """The sort key (value, seq) inside a cursor of the query ``scope`` sorted by ``key``, or
    QueryError naming ``cursor``: 'not a cursor this API returned', or 'does not belong to this
    query' (a cursor of another task, sort or filter)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = msgspec.json.decode(raw)
    except (ValueError, msgspec.DecodeError):
        raise QueryError("cursor", "not a cursor this API returned") from None
    if not isinstance(values, list) or len(values) != 3 or not isinstance(values[0], str):
        raise QueryError("cursor", "not a cursor this API returned")
    if values[0] != query_tag(scope):
        raise QueryError("cursor", "cursor does not belong to this query (another task, sort or filter); "
                         "start again without cursor")
    if not _valid_key(key, values[1], values[2]):
        raise QueryError("cursor", "not a cursor this API returned")
    return values[1:]


def _is_int64(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -_INT64 <= value < _INT64


def _valid_key(key: str, value: Any, seq: Any) -> bool:
    if not _is_int64(seq):
        return False
    if key == "seq":
        return value == seq
    if key == "like_count":
        return value is None or _is_int64(value)
    return value is None or isinstance(value, str)


def _after(key: str, direction: int, cursor: list[Any]) -> dict[str, Any]:
    """Filter for items after the cursor in (key, seq) order; seq breaks ties and is unique."""
    value, seq = cursor
    if key == "seq":
        return {"seq": {"$gt" if direction == ASCENDING else "$lt": seq}}
    op = "$gt" if direction == ASCENDING else "$lt"
    return {"$or": [{key: {op: value}}, {key: value, "seq": {op: seq}}]}


class ResultQueries:
    """Queries of the result documents of one generation."""

    def __init__(self, store: ResultStore) -> None:
        self.store = store
        self.open_cursors = OpenCursors()

    def _cursor_of(self, doc: dict[str, Any], key: str, scope: Any) -> str:
        value = doc.get(key) if key != "seq" else doc["seq"]
        return encode_cursor([value, doc["seq"]], scope)

    async def page(self, generation: int, task_id: str, *, limit: int, sort: str = "collected",
                   cursor: str | None = None, item_type: str | None = None, fields: str | None = None
                   ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a task's results and the cursor of the next (None at the end)."""
        if sort not in SORTS:
            raise QueryError("sort", f"sort must be one of {', '.join(SORTS)}")
        key, direction = SORTS[sort]
        scope = ("task", task_id, sort, item_type)
        flt: dict[str, Any] = {"task_id": task_id}
        if item_type:
            flt["item_type"] = item_type
        if cursor:
            flt.update(_after(key, direction, decode_cursor(cursor, scope, key)))
        collection = self.store.collection(generation, task_id)
        if key == "seq" and direction == ASCENDING and self.store.ferretdb and self.store.layout == "per_task":
            return await self._natural_page(collection, flt, fields, limit, cursor, generation, scope)
        find = collection.find(flt, projection(fields, key)).sort([(key, direction), ("seq", direction)])
        docs = await find.limit(limit + 1).to_list()
        more = len(docs) > limit
        docs = docs[:limit]
        next_cursor = self._cursor_of(docs[-1], key, scope) if more and docs else None
        return [public(d, fields) for d in docs], next_cursor

    async def _natural_page(self, collection: Any, flt: dict[str, Any], fields: str | None, limit: int,
                            cursor: str | None, generation: int, scope: Any
                            ) -> tuple[list[dict[str, Any]], str | None]:
        # FerretDB returns a per-task collection in insertion order, which is collection order, and
        # sorting would scan it whole: read it naturally, continuing the previous page's cursor,
        # kept under the page's shape and the cursor it answered with (which names the task,
        # sort and item type through its scope tag).
        key = (generation, fields, limit, cursor)
        kept = await self.open_cursors.take(key) if cursor else None
        if kept is not None:
            live, docs = kept[0], [kept[1]]
        else:
            live, docs = collection.find(flt, projection(fields)).batch_size(limit + 1), []
        docs += await live.to_list(length=limit + 1 - len(docs))
        if len(docs) <= limit:
            await live.close()
            return [public(d, fields) for d in docs], None
        next_cursor = self._cursor_of(docs[limit - 1], "seq", scope)
        await self.open_cursors.keep((generation, fields, limit, next_cursor), live, docs[limit])
        return [public(d, fields) for d in docs[:limit]], next_cursor

    async def search(self, generation: int, task_ids: Sequence[str] | None, flt: dict[str, Any], *, limit: int,
                     cursor: str | None = None, scope: Any = None) -> tuple[list[dict[str, Any]], str | None]:
        """Newest collected first across ``task_ids`` (the caller's tasks; None: every task).
        ``scope`` names the search for its cursors (a cursor of another search is refused)."""
        query = dict(flt)
        if cursor:
            query.update(_after("seq", DESCENDING, decode_cursor(cursor, scope)))
        if task_ids is not None:
            query["task_id"] = {"$in": list(task_ids)}
        if self.store.layout == "shared":
            docs = await self.store.collection(generation, "").find(query, projection(None)) \
                .sort("seq", DESCENDING).limit(limit + 1).to_list()
        else:
            names = await self.store.generation_collections(generation)
            if task_ids is not None:
                names = sorted(set(names) & {self.store.collection_name(generation, t) for t in task_ids})
            docs = []
            for name in names:
                docs += await self.store.db[name].find(query, projection(None)).sort("seq", DESCENDING) \
                    .limit(limit + 1).to_list()
            docs.sort(key=lambda d: d["seq"], reverse=True)
        more = len(docs) > limit
        docs = docs[:limit]
        next_cursor = encode_cursor([docs[-1]["seq"], docs[-1]["seq"]], scope) if more and docs else None
        return [public(d, None) for d in docs], next_cursor

    async def stream(self, generation: int, task_id: str, batch: int = 1000,
                     current_generation: Callable[[], Awaitable[int]] | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every result of a task in collected order, fetched ``batch`` at a time (constant memory).

        With ``current_generation``, a rebuild's switch during a long stream is followed: the old
        generation's collections are dropped a moment after the switch, so when the cursor ends or
        fails and the generation has changed, the stream continues in the new one after the last
        ``seq`` sent (``seq`` is derived from the events: identical in both generations).
        """
        last_seq: int | None = None
        while True:
            flt: dict[str, Any] = {"task_id": task_id}
            if last_seq is not None:
                flt["seq"] = {"$gt": last_seq}
            find = self.store.collection(generation, task_id).find(flt, projection(None))
            # FerretDB's per-task collections are in insertion order, which is seq order.
            if not (self.store.ferretdb and self.store.layout == "per_task"):
                find = find.sort("seq", ASCENDING)
            failure: PyMongoError | None = None
            try:
                async for doc in find.batch_size(batch):
                    last_seq = doc.pop("seq", last_seq)
                    yield doc
            except PyMongoError as exc:
                if current_generation is None:
                    raise
                failure = exc
            if current_generation is None:
                return
            switched = await current_generation()
            if switched == generation:
                if failure is not None:
                    raise failure  # not a rebuild's switch: a real error
                return
            generation = switched


def public(doc: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """A document as the API shows it: without the cursor's helper fields unless asked for."""
    doc.pop("seq", None)
    if fields:
        wanted = {f.strip().split(".", 1)[0] for f in fields.split(",")}
        for name in [k for k in doc if k not in wanted]:
            del doc[name]
    return doc


def search_filter(*, q: str | None = None, hashtag: str | None = None, author: str | None = None,
                  lang: str | None = None, since: str | None = None, until: str | None = None,
                  min_likes: int | None = None, item_type: str = "tweet") -> dict[str, Any]:
    """The MongoDB filter of a search (finds and $regex only: FerretDB has no $text)."""
    flt: dict[str, Any] = {"item_type": item_type}
    if q:
        flt["text"] = {"$regex": re.escape(q), "$options": "i"}
    if hashtag:
        flt["hashtags"] = {"$regex": f"^{re.escape(hashtag.lstrip('#'))}$", "$options": "i"}
    if author:
        flt["author.screen_name"] = {"$regex": f"^{re.escape(author.lstrip('@'))}$", "$options": "i"}
    if lang:
        flt["lang"] = lang
    created: dict[str, str] = {}
    if since:
        created["$gte"] = since
    if until:
        created["$lt"] = until
    if created:
        flt["created_at"] = created
    if min_likes is not None:
        flt["like_count"] = {"$gte": min_likes}
    return flt
