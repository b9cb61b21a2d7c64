"""Helpers of the end-to-end tests: create, start and watch tasks through the live API."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

TASKS = "/api/v1/tasks"
FINAL = {"COMPLETED", "FAILED", "STOPPED"}


def tweets_task(limit: int, user: str | None = None, **parameters: Any) -> dict[str, Any]:
    """A USER_TWEETS task for the sandbox's elonmusk (1,500 posts)."""
    return {"task_name": f"e2e {uuid.uuid4().hex[:6]}", "task_type": "USER_TWEETS",
            "parameters": {"username": "elonmusk", "limit": limit, **parameters},
            "user_id": user or f"e2e-{uuid.uuid4().hex[:6]}"}


async def start(api: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    """Create and start a task; returns the started task."""
    created = await api.post(TASKS, json=body)
    assert created.status_code == 201, created.text
    started = await api.post(f"{TASKS}/{created.json()['id']}/start")
    assert started.status_code == 202, started.text
    return started.json()


async def execution(api: httpx.AsyncClient, execution_id: str) -> dict[str, Any]:
    response = await api.get(f"/api/v1/task-executions/{execution_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def wait_execution(api: httpx.AsyncClient, execution_id: str, *, statuses: set[str] = FINAL,
                         pages: int = 0, timeout: float = 60) -> dict[str, Any]:
    """Poll an execution until its status is in ``statuses`` and it has ``pages`` pages."""
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        last = await execution(api, execution_id)
        if last["status"] in statuses and last["pages"] >= pages:
            return last
        await asyncio.sleep(0.02)
    raise AssertionError(f"execution {execution_id} stuck at {last}")


async def all_results(api: httpx.AsyncClient, task_id: str) -> list[dict[str, Any]]:
    """Every result of a task through the results endpoint's cursors."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1000} | ({"cursor": cursor} if cursor else {})
        page = (await api.get(f"{TASKS}/{task_id}/results", params=params)).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def results_settled(api: httpx.AsyncClient, task_id: str, expected: int, timeout: float = 30
                          ) -> list[dict[str, Any]]:
    """The results once the results view shows ``expected`` items (it trails the task by a moment)."""
    deadline = time.monotonic() + timeout
    items: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        items = await all_results(api, task_id)
        if len(items) >= expected:
            return items
        await asyncio.sleep(0.1)
    raise AssertionError(f"results of {task_id}: {len(items)} of {expected}")
