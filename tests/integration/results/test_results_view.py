"""The MongoDB results view, in both layouts, on the stack's MongoDB-wire server (FerretDB)."""

from __future__ import annotations

import random

from tests.integration.results.conftest import apply, collected, new_ids, tweets
from xget.bootstrap import Container
from xget.events import NewEvent, TaskDeleted
from xget.results.projection import ResultsProjection
from xget.results.queries import ResultQueries
from xget.results.store import ResultStore


def generation() -> int:
    return random.randint(10_000, 10_000_000)


async def test_each_item_becomes_one_document_with_where_and_when_it_was_collected(
    container: Container, store: ResultStore
) -> None:
    gen, projection = generation(), ResultsProjection(store)
    task_id, execution_id = new_ids()
    events = await collected(container, task_id, execution_id, [tweets(0, 20), tweets(20, 5)], user_id="alice")
    await apply(projection, container, events, gen)
    docs = await store.collection(gen, task_id).find({"task_id": task_id}).to_list()
    assert len(docs) == 25
    doc = next(d for d in docs if d["id"] == events[0].event.items[0]["id"])
    assert doc["_id"] == f"{task_id}:tweet:{doc['id']}"
    assert doc["executions"] == [execution_id] and doc["execution_id"] == execution_id
    assert doc["user_id"] == "alice" and doc["item_type"] == "tweet"
    assert doc["author"]["screen_name"] == "alice" and doc["text"] == "post 0"
    assert abs((doc["collected_at"] - events[0].occurred_at).total_seconds()) < 0.001  # BSON keeps ms
    await store.drop_generation(gen)


async def test_applying_the_same_events_again_changes_nothing(container: Container, store: ResultStore) -> None:
    gen, projection = generation(), ResultsProjection(store)
    task_id, execution_id = new_ids()
    events = await collected(container, task_id, execution_id, [tweets(0, 20), tweets(20, 20)])
    await apply(projection, container, events, gen)
    before = await store.collection(gen, task_id).find({"task_id": task_id}).sort("seq", 1).to_list()
    await apply(projection, container, events, gen)  # a crash before the checkpoint moved
    after = await store.collection(gen, task_id).find({"task_id": task_id}).sort("seq", 1).to_list()
    assert after == before and len(after) == 40
    await store.drop_generation(gen)


async def test_a_rerun_updates_documents_in_place_and_records_both_executions(
    container: Container, store: ResultStore
) -> None:
    gen, projection = generation(), ResultsProjection(store)
    task_id, first = new_ids()
    _, second = new_ids()
    await apply(projection, container, await collected(container, task_id, first, [tweets(0, 10)]), gen)
    rerun = await collected(container, task_id, second, [tweets(5, 10, likes=1000)])
    await apply(projection, container, rerun, gen)
    docs = {d["id"]: d for d in await store.collection(gen, task_id).find({"task_id": task_id}).to_list()}
    assert len(docs) == 15
    seen_twice = docs[rerun[0].event.items[0]["id"]]
    assert seen_twice["executions"] == [first, second] and seen_twice["execution_id"] == second
    assert seen_twice["like_count"] >= 1000
    assert seen_twice["collected_at"] < seen_twice["updated_at"]
    only_first = docs[tweets(0, 1)[0]["id"]]
    assert only_first["executions"] == [first]
    await store.drop_generation(gen)


async def test_a_deleted_task_loses_its_documents(container: Container, store: ResultStore) -> None:
    gen, projection = generation(), ResultsProjection(store)
    task_id, execution_id = new_ids()
    keep_id, keep_exec = new_ids()
    await apply(projection, container, await collected(container, task_id, execution_id, [tweets(0, 5)]), gen)
    await apply(projection, container, await collected(container, keep_id, keep_exec, [tweets(0, 5)]), gen)
    await container.event_store.append(f"task-{task_id}", None, [NewEvent(event=TaskDeleted(task_id=task_id))])
    deleted = (await container.event_store.read_stream(f"task-{task_id}"))[-1:]
    await apply(projection, container, deleted, gen)
    assert await store.collection(gen, task_id).count_documents({"task_id": task_id}) == 0
    assert await store.collection(gen, keep_id).count_documents({"task_id": keep_id}) == 5
    await store.drop_generation(gen)


async def test_pages_of_results_cover_every_item_once_in_every_sort(container: Container, store: ResultStore) -> None:
    gen, projection = generation(), ResultsProjection(store)
    task_id, execution_id = new_ids()
    await apply(projection, container,
                await collected(container, task_id, execution_id, [tweets(0, 20), tweets(20, 20), tweets(40, 7)]),
                gen)
    queries = ResultQueries(store)
    for sort in ("collected", "-collected", "likes", "-likes", "created_at", "-created_at"):
        seen: list[dict] = []
        cursor = None
        while True:
            items, cursor = await queries.page(gen, task_id, limit=10, sort=sort, cursor=cursor)
            seen += items
            if cursor is None:
                break
        assert len(seen) == 47 and len({d["id"] for d in seen}) == 47, sort
        if sort == "collected":
            assert [d["text"] for d in seen] == [f"post {n}" for n in range(47)]
        if sort == "-likes":
            likes = [d["like_count"] for d in seen]
            assert likes == sorted(likes, reverse=True)
    items, _ = await queries.page(gen, task_id, limit=3, fields="id,text,author.screen_name")
    assert items[0].keys() == {"id", "text", "author"} and items[0]["author"] == {"screen_name": "alice"}
    await store.drop_generation(gen)


async def test_continued_cursors_and_fresh_queries_give_the_same_pages(container: Container, store: ResultStore) -> None:
    """On FerretDB a page continues the previous page's open cursor; another API process (no
    cursor kept) answers the same token with a query: both give the same items."""
    gen, projection = generation(), ResultsProjection(store)
    task_id, execution_id = new_ids()
    await apply(projection, container, await collected(container, task_id, execution_id,
                                                      [tweets(0, 20), tweets(20, 20), tweets(40, 5)]), gen)

    async def walk(fresh_each_page: bool) -> list[str]:
        queries, seen, cursor = ResultQueries(store), [], None
        while True:
            if fresh_each_page:
                queries = ResultQueries(store)
            items, cursor = await queries.page(gen, task_id, limit=7, cursor=cursor, fields="id,text")
            seen += [i["id"] for i in items]
            if cursor is None:
                return seen

    continued, fresh = await walk(False), await walk(True)
    assert continued == fresh and len(continued) == 45 and len(set(continued)) == 45
    await store.drop_generation(gen)


async def test_an_export_stream_follows_a_rebuild_switch_without_loss_or_repeat(
        container: Container, store: ResultStore) -> None:
    old, new, projection = generation(), generation(), ResultsProjection(store)
    task_id, execution_id = new_ids()
    events = await collected(container, task_id, execution_id, [tweets(n, 10) for n in range(0, 50, 10)])
    await apply(projection, container, events, old)
    await apply(projection, container, events, new)  # the rebuilt generation: the same documents
    current = old

    async def current_generation() -> int:
        return current

    stream = ResultQueries(store).stream(old, task_id, batch=10, current_generation=current_generation)
    seen = [(await anext(stream))["text"] for _ in range(15)]
    current = new  # the rebuild switches, then drops the old generation under the open stream
    await store.drop_generation(old)
    seen += [doc["text"] async for doc in stream]
    assert seen == [f"post {n}" for n in range(50)]
    await store.drop_generation(new)
