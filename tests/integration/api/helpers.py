"""Request bodies and small helpers shared by the API tests."""

from __future__ import annotations

import uuid
from typing import Any

SEED_TASK = {
    "task_name": "采集埃隆马斯克推文",
    "describe": "采集埃隆马斯克最新50条推文，不包含回复和转发",
    "task_type": "USER_TWEETS",
    "parameters": {"username": "elonmusk", "limit": 50, "include_replies": False, "include_retweets": False},
    "account_id": "your-account-id",
    "proxy_id": "your-proxy-id",
    "user_id": "your-user-id",
}


def task_body(user: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid USER_INFO task for a fresh user (so list assertions are not disturbed by others)."""
    body: dict[str, Any] = {"task_name": "profile", "task_type": "USER_INFO", "parameters": {"username": "jack"},
                            "user_id": user or f"user-{uuid.uuid4().hex[:8]}"}
    body.update(overrides)
    return body


def fields_of(problem: dict[str, Any]) -> set[str]:
    """The field names a problem+json body reports as invalid."""
    return {e["field"] for e in problem.get("errors", [])}
