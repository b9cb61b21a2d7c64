"""Where result documents live in MongoDB, and writing them idempotently.

Two layouts, chosen by ``XGET_RESULTS_LAYOUT`` (default ``auto``):

* ``shared``: one collection per generation (``results_g<N>``) with compound indexes; what a real
  MongoDB wants.
* ``per_task``: one collection per task and generation (``results_g<N>_<task>``). FerretDB 1.x
  (the stack's MongoDB-wire server) answers only ``_id`` equality without a scan, so keeping each
  task apart bounds every query to that task's documents.

``auto`` picks ``per_task`` when the server says it is FerretDB (``buildInfo.ferretdbVersion``).
Every query filters on ``task_id`` in both layouts, so the code paths differ only in naming.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError

from xget.results.documents import merge

log = logging.getLogger(__name__)

DUPLICATE_KEY = 11000
_SAFE = re.compile(r"[^A-Za-z0-9_-]")

SHARED_INDEXES = [
    [("task_id", ASCENDING), ("seq", ASCENDING)],
    [("task_id", ASCENDING), ("item_type", ASCENDING), ("seq", ASCENDING)],
    [("task_id", ASCENDING), ("created_at", DESCENDING)],
    [("task_id", ASCENDING), ("like_count", DESCENDING)],
    [("user_id", ASCENDING), ("seq", DESCENDING)],
    [("user_id", ASCENDING), ("author.screen_name", ASCENDING), ("seq", DESCENDING)],
    [("user_id", ASCENDING), ("hashtags", ASCENDING), ("seq", DESCENDING)],
]
PER_TASK_INDEXES = [
    [("seq", ASCENDING)],
    [("item_type", ASCENDING), ("seq", ASCENDING)],
    [("created_at", DESCENDING)],
    [("like_count", DESCENDING)],
]


class ResultStore:
    """Names the collections of a layout and writes documents into them."""

    def __init__(self, db: Any, layout: str, ferretdb: bool) -> None:
        self.db = db
        self.layout = layout
        self.ferretdb = ferretdb
        self._indexed: set[str] = set()

    @classmethod
    async def open(cls, client: Any, database: str, layout: str = "auto") -> "ResultStore":
        """Connect to ``database`` and resolve the ``auto`` layout from the server's identity."""
        info = await client.admin.command("buildInfo")
        ferretdb = "ferretdbVersion" in info
        if layout == "auto":
            layout = "per_task" if ferretdb else "shared"
        log.info("results: %s layout on %s", layout, "FerretDB " + info["ferretdbVersion"] if ferretdb
                 else "MongoDB " + info.get("version", "?"))
        return cls(client[database], layout, ferretdb)

    def prefix(self, generation: int) -> str:
        """Name prefix of ``generation``'s collections."""
        return f"results_g{generation}"

    def collection_name(self, generation: int, task_id: str) -> str:
        """The collection holding ``task_id``'s documents in ``generation``."""
        if self.layout == "shared":
            return self.prefix(generation)
        return f"{self.prefix(generation)}_{_SAFE.sub('_', task_id)}"

    def collection(self, generation: int, task_id: str) -> Any:
        """The collection object of ``task_id`` in ``generation``."""
        return self.db[self.collection_name(generation, task_id)]

    async def generation_collections(self, generation: int) -> list[str]:
        """Every collection of ``generation``."""
        names = await self.db.list_collection_names()
        prefix = self.prefix(generation)
        return [n for n in names if n == prefix or n.startswith(prefix + "_")]

    async def ensure_indexes(self, name: str) -> None:
        """Create the query indexes of a collection once per process. FerretDB 1.x does not use
        secondary indexes for queries, so there they would only slow inserts down."""
        if name in self._indexed:
            return
        if not self.ferretdb:
            for keys in SHARED_INDEXES if self.layout == "shared" else PER_TASK_INDEXES:
                await self.db[name].create_index(keys)
        self._indexed.add(name)

    async def write(self, name: str, docs: list[dict[str, Any]]) -> int:
        """Insert ``docs`` into collection ``name``; documents already there (a re-run, or a
        replay after a crash) are merged in place. Returns how many were new. Idempotent."""
        if not docs:
            return 0
        await self.ensure_indexes(name)
        coll = self.db[name]
        try:
            result = await coll.insert_many(docs, ordered=False)
            return len(result.inserted_ids)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            others = [e for e in errors if e.get("code") != DUPLICATE_KEY]
            if others:
                raise
            duplicates = [docs[e["index"]] for e in errors]
        # Replacing by _id is the one update FerretDB does without a scan.
        for doc in duplicates:
            existing = await coll.find_one({"_id": doc["_id"]})
            await coll.replace_one({"_id": doc["_id"]}, merge(existing or {}, doc), upsert=True)
        return len(docs) - len(duplicates)

    async def drop_task(self, generation: int, task_id: str) -> None:
        """Remove a deleted task's documents."""
        if self.layout == "shared":
            await self.db[self.prefix(generation)].delete_many({"task_id": task_id})
        else:
            await self.db.drop_collection(self.collection_name(generation, task_id))

    async def drop_generation(self, generation: int) -> None:
        """Drop every collection of ``generation``."""
        for name in await self.generation_collections(generation):
            await self.db.drop_collection(name)
            self._indexed.discard(name)
