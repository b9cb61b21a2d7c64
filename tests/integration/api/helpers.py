"""Request bodies and small helpers shared by the API tests."""

from __future__ import annotations

import uuid
from typing import Any

from xget.api.openapi import SEED_EXAMPLE

SEED_TASK = SEED_EXAMPLE


def task_body(user: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid USER_INFO task for a fresh user (so list assertions are not disturbed by others)."""
    body: dict[str, Any] = {"task_name": "profile", "task_type": "USER_INFO", "parameters": {"username": "jack"},
                            "user_id": user or f"user-{uuid.uuid4().hex[:8]}"}
    body.update(overrides)
    return body


def fields_of(problem: dict[str, Any]) -> set[str]:
    """The field names a problem+json body reports as invalid."""
    return {e["field"] for e in problem.get("errors", [])}
