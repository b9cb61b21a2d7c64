"""Exporting a task's results as JSON, NDJSON, CSV or XLSX, streamed in constant memory.

Documents arrive from an async iterator (fetched a batch at a time) and leave as byte chunks;
nothing holds more than one batch. XLSX is written with xlsxwriter's constant-memory mode into a
temporary file (the format is a zip, it cannot be streamed while written), then streamed out.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import msgspec

FORMATS = {
    "json": "application/json",
    "ndjson": "application/x-ndjson",
    "csv": "text/csv",  # the framework adds "; charset=utf-8" to text types
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 64 * 1024
ROWS_PER_BATCH = 1000

TWEET_COLUMNS = (
    "id", "url", "created_at", "author_id", "author_screen_name", "author_name", "text", "lang", "like_count",
    "retweet_count", "reply_count", "quote_count", "bookmark_count", "view_count", "hashtags", "mentions", "urls",
    "media", "is_retweet", "retweeted_tweet_id", "quoted_tweet_id", "in_reply_to_tweet_id",
    "in_reply_to_screen_name", "conversation_id", "source", "possibly_sensitive", "collected_at", "execution_id",
)
USER_COLUMNS = (
    "id", "screen_name", "name", "description", "location", "url", "created_at", "followers_count",
    "following_count", "tweet_count", "like_count", "media_count", "listed_count", "verified", "is_blue_verified",
    "protected", "profile_image_url", "profile_banner_url", "collected_at", "execution_id",
)

_encoder = msgspec.json.Encoder()


def columns_for(item_type: str) -> tuple[str, ...]:
    """Flat columns of CSV and XLSX exports for an item type."""
    return USER_COLUMNS if item_type == "user" else TWEET_COLUMNS


def flatten(doc: dict[str, Any], columns: tuple[str, ...]) -> list[Any]:
    """One row: nested values pulled up, lists joined with spaces, times as ISO strings."""
    author = doc.get("author") or {}
    derived = {
        "author_id": author.get("id"),
        "author_screen_name": author.get("screen_name"),
        "author_name": author.get("name"),
        "retweeted_tweet_id": (doc.get("retweeted_tweet") or {}).get("id"),
        "quoted_tweet_id": (doc.get("quoted_tweet") or {}).get("id"),
        "media": " ".join(m.get("url", "") for m in doc.get("media") or []),
    }
    row = []
    for column in columns:
        value = derived[column] if column in derived else doc.get(column)
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list):
            value = " ".join(str(v) for v in value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        row.append(value)
    return row


def _safe_cell(value: Any) -> Any:
    # A cell starting with =, +, - or @ is a formula to spreadsheet programs: keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


async def _rebatch(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    buffer = bytearray()
    async for chunk in chunks:
        buffer += chunk
        if len(buffer) >= CHUNK:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


async def _json(docs: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    yield b"["
    first = True
    async for doc in docs:
        yield (b"" if first else b",") + _encoder.encode(doc)
        first = False
    yield b"]\n"


async def _ndjson(docs: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    async for doc in docs:
        yield _encoder.encode(doc) + b"\n"


async def _csv(docs: AsyncIterator[dict[str, Any]], columns: tuple[str, ...]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer.writerow(columns)
    async for doc in docs:
        writer.writerow([_safe_cell(v) for v in flatten(doc, columns)])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


async def _xlsx(docs: AsyncIterator[dict[str, Any]], columns: tuple[str, ...]) -> AsyncIterator[bytes]:
    import xlsxwriter

    fd, path = tempfile.mkstemp(prefix="xget-export-", suffix=".xlsx")
    os.close(fd)
    try:
        book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "tmpdir": tempfile.gettempdir()})
        sheet = book.add_worksheet("results")
        sheet.write_row(0, 0, columns)
        row = 1
        batch: list[list[Any]] = []

        def write(rows: list[list[Any]], start: int) -> None:
            for offset, values in enumerate(rows):
                for col, value in enumerate(values):
                    if value is None:
                        continue
                    if not isinstance(value, (int, float)):
                        sheet.write_string(start + offset, col, str(value)[:32767])
                    else:
                        sheet.write_number(start + offset, col, value)

        async for doc in docs:
            batch.append(flatten(doc, columns))
            if len(batch) >= ROWS_PER_BATCH:
                # xlsxwriter is synchronous: write off the event loop.
                await asyncio.to_thread(write, batch, row)
                row += len(batch)
                batch = []
        await asyncio.to_thread(write, batch, row)
        await asyncio.to_thread(book.close)
        with open(path, "rb") as handle:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def exporter(fmt: str, item_type: str) -> Callable[[AsyncIterator[dict[str, Any]]], AsyncIterator[bytes]]:
    """The chunk generator of ``fmt`` for documents of ``item_type``."""
    columns = columns_for(item_type)
    makers: dict[str, Callable[[AsyncIterator[dict[str, Any]]], AsyncIterator[bytes]]] = {
        "json": lambda docs: _rebatch(_json(docs)),
        "ndjson": lambda docs: _rebatch(_ndjson(docs)),
        "csv": lambda docs: _csv(docs, columns),
        "xlsx": lambda docs: _xlsx(docs, columns),
    }
    return makers[fmt]
