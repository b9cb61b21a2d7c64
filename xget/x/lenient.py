"""The slow path for a response with an item of unexpected shape.

The fast path decodes a whole response in one typed pass; a single field of an unexpected type
anywhere fails that pass. Then the response is decoded generically and every tweet or user
result is validated on its own, bottom-up: a result that does not fit is replaced by a marker
(counted as ``malformed`` by the page) and the rest of the page is kept.
"""

from __future__ import annotations

from typing import Any

import msgspec

from xget.x.errors import NotXResponse
from xget.x.schema import WResponse
from xget.x.schema_items import WTweet, WUser

MALFORMED = "XgetMalformed"
"""``__typename`` given to a result replaced because it did not fit the schema."""

_TWEET_TYPES = frozenset({"Tweet", "TweetWithVisibilityResults", "TweetTombstone", "TweetUnavailable"})
_USER_TYPES = frozenset({"User", "UserUnavailable"})


def _check(node: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
    kind = node.get("__typename")
    target: type[msgspec.Struct] | None = (
        WTweet if kind in _TWEET_TYPES else WUser if kind in _USER_TYPES else None)
    if target is None:
        return node
    try:
        msgspec.convert(node, target)
    except msgspec.ValidationError as exc:
        what = "tweet" if target is WTweet else "user"
        warnings.append(f"{what} {node.get('rest_id', '?')} skipped, unexpected shape: {exc}")
        return {"__typename": MALFORMED, "rest_id": node.get("rest_id")}
    return node


def _sanitize(node: Any, warnings: list[str]) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                node[key] = _sanitize(value, warnings)
        return _check(node, warnings)
    if isinstance(node, list):
        return [_sanitize(v, warnings) if isinstance(v, (dict, list)) else v for v in node]
    return node


def decode_leniently(raw: bytes) -> tuple[WResponse, list[str]]:
    """Decode a response, replacing each result that does not fit; return it with warnings."""
    doc = msgspec.json.decode(raw)
    warnings: list[str] = []
    doc = _sanitize(doc, warnings)
    try:
        return msgspec.convert(doc, WResponse), warnings
    except msgspec.ValidationError as exc:
        raise NotXResponse(f"unrecognised X response shape: {exc}") from None
