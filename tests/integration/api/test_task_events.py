"""GET /api/v1/tasks/{id}/events: a task's status and progress as Server-Sent Events."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.integration.api.helpers import task_body
from tests.integration.api.sse import FakeWorker, Sse, next_event, read_events, serve
from tests.integration.conftest import app_client
from xget.api.live import StreamSettings
from xget.auth import ApiKeys
from xget.bootstrap import Container, open_container
from xget.events import ExecutionStopped, NewEvent
from xget.settings import Settings

TASKS = "/api/v1/tasks"
STREAMS = StreamSettings(heartbeat=0.3, min_interval=0.02)


@pytest.fixture(scope="module")
async def api(container: Container, projector: None) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app served on a local socket, with quick heartbeats."""
    async with serve(container, STREAMS) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        yield client


async def started_task(api: httpx.AsyncClient, **parameters: Any) -> dict[str, Any]:
    body = task_body(task_type="USER_TWEETS", parameters={"username": "elonmusk", "limit": 100, **parameters})
    created = await api.post(TASKS, json=body)
    assert created.status_code == 201, created.text
    started = await api.post(f"{TASKS}/{created.json()['id']}/start")
    assert started.status_code == 202, started.text
    return started.json()  # type: ignore[no-any-return]


async def collect_until_closed(events: AsyncIterator[Sse], timeout: float = 10) -> list[Sse]:
    """Every remaining event (heartbeats left out) until the server closes the stream."""
    async def run() -> list[Sse]:
        return [e async for e in events if e.event]

    return await asyncio.wait_for(run(), timeout)


async def test_the_stream_sends_a_snapshot_then_each_change_until_the_task_ends(api: httpx.AsyncClient,
                                                                                 container: Container) -> None:
    task = await started_task(api)
    worker = FakeWorker(container, task["id"], task["execution_id"])
    async with api.stream("GET", f"{TASKS}/{task['id']}/events") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        events = read_events(response)
        snapshot = await next_event(events)
        assert snapshot.event == "snapshot"
        assert snapshot.json["status"] == "RUNNING" and snapshot.json["execution_status"] == "PENDING"
        assert snapshot.json["execution_id"] == task["execution_id"] and snapshot.json["target"] == 100
        assert snapshot.id == str(snapshot.json["position"])

        claimed = await worker.start()
        first = await next_event(events)
        assert (first.event, first.id, first.json["execution_status"]) == ("status", str(claimed), "RUNNING")
        lease = (first.json["account_id"], first.json["proxy_id"], first.json["worker_id"])
        assert lease == ("acc-1", "px-1", "test:1")

        for items in (20, 20):
            position = await worker.page(items)
            progress = await next_event(events)
            assert (progress.event, progress.id) == ("progress", str(position))
        assert (progress.json["pages"], progress.json["result_count"], progress.json["page_items"]) == (2, 40, 20)
        assert progress.json["version"] == first.json["version"]  # pages are not versions of the task

        await worker.wait(30)
        waiting = await next_event(events)
        assert waiting.event == "waiting"
        assert waiting.json["waiting"]["reason"] == "rate limited: UserTweets"
        assert (waiting.json["waits"], waiting.json["wait_seconds"]) == (1, 30.0)

        await worker.page(5)
        assert (await next_event(events)).json["waiting"] is None
        done = await worker.complete()
        final, end = await next_event(events), await next_event(events)
        assert (final.event, final.json["status"], final.json["result_count"]) == ("status", "COMPLETED", 45)
        assert (end.event, end.id, end.json["ended"], end.json["duration"]) == ("end", str(done), True, 1.5)
        assert await collect_until_closed(events) == []  # and the server closed the stream


async def test_last_event_id_resumes_after_that_event_without_a_snapshot(api: httpx.AsyncClient,
                                                                         container: Container) -> None:
    task = await started_task(api)
    worker = FakeWorker(container, task["id"], task["execution_id"])
    claimed = await worker.start()
    pages = [await worker.page(10), await worker.page(10)]
    async with api.stream("GET", f"{TASKS}/{task['id']}/events", headers={"Last-Event-ID": str(claimed)}) as response:
        events = read_events(response)
        replayed = [await next_event(events), await next_event(events)]
        assert [(e.event, e.id) for e in replayed] == [("progress", str(p)) for p in pages]
        assert [e.json["result_count"] for e in replayed] == [10, 20]  # each as it was then
        await worker.complete()
        assert [e.event for e in await collect_until_closed(events)] == ["status", "end"]


async def test_a_reconnect_at_or_after_the_end_gets_204_and_a_fresh_one_gets_snapshot_and_end(
        api: httpx.AsyncClient, container: Container) -> None:
    task = await started_task(api)
    worker = FakeWorker(container, task["id"], task["execution_id"])
    await worker.start()
    done = await worker.complete()
    resumed = await api.get(f"{TASKS}/{task['id']}/events", headers={"Last-Event-ID": str(done)})
    assert resumed.status_code == 204 and resumed.content == b""
    async with api.stream("GET", f"{TASKS}/{task['id']}/events") as response:
        events = await collect_until_closed(read_events(response))
    assert [e.event for e in events] == ["snapshot", "end"]
    assert events[1].json["status"] == "COMPLETED" and events[1].id == str(done)


@pytest.mark.parametrize("last_event_id", ["", "abc", "-5", "1e9", "99999999999999999999999", "12abc", "0012",
                                           "\u00e9"])
async def test_a_last_event_id_that_is_not_of_this_task_starts_over_with_a_snapshot(
        api: httpx.AsyncClient, container: Container, last_event_id: str) -> None:
    task = await started_task(api)
    worker = FakeWorker(container, task["id"], task["execution_id"])
    await worker.start()
    await worker.complete()
    headers = {"Last-Event-ID": last_event_id.encode()}
    async with api.stream("GET", f"{TASKS}/{task['id']}/events", headers=headers) as response:
        assert response.status_code == 200
        events = await collect_until_closed(read_events(response))
    if last_event_id.strip().isdigit() and int(last_event_id) < 10**9:
        assert events[-1].event == "end"  # a real position before the end: replay from there
    else:
        assert [e.event for e in events] == ["snapshot", "end"]


async def test_unknown_and_deleted_tasks_answer_404_problems(api: httpx.AsyncClient) -> None:
    created = (await api.post(TASKS, json=task_body())).json()
    assert (await api.delete(f"{TASKS}/{created['id']}")).status_code == 204
    for task_id in (str(uuid.uuid4()), created["id"], "x" * 300, "%00"):
        response = await api.get(f"{TASKS}/{task_id}/events")
        # NUL is refused before routing (400); either way a problem, never a 500.
        assert response.status_code in ((400, 404) if task_id == "%00" else (404,)), (task_id, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_other_users_tasks_answer_404_in_api_key_mode(settings: Settings, projector: None) -> None:
    async with open_container(dataclasses.replace(settings, auth_mode="api_key")) as keyed:
        keys = ApiKeys(keyed.pool)
        suffix = uuid.uuid4().hex[:6]
        alice = (await keys.create(f"alice-{suffix}"))[1]
        bob = (await keys.create(f"bob-{suffix}"))[1]
        async with await app_client(keyed) as client:
            created = await client.post(TASKS, json=task_body() | {"user_id": None}, headers={"X-API-Key": alice})
            url = f"{TASKS}/{created.json()['id']}/events"
            assert (await client.get(url)).status_code == 401
            assert (await client.get(url, headers={"X-API-Key": bob})).status_code == 404
            # Alice's PENDING task would stream forever: only check that her request is accepted.
            async with serve(keyed, STREAMS) as base, httpx.AsyncClient(base_url=base) as live:
                async with live.stream("GET", url, headers={"X-API-Key": alice}) as response:
                    assert response.status_code == 200
                    assert (await next_event(read_events(response))).json["status"] == "PENDING"


async def test_a_stop_request_shows_as_stopping_until_the_worker_confirms(api: httpx.AsyncClient,
                                                                          container: Container) -> None:
    task = await started_task(api)
    worker = FakeWorker(container, task["id"], task["execution_id"])
    await worker.start()
    async with api.stream("GET", f"{TASKS}/{task['id']}/events") as response:
        events = read_events(response)
        await next_event(events)
        assert (await api.post(f"{TASKS}/{task['id']}/stop")).status_code == 202
        stopping = await next_event(events)
        assert (stopping.json["status"], stopping.json["execution_status"], stopping.json["ended"]) == \
            ("STOPPED", "STOPPING", False)
        await worker.page(7)
        await container.event_store.append(f"task-{task['id']}", stopping.json["version"], [NewEvent(
            event=ExecutionStopped(task_id=task["id"], execution_id=task["execution_id"], result_count=7, pages=1))])
        rest = await collect_until_closed(events)
    assert [e.event for e in rest] == ["progress", "status", "end"]
    assert (rest[-1].json["execution_status"], rest[-1].json["result_count"]) == ("STOPPED", 7)


async def test_idle_streams_send_heartbeats_and_hold_no_database_connection(api: httpx.AsyncClient,
                                                                             container: Container) -> None:
    pool = container.pool
    await asyncio.sleep(0.3)  # let the in-process projections go idle
    in_use_before = pool.get_size() - pool.get_idle_size()
    task = await started_task(api)
    async with contextlib.AsyncExitStack() as stack:
        streams = [await stack.enter_async_context(api.stream("GET", f"{TASKS}/{task['id']}/events"))
                   for _ in range(8)]
        readers = [read_events(r) for r in streams]
        for events in readers:
            assert (await next_event(events)).event == "snapshot"
        await asyncio.sleep(0.2)
        assert pool.get_size() - pool.get_idle_size() <= in_use_before + 1
        assert STREAMS.active >= 8
        t0 = time.monotonic()
        beat = await asyncio.wait_for(anext(readers[0]), 5)
        assert beat.comments == ["keepalive"] and beat.event is None and not beat.data
        assert time.monotonic() - t0 < 1.0


async def test_a_client_disconnect_ends_the_stream_on_the_server(api: httpx.AsyncClient) -> None:
    task = await started_task(api)
    before = STREAMS.active
    async with api.stream("GET", f"{TASKS}/{task['id']}/events") as response:
        assert (await next_event(read_events(response))).event == "snapshot"
        assert STREAMS.active == before + 1
    deadline = time.monotonic() + 5
    while STREAMS.active > before and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert STREAMS.active == before


async def test_client_disconnects_leave_the_process_notifier_working(api: httpx.AsyncClient) -> None:
    # A disconnect cancels a stream while it waits on the process's shared NOTIFY listener; that
    # must not wedge the listener for the other waiters (read-your-writes of every command).
    task = await started_task(api)
    for _ in range(20):
        async with api.stream("GET", f"{TASKS}/{task['id']}/events") as response:
            assert (await next_event(read_events(response))).event == "snapshot"
            await asyncio.sleep(0.01)
    t0 = time.monotonic()
    created = await api.post(TASKS, json=task_body())
    listed = await api.get(TASKS, params={"user_id": created.json()["user_id"]})
    assert listed.json()["total"] == 1
    assert time.monotonic() - t0 < 2.0  # not the 5 s read-your-writes timeout
