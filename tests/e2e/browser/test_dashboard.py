"""The web dashboard in headless Chromium against the real product: create a task in the form,
start it, watch it complete live with a results preview, stop a running one, export, and use an
API key."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import time
import uuid
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import pytest

from tests.e2e.browser.product import Product
from xget.auth import ApiKeys
from xget.bootstrap import open_container

pytestmark = pytest.mark.slow
T = TypeVar("T")


def script_errors(page: Any) -> list[str]:
    """Uncaught errors and console errors, less the HTTP errors the page handles itself."""
    return [e for e in page.errors if not e.startswith("Failed to load resource")]


async def create_in_form(page: Any, name: str, task_type: str, params: dict[str, str], owner: str | None,
                         start: bool = True) -> str:
    """Fill the create form and submit it; returns the new task's id (from the detail page URL)."""
    await page.click("[data-test=new-task]")
    await page.fill("#f-task_name", name)
    await page.select_option("#f-task_type", task_type)
    for field, value in params.items():
        await page.fill(f"#f-p-{field}", value)
    if owner is not None:
        await page.fill("#f-owner", owner)
    await page.click("[data-test=create-start]" if start else "[data-test=create]")
    await page.wait_for_url(re.compile(r"#/tasks/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[1]  # type: ignore[no-any-return]


async def until(read: Callable[[], Awaitable[T]], ok: Callable[[T], bool], timeout: float = 20) -> T:
    """Poll ``read()`` until ``ok`` of it (the page's CSP forbids Playwright's string predicates)."""
    deadline = time.monotonic() + timeout
    while True:
        value = await read()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {timeout}s")
        await asyncio.sleep(0.05)


async def live_count(page: Any) -> int:
    return int(await page.text_content("[data-test=live-count]"))


async def settled(product: Product, task_id: str, count: int, timeout: float = 30) -> None:
    """Wait until the results view holds ``count`` items (it trails the task's status a little)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=product.api) as client:
        while time.monotonic() < deadline:
            page = (await client.get(f"/api/v1/tasks/{task_id}/results", params={"limit": 1000})).json()
            if page["count"] >= count:
                return
            await asyncio.sleep(0.2)
    raise AssertionError(f"results of {task_id} did not reach {count}")


async def test_a_task_created_and_started_in_the_form_completes_live_with_a_results_preview(
        page: Any, product: Product) -> None:
    await page.goto(f"{product.api}/")
    await page.wait_for_selector("[data-test=task-table]")
    assert await page.text_content("[data-test=auth-state]") == "no key needed"
    task_id = await create_in_form(page, "Elon's latest 50", "USER_TWEETS",
                                   {"username": "elonmusk", "limit": "50"}, owner="browser-user")
    await page.wait_for_selector("[data-test=live-status]:text('COMPLETED')", timeout=30_000)
    assert await live_count(page) == 50
    assert "50 / 50" in await page.text_content("[data-test=live]")
    await page.wait_for_selector("[data-test=executions] >> text=COMPLETED")
    # The preview fills in as the results view catches up.
    await until(lambda: page.locator("[data-test=results-table] tbody tr").count(), lambda n: n == 10)
    first_row = await page.text_content("[data-test=results-table] tbody tr")
    assert "@elonmusk" in first_row
    await page.click("a.back")
    row = page.locator(f"tr[data-task-id='{task_id}']")
    await row.wait_for()
    assert await row.get_attribute("data-status") == "COMPLETED"
    assert "50 / 50" in await row.text_content()
    assert script_errors(page) == []


async def test_a_running_task_shows_live_progress_and_stops_from_the_dashboard(page: Any, product: Product) -> None:
    await product.sandbox(latency_ms=150)  # about 20 posts per 150 ms: a run of several seconds
    try:
        await page.goto(f"{product.api}/dashboard")
        task_id = await create_in_form(page, "long run", "USER_TWEETS", {"username": "elonmusk", "limit": "1000"},
                                       owner="browser-user")
        await page.wait_for_selector("[data-test=live-status]:text('RUNNING')")
        first = await until(lambda: live_count(page), lambda n: n > 0)
        await until(lambda: live_count(page), lambda n: n > first)  # it moves while we watch
        await page.click("[data-test=stop]")
        await page.wait_for_selector("[data-test=live-status]:text('STOPPED')", timeout=20_000)
        stopped_at = await live_count(page)
        assert 0 < stopped_at < 1000
        await page.wait_for_selector("[data-test=executions] >> text=STOPPED")
        assert await page.is_visible("[data-test=start]")  # it can run again
        async with httpx.AsyncClient(base_url=product.api) as client:
            task = (await client.get(f"/api/v1/tasks/{task_id}")).json()
        assert task["status"] == "STOPPED" and task["result_count"] == stopped_at
        assert script_errors(page) == []
    finally:
        await product.sandbox(latency_ms=0)


async def test_export_downloads_every_result_in_the_chosen_format(page: Any, product: Product) -> None:
    await page.goto(f"{product.api}/dashboard")
    task_id = await create_in_form(page, "to export", "USER_TWEETS", {"username": "elonmusk", "limit": "30"},
                                   owner="browser-user")
    await page.wait_for_selector("[data-test=live-status]:text('COMPLETED')", timeout=30_000)
    await settled(product, task_id, 30)
    for fmt in ("csv", "ndjson"):
        await page.select_option("[data-test=export-format]", fmt)
        async with page.expect_download() as download_info:
            await page.click("[data-test=export]")
        download = await download_info.value
        # without an API key the browser downloads the stream itself (to disk, any size)
        assert download.suggested_filename == f"xget-{task_id}-results.{fmt}"
        content = await asyncio.to_thread(Path(await download.path()).read_bytes)
        if fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
            assert len(rows) == 30 and {r["author_screen_name"] for r in rows} == {"elonmusk"}
        else:
            assert len(content.splitlines()) == 30
    assert "download started" in await page.text_content("[data-test=export-status]")
    assert script_errors(page) == []


async def test_the_form_shows_the_api_field_errors_beside_the_fields(page: Any, product: Product) -> None:
    await page.goto(f"{product.api}/dashboard#/new")
    await page.fill("#f-task_name", "bad search")
    await page.select_option("#f-task_type", "KEYWORD_SEARCH")
    await page.fill("#f-p-limit", "0")
    await page.fill("#f-owner", "browser-user")
    await page.click("[data-test=create]")
    error = page.locator("label.field.invalid .field-error")
    await error.first.wait_for()
    texts = await error.all_text_contents()
    assert any(">= 1" in t for t in texts), texts
    assert page.url.endswith("#/new")  # nothing was created
    assert script_errors(page) == []


async def test_with_api_keys_the_dashboard_asks_for_a_key_and_then_works_with_it(page: Any, product: Product) -> None:
    async with open_container(product.settings) as container:
        user = f"keyed-{uuid.uuid4().hex[:6]}"
        key = (await ApiKeys(container.pool).create(user))[1]
    await page.goto(f"{product.keyed_api}/dashboard")
    await page.wait_for_selector("[data-test=auth-state]:text('this API needs a key')")
    await page.fill("[data-test=api-key]", key)
    await page.click("[data-test=save-key]")
    await page.wait_for_selector("[data-test=auth-state]:text('key accepted')")
    await page.wait_for_selector("[data-test=task-table]")
    await create_in_form(page, "my profile", "USER_INFO", {"username": "elonmusk"}, owner=None)
    await page.wait_for_selector("[data-test=live-status]:text('COMPLETED')", timeout=30_000)  # SSE with the key
    assert await live_count(page) == 1
    assert user in await page.text_content("section.info")
    await page.select_option("[data-test=export-format]", "ndjson")
    async with page.expect_download() as download_info:  # with a key: fetched by the page, then saved
        await page.click("[data-test=export]")
    download = await download_info.value
    assert download.suggested_filename.endswith(".ndjson")
    assert len((await asyncio.to_thread(Path(await download.path()).read_bytes)).splitlines()) == 1
    await page.reload()  # the key stays in localStorage
    await page.wait_for_selector("[data-test=auth-state]:text('key accepted')")
    assert script_errors(page) == []


async def test_the_list_keeps_its_page_and_filter_in_the_address_for_back(page: Any, product: Product) -> None:
    owner = f"paging-{uuid.uuid4().hex[:6]}"
    name = f"paged {owner}"
    async with httpx.AsyncClient(base_url=product.api) as client:
        for i in range(25):
            body = {"task_name": f"{name} {i:02d}", "task_type": "USER_INFO", "user_id": owner,
                    "parameters": {"username": "elonmusk"}}
            assert (await client.post("/api/v1/tasks", json=body)).status_code == 201
    await page.goto(f"{product.api}/dashboard#/?q={owner}&page=abc")  # a bad page number is page 1
    await page.wait_for_selector("text=page 1 of 2")
    await page.click("text=Next ›")
    await page.wait_for_selector("text=page 2 of 2")
    assert "page=2" in page.url and f"q={owner}" in page.url
    await page.click("[data-test=task-table] tbody a")
    await page.wait_for_url(re.compile(r"#/tasks/"))
    await page.go_back()
    await page.wait_for_selector("text=page 2 of 2")
    await page.goto(f"{product.api}/dashboard#/?q={owner}&page=999")  # past the end: the last page
    await page.wait_for_selector("text=page 2 of 2")
    assert script_errors(page) == []
