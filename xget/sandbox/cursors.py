"""Opaque, deterministic cursors: a few integers, a tag and a checksum tied to seed and query.

A cursor from another operation, another query or another world fails its checksum and is
refused (X answers such requests with an error too), so a test cannot silently page through the
wrong timeline.
"""

from __future__ import annotations

import base64

from xget.sandbox.rand import MASK, key

# What a cursor pages through; part of the checksum.
USER_TIMELINE, REPLIES_TIMELINE, FOLLOWERS, FOLLOWING, SEARCH, TOP = 1, 2, 3, 4, 5, 6
_PREFIX = "DAAH"


def encode(base: int, tag: int, values: tuple[int, ...], salt: int = 0) -> str:
    """A cursor holding ``values`` (non-negative integers) for pages of kind ``tag``."""
    check = key(base, tag, salt, *values) & 0xFFFFFFFF
    raw = b"".join(v.to_bytes(8, "big") for v in values) + check.to_bytes(4, "big")
    return _PREFIX + base64.urlsafe_b64encode(bytes([tag]) + raw).decode().rstrip("=")


def decode(base: int, tag: int, cursor: str, salt: int = 0) -> tuple[int, ...] | None:
    """The values of a cursor made by :func:`encode` with the same arguments, else None."""
    if not cursor.startswith(_PREFIX):
        return None
    text = cursor[len(_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None
    if len(raw) < 5 or raw[0] != tag or (len(raw) - 5) % 8:
        return None
    body, check = raw[1:-4], int.from_bytes(raw[-4:], "big")
    values = tuple(int.from_bytes(body[i:i + 8], "big") for i in range(0, len(body), 8))
    if key(base, tag, salt, *values) & 0xFFFFFFFF != check:
        return None
    return values


def salt_of(text: str) -> int:
    """A checksum salt from a query string."""
    h = 1469598103934665603
    for ch in text.encode():
        h = ((h ^ ch) * 1099511628211) & MASK
    return h
