"""The product end to end: API -> event store -> relay -> Kafka -> Faust worker -> sandbox X ->
results in MongoDB, with stops, crashes, deadlines and several workers."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time

import httpx

from tests.e2e.flows import TASKS, all_results, execution, results_settled, start, tweets_task, wait_execution
from tests.e2e.stack import Stack
from xget.api.openapi import SEED_EXAMPLE



async def test_the_seed_example_completes_with_50_results_readable_searchable_and_exportable(
    api: httpx.AsyncClient
) -> None:
    task = await start(api, SEED_EXAMPLE)
    done = await wait_execution(api, task["execution_id"])
    assert done["status"] == "COMPLETED", done
    assert done["result_count"] == 50 and done["account_id"] == "your-account-id"
    assert done["proxy_id"] == "your-proxy-id" and done["duration"] > 0
    shown = (await api.get(f"{TASKS}/{task['id']}")).json()
    assert shown["status"] == "COMPLETED" and shown["result_count"] == 50
    items = await results_settled(api, task["id"], 50)
    assert len(items) == 50 and len({i["id"] for i in items}) == 50
    assert all(i["author"]["screen_name"] == "elonmusk" and not i["is_retweet"] for i in items)
    assert all(i["in_reply_to_tweet_id"] is None for i in items)
    found = (await api.get(f"{TASKS}/search/results", params={"user_id": "your-user-id", "task_id": task["id"],
                                                                "author": "elonmusk", "limit": 100})).json()
    assert len(found["items"]) == 50
    word = items[0]["text"].split()[0]
    matching = (await api.get(f"{TASKS}/search/results", params={"task_id": task["id"], "q": word})).json()
    assert matching["items"] and all(word.lower() in i["text"].lower() for i in matching["items"])
    for fmt in ("json", "ndjson", "csv", "xlsx"):
        exported = await api.post(f"{TASKS}/export/{task['id']}", params={"format": fmt})
        assert exported.status_code == 200, (fmt, exported.text)
        if fmt == "json":
            assert len(json.loads(exported.content)) == 50
        elif fmt == "ndjson":
            assert len(exported.content.splitlines()) == 50
        elif fmt == "csv":
            assert len(list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))) == 50
        else:
            assert exported.content[:2] == b"PK"


async def test_stop_ends_running_executions_within_two_seconds_at_p99(
    api: httpx.AsyncClient, live_stack: Stack
) -> None:
    live_stack.sandbox(latency_ms=100)  # every page takes a tenth of a second: pagination is mid-way
    latencies = []
    for _ in range(8):
        task = await start(api, tweets_task(1500))
        await wait_execution(api, task["execution_id"], statuses={"RUNNING"}, pages=2)
        asked = time.monotonic()
        assert (await api.post(f"{TASKS}/{task['id']}/stop")).status_code == 202
        stopped = await wait_execution(api, task["execution_id"], timeout=10)
        latencies.append(time.monotonic() - asked)
        assert stopped["status"] == "STOPPED" and stopped["result_count"] >= 40
        items = await results_settled(api, task["id"], stopped["result_count"])
        assert len(items) == stopped["result_count"]  # what was collected before the stop is kept
    assert max(latencies) < 2.0, latencies


async def test_stop_reaches_an_execution_waiting_on_a_rate_limit(api: httpx.AsyncClient, live_stack: Stack) -> None:
    live_stack.sandbox(rate_limits=True, rate_window=600, rate_limit={"UserTweets": 1})
    task = await start(api, tweets_task(1500))
    deadline = time.monotonic() + 60
    while (await execution(api, task["execution_id"]))["rate_limit_waits"] == 0:
        assert time.monotonic() < deadline, "the execution never waited on a rate limit"
        await asyncio.sleep(0.05)
    asked = time.monotonic()
    await api.post(f"{TASKS}/{task['id']}/stop")
    stopped = await wait_execution(api, task["execution_id"], timeout=10)
    assert stopped["status"] == "STOPPED" and time.monotonic() - asked < 2.0
    assert stopped["last_wait_reason"] == "accounts_exhausted"


async def test_a_worker_killed_mid_execution_is_resumed_by_another_without_duplicates_or_gaps(
    api: httpx.AsyncClient, live_stack: Stack
) -> None:
    spare = live_stack.add_worker()
    live_stack.sandbox(latency_ms=60)
    task = await start(api, tweets_task(1000))
    running = await wait_execution(api, task["execution_id"], statuses={"RUNNING"}, pages=5)
    victim = live_stack.worker_by_id(running["worker_id"])
    live_stack.kill_worker(victim)
    live_stack.sandbox(latency_ms=0)
    done = await wait_execution(api, task["execution_id"], timeout=90)
    assert done["status"] == "COMPLETED" and done["result_count"] == 1000, done
    assert done["attempt"] == 2 and done["worker_id"] != running["worker_id"]
    items = await results_settled(api, task["id"], 1000)
    ids = [i["id"] for i in items]
    assert len(ids) == 1000 and len(set(ids)) == 1000
    uninterrupted = await start(api, tweets_task(1000))
    await wait_execution(api, uninterrupted["execution_id"], timeout=60)
    reference = await results_settled(api, uninterrupted["id"], 1000)
    assert ids == [i["id"] for i in reference]  # the same items in the same order: no gap, no duplicate
    if spare in live_stack.workers and len(live_stack.workers) < 2:
        live_stack.add_worker()


async def test_several_workers_share_the_work_and_a_long_task_does_not_hold_up_others(
    api: httpx.AsyncClient, live_stack: Stack
) -> None:
    while len(live_stack.workers) < 2:
        live_stack.add_worker()
    live_stack.sandbox(latency_ms=40)
    long_task = await start(api, tweets_task(1500))
    await wait_execution(api, long_task["execution_id"], statuses={"RUNNING"}, pages=1)
    workers_seen = set()
    for _ in range(12):
        short = await start(api, tweets_task(20))
        done = await wait_execution(api, short["execution_id"], timeout=20)
        assert done["status"] == "COMPLETED"
        workers_seen.add(done["worker_id"])
        if len(workers_seen) == 2:
            break
    assert len(workers_seen) == 2, "every execution ran on one worker"
    assert (await execution(api, long_task["execution_id"]))["status"] == "RUNNING"
    await api.post(f"{TASKS}/{long_task['id']}/stop")
    await wait_execution(api, long_task["execution_id"])


async def test_a_task_past_its_deadline_fails_with_a_timeout(api: httpx.AsyncClient, live_stack: Stack) -> None:
    live_stack.sandbox(latency_ms=400)
    task = await start(api, tweets_task(1500, deadline_seconds=10))
    failed = await wait_execution(api, task["execution_id"], timeout=30)
    assert failed["status"] == "FAILED" and failed["error_class"] == "timeout"
    assert "deadline of 10s" in failed["error_message"]
    assert 9 < failed["duration"] < 15
    assert len(await all_results(api, task["id"])) <= failed["result_count"]


async def test_with_no_usable_account_the_execution_fails_saying_so(api: httpx.AsyncClient, live_stack: Stack) -> None:
    live_stack.sandbox(suspended_accounts=[f"acc-{i}" for i in range(1, 21)])
    task = await start(api, tweets_task(100, deadline_seconds=20))
    failed = await wait_execution(api, task["execution_id"], timeout=40)
    assert failed["status"] == "FAILED", failed
    assert failed["error_class"] == "no_account_available", failed
    assert "no account" in failed["error_message"]
