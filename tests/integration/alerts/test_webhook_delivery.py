"""Alerts as webhooks on the real PostgreSQL: the alerts consumer, the sender and a local
receiver. A failing task delivers one signed webhook; a receiver that fails gets the same delivery
again; a replay creates no second delivery; zero results and exhausted accounts alert too."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.integration.alerts.receiver import Receiver
from tests.integration.api.helpers import task_body
from xget.alerts.projection import AlertsProjection
from xget.alerts.sender import Backoff, WebhookSender
from xget.alerts.signing import verify_signature
from xget.bootstrap import Container
from xget.events import (
    Event,
    ExecutionCompleted,
    ExecutionFailed,
    ExecutionStarted,
    ExecutionWaiting,
    Metadata,
    NewEvent,
)
from xget.projections.runner import ProjectionRunner
from xget.projections.schema import ensure_projection

HOOKS = "/api/v1/webhooks"
TASKS = "/api/v1/tasks"
SECRET = "test-secret-0123456789"
BACKOFF = Backoff(base=0.1, cap=0.2, jitter=0.0, max_attempts=3)


@pytest.fixture(scope="module")
async def alerts(container: Container, projector: None) -> AsyncIterator[None]:
    """The alerts consumer and a fast-retrying sender, as ``xget projector`` runs them."""
    stop = asyncio.Event()
    async with container.pool.acquire() as conn:
        await ensure_projection(conn, AlertsProjection())
    sender = WebhookSender(container.pool, allow_private=True, notifier=container.notifier, backoff=BACKOFF,
                           poll_interval=0.05, timeout=5)
    loops = [asyncio.create_task(ProjectionRunner(container.event_store, AlertsProjection()).run(stop)),
             asyncio.create_task(sender.run(stop))]
    yield
    stop.set()
    await asyncio.gather(*loops)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = await Receiver().start()
    yield server
    await server.close()


async def register(client: httpx.AsyncClient, user: str, url: str, **body: Any) -> dict[str, Any]:
    response = await client.post(HOOKS, json={"url": url, "user_id": user, "secret": SECRET, **body})
    assert response.status_code == 201, response.text
    return response.json()


async def running_task(client: httpx.AsyncClient, user: str) -> dict[str, Any]:
    task = (await client.post(TASKS, json=task_body(user))).json()
    return (await client.post(f"{TASKS}/{task['id']}/start")).json()


async def hooked_task(client: httpx.AsyncClient, url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A fresh user's webhook to ``url`` and a running task of that user."""
    user = f"hooked-{uuid.uuid4().hex[:8]}"
    hook = await register(client, user, url)
    return hook, await running_task(client, user)


async def worker_appends(container: Container, task: dict[str, Any], *events: Event) -> int:
    """What a worker appends for the task's execution: ExecutionStarted, then ``events``."""
    stream = f"task-{task['id']}"
    started = ExecutionStarted(task_id=task["id"], execution_id=task["execution_id"], account_id="acct-1",
                               proxy_id="proxy-1", worker_id="w1")
    position = 0
    for event in (started, *events):
        position = await container.event_store.append(stream, None, [NewEvent(
            event=event, metadata=Metadata(correlation_id=f"corr-{task['id']}", causation_id=task["execution_id"]))])
    return position


def failed(task: dict[str, Any], error_class: str = "target_not_found") -> ExecutionFailed:
    return ExecutionFailed(task_id=task["id"], execution_id=task["execution_id"], error_class=error_class,
                           error_message="user @ghost does not exist", result_count=0, pages=1, duration=0.5)


async def deliveries(client: httpx.AsyncClient, hook: dict[str, Any], **params: Any) -> list[dict[str, Any]]:
    response = await client.get(f"{HOOKS}/{hook['id']}/deliveries", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def settled(client: httpx.AsyncClient, hook: dict[str, Any], count: int, timeout: float = 10) -> list[dict]:
    """The webhook's deliveries once ``count`` exist and none is pending."""
    async with asyncio.timeout(timeout):
        while True:
            items = await deliveries(client, hook)
            if len(items) >= count and all(d["status"] != "pending" for d in items):
                return items
            await asyncio.sleep(0.05)


async def alerts_caught_up(container: Container) -> None:
    head = await container.event_store.head()
    async with asyncio.timeout(10):
        while await container.pool.fetchval("SELECT position FROM checkpoints WHERE name = 'alerts'") < head:
            await asyncio.sleep(0.02)


async def test_a_failing_task_delivers_one_signed_webhook(container: Container, client: httpx.AsyncClient,
                                                          alerts: None, receiver: Receiver) -> None:
    user = f"hooked-{uuid.uuid4().hex[:8]}"
    hook = await register(client, user, receiver.url)
    task = await running_task(client, user)
    await worker_appends(container, task, failed(task))

    (request,) = await receiver.wait_for(1)
    assert request.method == "POST" and request.path == "/hooks/xget?token=abc"
    assert request.headers["x-xget-event"] == "task.failed"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("XGet-Webhooks/")
    assert verify_signature(SECRET, request.headers["x-xget-signature"], request.body)
    assert not verify_signature("some-other-secret-value", request.headers["x-xget-signature"], request.body)
    body = json.loads(request.body)
    assert body["id"] == request.headers["x-xget-delivery"]
    assert body["event"] == "task.failed"
    assert body["data"] == {"task_id": task["id"], "execution_id": task["execution_id"], "user_id": user,
                            "task_type": "USER_INFO", "error_class": "target_not_found",
                            "error_message": "user @ghost does not exist", "result_count": 0, "pages": 1,
                            "duration": 0.5}
    assert body["source"]["type"] == "ExecutionFailed" and body["source"]["correlation_id"] == f"corr-{task['id']}"

    (delivery,) = await settled(client, hook, 1)
    assert delivery["id"] == body["id"] and delivery["status"] == "delivered"
    assert delivery["attempts"] == 1 and delivery["last_status"] == 200 and delivery["last_error"] is None
    assert delivery["delivered_at"] and delivery["payload"] == body
    await asyncio.sleep(0.3)
    assert len(receiver.requests) == 1


async def test_a_receiver_failing_first_gets_the_same_delivery_again_until_it_answers_2xx(
    container: Container, client: httpx.AsyncClient, alerts: None, receiver: Receiver
) -> None:
    receiver.statuses = [500, 302]  # a redirect is not followed: it is a failure too
    hook, task = await hooked_task(client, receiver.url)
    await worker_appends(container, task, failed(task))

    requests = await receiver.wait_for(3)
    assert len({r.headers["x-xget-delivery"] for r in requests}) == 1
    assert len({r.body for r in requests}) == 1
    assert all(verify_signature(SECRET, r.headers["x-xget-signature"], r.body) for r in requests)
    (delivery,) = await settled(client, hook, 1)
    assert delivery["status"] == "delivered" and delivery["attempts"] == 3 and delivery["last_status"] == 200
    assert delivery["id"] == requests[0].headers["x-xget-delivery"]


async def test_a_receiver_that_keeps_failing_is_given_up_on_after_the_last_attempt(
    container: Container, client: httpx.AsyncClient, alerts: None, receiver: Receiver
) -> None:
    receiver.default = 503
    hook, task = await hooked_task(client, receiver.url)
    await worker_appends(container, task, failed(task))

    (delivery,) = await settled(client, hook, 1)
    assert delivery["status"] == "failed" and delivery["attempts"] == BACKOFF.max_attempts
    assert delivery["last_status"] == 503 and delivery["last_error"] == "HTTP 503"
    assert delivery["delivered_at"] is None and delivery["next_attempt_at"] is None
    assert len(receiver.requests) == BACKOFF.max_attempts
    assert await deliveries(client, hook, status="failed") == [delivery]
    assert await deliveries(client, hook, status="delivered") == []


async def test_an_unreachable_receiver_is_retried_with_the_error_recorded(
    container: Container, client: httpx.AsyncClient, alerts: None
) -> None:
    closed = await Receiver().start()
    await closed.close()  # nothing listens on its port any more
    hook, task = await hooked_task(client, closed.url)
    await worker_appends(container, task, failed(task))
    (delivery,) = await settled(client, hook, 1)
    assert delivery["status"] == "failed" and delivery["attempts"] == BACKOFF.max_attempts
    assert delivery["last_status"] is None and "ConnectError" in delivery["last_error"]


async def test_a_replay_of_the_source_events_creates_no_second_delivery(
    container: Container, client: httpx.AsyncClient, alerts: None, receiver: Receiver
) -> None:
    hook, task = await hooked_task(client, receiver.url)
    before = await container.event_store.head()
    await worker_appends(container, task, failed(task))
    await receiver.wait_for(1)
    await alerts_caught_up(container)

    # The batch again, as after a crash between the writes and the checkpoint, twice over.
    for _ in range(2):
        async with container.pool.acquire() as conn, conn.transaction():
            events = await container.event_store.read_all(before, 100, conn=conn)
            assert any(isinstance(e.event, ExecutionFailed) for e in events)
            await AlertsProjection().apply(conn, events, 1)
    assert len(await settled(client, hook, 1)) == 1
    await asyncio.sleep(0.3)
    assert len(receiver.requests) == 1


async def test_an_execution_with_zero_results_alerts_only_webhooks_that_asked_for_it(
    container: Container, client: httpx.AsyncClient, alerts: None, receiver: Receiver
) -> None:
    user = f"hooked-{uuid.uuid4().hex[:8]}"
    empty_only = await register(client, user, receiver.url, events=["execution.empty"])
    failures_only = await register(client, user, receiver.url, events=["task.failed"])
    empty = await running_task(client, user)
    full = await running_task(client, user)
    broken = await running_task(client, user)
    await worker_appends(container, empty, ExecutionCompleted(
        task_id=empty["id"], execution_id=empty["execution_id"], result_count=0, pages=1, duration=0.2))
    await worker_appends(container, full, ExecutionCompleted(
        task_id=full["id"], execution_id=full["execution_id"], result_count=5, pages=1, duration=0.2))
    await worker_appends(container, broken, failed(broken))

    requests = await receiver.wait_for(2)
    await alerts_caught_up(container)
    await asyncio.sleep(0.3)
    assert len(receiver.requests) == 2
    by_event = {r.headers["x-xget-event"]: json.loads(r.body) for r in requests}
    assert by_event["execution.empty"]["data"]["task_id"] == empty["id"]
    assert by_event["execution.empty"]["data"]["result_count"] == 0
    assert by_event["task.failed"]["data"]["task_id"] == broken["id"]
    assert [d["event"] for d in await settled(client, empty_only, 1)] == ["execution.empty"]
    assert [d["event"] for d in await settled(client, failures_only, 1)] == ["task.failed"]


async def test_an_exhausted_account_pool_alerts_once_per_execution(
    container: Container, client: httpx.AsyncClient, alerts: None, receiver: Receiver
) -> None:
    user = f"hooked-{uuid.uuid4().hex[:8]}"
    hook = await register(client, user, receiver.url)
    task = await running_task(client, user)
    wait = {"task_id": task["id"], "execution_id": task["execution_id"], "reason": "accounts_exhausted"}
    await worker_appends(container, task, ExecutionWaiting(**wait, seconds=30),
                         ExecutionWaiting(**wait, seconds=60), failed(task, "no_account_available"))
    other = await running_task(client, user)
    await worker_appends(container, other, ExecutionWaiting(
        task_id=other["id"], execution_id=other["execution_id"], reason="accounts_exhausted", seconds=5))

    requests = await receiver.wait_for(3)
    await alerts_caught_up(container)
    await asyncio.sleep(0.3)
    assert len(receiver.requests) == 3
    sent = sorted((r.headers["x-xget-event"], json.loads(r.body)["data"]["execution_id"]) for r in requests)
    assert sent == sorted([("accounts.exhausted", task["execution_id"]), ("task.failed", task["execution_id"]),
                           ("accounts.exhausted", other["execution_id"])])
    exhausted = next(json.loads(r.body) for r in requests if r.headers["x-xget-event"] == "accounts.exhausted"
                     and json.loads(r.body)["data"]["execution_id"] == task["execution_id"])
    assert exhausted["data"]["source"] == "ExecutionWaiting" and exhausted["data"]["wait_seconds"] == 30
    assert len(await settled(client, hook, 3)) == 3


async def test_alerts_of_other_users_tasks_and_of_deleted_webhooks_are_not_sent(
    container: Container, client: httpx.AsyncClient, alerts: None, receiver: Receiver
) -> None:
    user, stranger = f"hooked-{uuid.uuid4().hex[:8]}", f"stranger-{uuid.uuid4().hex[:8]}"
    await register(client, user, receiver.url)
    gone = await register(client, stranger, receiver.url)
    assert (await client.delete(f"{HOOKS}/{gone['id']}")).status_code == 204
    theirs = await running_task(client, stranger)
    await worker_appends(container, theirs, failed(theirs))
    await alerts_caught_up(container)
    await asyncio.sleep(0.3)
    assert receiver.requests == []


async def test_the_alerts_consumer_starts_at_the_head_and_is_never_rebuilt(container: Container,
                                                                           client: httpx.AsyncClient) -> None:
    class FreshAlerts(AlertsProjection):
        name = f"alerts_fresh_{uuid.uuid4().hex[:6]}"

    await client.post(TASKS, json=task_body())
    head = await container.event_store.head()
    assert head > 0
    async with container.pool.acquire() as conn:
        await ensure_projection(conn, FreshAlerts())
        assert await conn.fetchval("SELECT position FROM checkpoints WHERE name = $1", FreshAlerts.name) == head
        with pytest.raises(RuntimeError, match="never rebuilt"):
            await FreshAlerts().create_generation(conn, 2)
        await conn.execute("DELETE FROM checkpoints WHERE name = $1", FreshAlerts.name)
    assert "alerts" in await container.projections()
