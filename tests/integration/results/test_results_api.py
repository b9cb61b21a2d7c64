"""The result endpoints over the real PostgreSQL and MongoDB-wire server: a task's results,
search across tasks, export in every format, and the rebuild of the results view."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import zipfile
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.integration.api.helpers import task_body
from tests.integration.results.conftest import collected, tweets
from xget.bootstrap import Container
from xget.projections.rebuild import rebuild
from xget.projections.runner import ProjectionRunner
from xget.projections.schema import ensure_projection

TASKS = "/api/v1/tasks"


@pytest.fixture(scope="module")
async def results_projector(container: Container) -> AsyncIterator[None]:
    """The results view kept current, as `xget projector` does."""
    projection = (await container.projections())["results"]
    async with container.pool.acquire() as conn:
        await ensure_projection(conn, projection)
    stop = asyncio.Event()
    running = asyncio.create_task(ProjectionRunner(container.event_store, projection).run(stop))
    yield
    stop.set()
    await running


async def task_with_results(client: httpx.AsyncClient, container: Container, user: str, pages: list[list[dict]],
                            task_type: str = "USER_TWEETS") -> str:
    body = task_body(user, task_type=task_type, parameters={"username": "alice", "limit": 1000}) \
        if task_type == "USER_TWEETS" else task_body(user)
    task = (await client.post(TASKS, json=body)).json()
    started = (await client.post(f"{TASKS}/{task['id']}/start")).json()
    await collected(container, task["id"], started["execution_id"], pages, user_id=user)
    await caught_up(container)
    return task["id"]


async def caught_up(container: Container) -> None:
    head = await container.event_store.head()
    for _ in range(500):
        if await container.pool.fetchval("SELECT position FROM checkpoints WHERE name = 'results'") >= head:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("results view did not catch up")


async def test_a_tasks_results_page_through_with_cursors_fields_and_sorts(
    client: httpx.AsyncClient, container: Container, results_projector: None
) -> None:
    task_id = await task_with_results(client, container, "reader", [tweets(0, 20), tweets(20, 20), tweets(40, 10)])
    seen, cursor = [], None
    while True:
        params = {"limit": 15} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(f"{TASKS}/{task_id}/results", params=params)).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [i["text"] for i in seen] == [f"post {n}" for n in range(50)]
    top = (await client.get(f"{TASKS}/{task_id}/results", params={"sort": "-likes", "limit": 3,
                                                                    "fields": "id,like_count"})).json()
    assert [i["like_count"] for i in top["items"]] == [49, 48, 47]
    assert all(i.keys() == {"id", "like_count"} for i in top["items"])
    assert (await client.get(f"{TASKS}/{task_id}/results", params={"item_type": "user"})).json()["items"] == []


async def test_result_queries_reject_bad_input_naming_the_parameter(
    client: httpx.AsyncClient, container: Container, results_projector: None
) -> None:
    task_id = await task_with_results(client, container, "badinput", [tweets(0, 3)])
    for params, field in (({"limit": 1001}, "query.limit"), ({"limit": 0}, "query.limit"),
                          ({"sort": "random"}, "query.sort"), ({"cursor": "not-a-cursor!"}, "query.cursor"),
                          ({"fields": "id,password"}, "query.fields"), ({"item_type": "video"}, "query.item_type")):
        response = await client.get(f"{TASKS}/{task_id}/results", params=params)
        assert response.status_code == 422, (params, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}
    assert (await client.get(f"{TASKS}/nope/results")).status_code == 404
    unscoped = await client.get(f"{TASKS}/search/results", params={"q": "x"})
    assert unscoped.status_code == 422 and "query.user_id" in {e["field"] for e in unscoped.json()["errors"]}
    assert (await client.post(f"{TASKS}/export/nope")).status_code == 404


async def test_search_finds_items_across_a_users_tasks_by_each_filter(
    client: httpx.AsyncClient, container: Container, results_projector: None
) -> None:
    user = "searcher"
    first = [t | {"text": f"rocket {t['text']}", "hashtags": ["Mars"], "lang": "en"} for t in tweets(0, 10)]
    second = [t | {"lang": "fr", "created_at": "2026-10-01T00:00:00Z"} for t in tweets(100, 10)]
    await task_with_results(client, container, user, [first])
    await task_with_results(client, container, user, [second])
    await task_with_results(client, container, "someone-else", [first])

    async def search(**params: object) -> list[dict]:
        response = await client.get(f"{TASKS}/search/results", params={"user_id": user, **params})
        assert response.status_code == 200, response.text
        return response.json()["items"]

    assert len(await search(limit=100)) == 20
    assert len(await search(q="ROCKET")) == 10
    assert len(await search(hashtag="#mars")) == 10
    assert len(await search(author="@ALICE", limit=100)) == 20
    assert len(await search(lang="fr")) == 10
    assert {i["text"] for i in await search(since="2026-09-30", until="2026-10-02")} == \
        {f"post {n}" for n in range(100, 110)}
    assert [i["like_count"] for i in await search(min_likes=108)] == [109, 108]
    newest_first = await search(limit=5)
    assert newest_first[0]["text"] == "post 109"
    page1 = (await client.get(f"{TASKS}/search/results", params={"user_id": user, "limit": 12})).json()
    page2 = (await client.get(f"{TASKS}/search/results",
                              params={"user_id": user, "limit": 12, "cursor": page1["next_cursor"]})).json()
    assert len(page1["items"]) == 12 and len(page2["items"]) == 8 and page2["next_cursor"] is None


async def test_export_streams_every_item_in_each_format(
    client: httpx.AsyncClient, container: Container, results_projector: None
) -> None:
    task_id = await task_with_results(client, container, "exporter",
                                      [tweets(0, 20), tweets(20, 20) + [tweets(40, 1)[0] | {"text": "=HYPERLINK()"}]])
    for fmt in ("json", "ndjson", "csv", "xlsx"):
        response = await client.post(f"{TASKS}/export/{task_id}", params={"format": fmt})
        assert response.status_code == 200, response.text
        assert f"xget-{task_id}-results.{fmt}" in response.headers["content-disposition"]
        body = response.content
        if fmt == "json":
            rows = json.loads(body)
        elif fmt == "ndjson":
            rows = [json.loads(line) for line in body.decode().splitlines()]
        elif fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
            assert rows[-1]["text"] == "'=HYPERLINK()"  # never a live formula in a spreadsheet
            assert rows[0]["author_screen_name"] == "alice" and rows[0]["is_retweet"] == "false"
            assert response.headers["content-type"] == "text/csv; charset=utf-8"
        else:
            sheet = zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()
            rows = [None] * (sheet.count("<row ") - 1)
            assert "<f>" not in sheet  # strings stay strings
        assert len(rows) == 41, fmt
    assert (await client.post(f"{TASKS}/export/{task_id}", params={"format": "pdf"})).status_code == 422


async def test_a_rebuilt_results_view_equals_the_live_one(
    client: httpx.AsyncClient, container: Container, results_projector: None
) -> None:
    await task_with_results(client, container, "rebuilder", [tweets(0, 20), tweets(10, 20)])
    store = await container.results_store()
    generation = await container.pool.fetchval("SELECT generation FROM checkpoints WHERE name = 'results'")

    async def snapshot(gen: int) -> list[dict]:
        docs = []
        for name in sorted(await store.generation_collections(gen)):
            docs += await store.db[name].find({}).sort("_id", 1).to_list()
        return sorted(docs, key=lambda d: d["_id"])

    before = await snapshot(generation)
    projection = (await container.projections())["results"]
    new, _ = await rebuild(container.event_store, projection, batch_size=100)
    assert new == generation + 1
    await caught_up(container)
    assert await snapshot(new) == before
    assert await store.generation_collections(generation) == []


async def test_field_paths_with_empty_names_and_huge_numbers_are_rejected_not_500(
    client: httpx.AsyncClient, container: Container, results_projector: None
) -> None:
    task_id = await task_with_results(client, container, "paths", [tweets(0, 3)])
    for fields in ("author..x", "author.", "id.", ".id", "id,author..screen_name"):
        response = await client.get(f"{TASKS}/{task_id}/results", params={"fields": fields})
        assert response.status_code == 422, (fields, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert {e["field"] for e in response.json()["errors"]} == {"query.fields"}
    both = await client.get(f"{TASKS}/{task_id}/results", params={"fields": "author,author.screen_name,id",
                                                                   "sort": "-likes"})
    assert both.status_code == 200 and set(both.json()["items"][0]) == {"author", "id"}, both.text
    huge = await client.get(f"{TASKS}/search/results", params={"user_id": "paths", "min_likes": 2**63})
    assert huge.status_code == 422 and "query.min_likes" in {e["field"] for e in huge.json()["errors"]}


async def test_a_cursor_continues_only_the_query_it_came_from(
    client: httpx.AsyncClient, container: Container, results_projector: None
) -> None:
    task_id = await task_with_results(client, container, "cursors", [tweets(0, 10)])
    other = await task_with_results(client, container, "cursors", [tweets(10, 10)])
    url = f"{TASKS}/{task_id}/results"
    by_likes = (await client.get(url, params={"sort": "-likes", "limit": 3})).json()["next_cursor"]
    assert (await client.get(url, params={"sort": "-likes", "limit": 3, "cursor": by_likes})).status_code == 200
    for target, params in ((url, {}), (url, {"sort": "likes"}), (f"{TASKS}/{other}/results", {"sort": "-likes"}),
                           (f"{TASKS}/search/results", {"user_id": "cursors"})):
        response = await client.get(target, params={**params, "cursor": by_likes})
        assert response.status_code == 422, (target, params, response.text)
        assert "cursor does not belong to this query" in response.json()["detail"]
    searched = (await client.get(f"{TASKS}/search/results", params={"user_id": "cursors", "limit": 3})).json()
    filtered = await client.get(f"{TASKS}/search/results", params={"user_id": "cursors", "limit": 3, "lang": "fr",
                                                                   "cursor": searched["next_cursor"]})
    assert filtered.status_code == 422
    forged = base64.urlsafe_b64encode(json.dumps(["a", "b"]).encode()).decode().rstrip("=")
    response = await client.get(url, params={"cursor": forged})
    assert response.status_code == 422 and "not a cursor this API returned" in response.json()["detail"]


async def test_search_since_and_until_take_a_date_or_a_date_time(
    client: httpx.AsyncClient, container: Container, results_projector: None
) -> None:
    user = "instants"
    await task_with_results(client, container, user, [[t | {"created_at": f"2026-10-01T{n:02d}:00:00Z"}
                                                       for n, t in enumerate(tweets(0, 10))]])

    async def count(**params: str) -> int:
        response = await client.get(f"{TASKS}/search/results", params={"user_id": user, "limit": 100, **params})
        assert response.status_code == 200, (params, response.text)
        return len(response.json()["items"])

    assert await count(since="2026-10-01", until="2026-10-02") == 10
    assert await count(since="2026-10-01T03:00:00Z", until="2026-10-01T05:00:00Z") == 2
    assert await count(since="2026-10-01T05:00:00+02:00") == 7  # 03:00Z onwards
    assert await count(until="2026-10-01T02:00:00.5Z") == 3  # 00:00, 01:00, 02:00
    bad = await client.get(f"{TASKS}/search/results", params={"user_id": user, "since": "October"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"query.since"}
